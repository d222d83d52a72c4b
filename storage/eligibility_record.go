package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"donorbot/screening"
)

// EligibilityRecord is what the eligibility rules need of a donor's
// records: their last donation, the deferrals still running on a day, and
// what their latest screening said about the last donation.
type EligibilityRecord struct {
	Last      *Donation         // nil: none on record (only On and Kind are read)
	Deferrals []Deferral        // open on the day, in the order recorded
	Answered  *screening.Answer // nil: never answered (see LastDonationAnswers)
}

// eligibilityColumns read a donor d's EligibilityRecord on day $2, with
// the question $3 (screening.QDonatedBefore).
const eligibilityColumns = `n.donated_on, n.kind,
		coalesce((SELECT jsonb_agg(jsonb_build_object('code', f.code, 'until', f.until,
				'permanent', f.permanent, 'source', f.source) ORDER BY f.id)
			FROM deferrals f WHERE f.donor_id = d.id AND (f.permanent OR f.until IS NULL OR f.until > $2)),
			'[]') AS deferrals,
		(SELECT a.value FROM registrations r
			CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.screening_answers) = 'array'
				THEN r.screening_answers ELSE '[]'::jsonb END) a
			WHERE r.donor_id = d.id AND a.value->>'Question' = $3
			ORDER BY r.id DESC LIMIT 1) AS answered`

// eligibilityFrom joins a donor d's last donation for eligibilityColumns.
const eligibilityFrom = `LEFT JOIN LATERAL (SELECT donated_on, kind FROM donations
			WHERE donor_id = d.id ORDER BY donated_on DESC, id DESC LIMIT 1) n ON true`

// eligibilityRow scans eligibilityColumns.
type eligibilityRow struct {
	On        sql.NullTime   `db:"donated_on"`
	Kind      sql.NullString `db:"kind"`
	Deferrals []byte         `db:"deferrals"`
	Answered  []byte         `db:"answered"`
}

// EligibilityRecord reads, in one statement, what LastDonation,
// OpenDeferrals and LastDonationAnswers read in three: a turn that judges
// eligibility makes one round trip for it. A donor without a row has an
// empty record. In a unit of work that has written nothing yet, the
// sender's record read with their donor row (DonorWithRecord) is reused.
func (s *Store) EligibilityRecord(ctx context.Context, telegramID int64, day time.Time) (EligibilityRecord, error) {
	if w := workFrom(ctx); w != nil && w.db == s.db {
		if rec, ok := w.cachedRecord(telegramID, day); ok {
			return rec, nil
		}
	}
	const q = `SELECT ` + eligibilityColumns + `
		FROM donors d ` + eligibilityFrom + `
		WHERE d.telegram_id = $1`
	var row eligibilityRow
	err := s.read(ctx).GetContext(ctx, &row, q, telegramID, day.Format(time.DateOnly), string(screening.QDonatedBefore))
	if errors.Is(err, sql.ErrNoRows) {
		return EligibilityRecord{Deferrals: []Deferral{}}, nil
	}
	if err != nil {
		return EligibilityRecord{}, fmt.Errorf("storage: eligibility record of %d: %w", telegramID, err)
	}
	rec, err := row.record()
	if err != nil {
		return EligibilityRecord{}, fmt.Errorf("storage: eligibility record of %d: %w", telegramID, err)
	}
	return rec, nil
}

func (row eligibilityRow) record() (EligibilityRecord, error) {
	var rec EligibilityRecord
	if row.On.Valid {
		rec.Last = &Donation{On: calendarDate(row.On.Time), Kind: row.Kind.String}
	}
	var deferrals []struct {
		Code      string  `json:"code"`
		Until     *string `json:"until"`
		Permanent bool    `json:"permanent"`
		Source    string  `json:"source"`
	}
	if err := json.Unmarshal(row.Deferrals, &deferrals); err != nil {
		return EligibilityRecord{}, err
	}
	rec.Deferrals = make([]Deferral, len(deferrals))
	for i, f := range deferrals {
		rec.Deferrals[i] = Deferral{Code: f.Code, Permanent: f.Permanent, Source: f.Source}
		if f.Until != nil {
			until, err := time.Parse(time.DateOnly, *f.Until)
			if err != nil {
				return EligibilityRecord{}, err
			}
			rec.Deferrals[i].Until = until
		}
	}
	if row.Answered != nil {
		var a screening.Answer
		if err := json.Unmarshal(row.Answered, &a); err != nil {
			return EligibilityRecord{}, err
		}
		rec.Answered = &a
	}
	return rec, nil
}
