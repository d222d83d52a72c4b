package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"donorbot/screening"
)

// HistoryDonation is a recorded donation with where it was given: the
// drive's title and venue when it was recorded for a registration.
type HistoryDonation struct {
	Donation
	DriveTitle string `db:"drive_title"`
	Venue      string `db:"venue"`
}

// DonationHistory returns every donation on record of the donor, newest
// first.
func (s *Store) DonationHistory(ctx context.Context, telegramID int64) ([]HistoryDonation, error) {
	const q = `SELECT n.id, n.donated_on, n.kind, n.volume_ml, n.source,
			coalesce(dr.title, '') AS drive_title, coalesce(dr.venue, '') AS venue
		FROM donations n JOIN donors d ON d.id = n.donor_id
		LEFT JOIN registrations r ON r.id = n.registration_id
		LEFT JOIN drives dr ON dr.id = r.drive_id
		WHERE d.telegram_id = $1 ORDER BY n.donated_on DESC, n.id DESC`
	out := []HistoryDonation{}
	if err := s.read(ctx).SelectContext(ctx, &out, q, telegramID); err != nil {
		return nil, fmt.Errorf("storage: donation history of %d: %w", telegramID, err)
	}
	for i := range out {
		out[i].On = calendarDate(out[i].On)
	}
	return out, nil
}

// ReportedDonations returns the donor's answers to question 1 (the last
// donation) of every screening they answered, newest first: each may tell
// of a donation given elsewhere (history.Merge decides which count).
func (s *Store) ReportedDonations(ctx context.Context, telegramID int64) ([]screening.Answer, error) {
	const q = `SELECT a.value
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.screening_answers) = 'array'
			THEN r.screening_answers ELSE '[]'::jsonb END) a
		WHERE dn.telegram_id = $1 AND a.value->>'Question' = $2
		ORDER BY r.id DESC`
	wrap := func(err error) error { return fmt.Errorf("storage: reported donations of %d: %w", telegramID, err) }
	var raws [][]byte
	if err := s.q(ctx).SelectContext(ctx, &raws, q, telegramID, string(screening.QDonatedBefore)); err != nil {
		return nil, wrap(err)
	}
	out := make([]screening.Answer, 0, len(raws))
	for _, raw := range raws {
		var a screening.Answer
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, wrap(err)
		}
		out = append(out, a)
	}
	return out, nil
}
