package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"donorbot/profile"
	"donorbot/screening"
)

// DonorWithRecord is Donor and, in the same statement, the donor's
// EligibilityRecord on day: every turn reads its sender, and most of the
// screens a donor sees judge their eligibility. In a unit of work, later
// EligibilityRecord calls for the donor and day return this record until
// the unit writes something the record reads (Work.open; a registration
// does not, see beginFlatSparingRecord): a read then sees what this
// statement saw, as every plain read of the unit does under READ
// COMMITTED. The donor's row id is kept for the whole
// unit (donorID), unless it deletes the donor. A read of the sender that
// came with the update (WithSenderRead) stands in for the statement.
func (s *Store) DonorWithRecord(ctx context.Context, telegramID int64, day time.Time) (profile.Donor, error) {
	const q = `SELECT d.*, ` + eligibilityColumns + `
		FROM (SELECT ` + donorColumns + ` FROM donors WHERE telegram_id = $1) d ` + eligibilityFrom
	w := workFrom(ctx)
	if w != nil && w.db != s.db {
		w = nil
	}
	if r := adoptSenderRead(ctx, w, telegramID, day); r != nil {
		return r.donorFor(w)
	}
	wrap := func(err error) error { return fmt.Errorf("storage: donor %d with record: %w", telegramID, err) }
	var row struct {
		donorRow
		eligibilityRow
	}
	err := s.read(ctx).GetContext(ctx, &row, q, telegramID, day.Format(time.DateOnly), string(screening.QDonatedBefore))
	if err != nil {
		return profile.Donor{}, wrap(mapErr(err))
	}
	rec, err := row.record()
	if err != nil {
		return profile.Donor{}, wrap(err)
	}
	if w != nil {
		w.sender = &senderID{telegramID: telegramID, id: row.ID}
		if w.tx == nil {
			w.record = &cachedRecord{telegramID: telegramID, day: day, rec: rec}
		}
	}
	return row.donor(), nil
}

// senderID is the row id of a unit's sender.
type senderID struct{ telegramID, id int64 }

// cachedRecord is an EligibilityRecord a unit of work read with its
// sender's donor row.
type cachedRecord struct {
	telegramID int64
	day        time.Time
	rec        EligibilityRecord
}

// cachedRecord returns the unit's record of the donor on day, a copy the
// caller may change, unless the unit has written what the record reads.
func (w *Work) cachedRecord(telegramID int64, day time.Time) (EligibilityRecord, bool) {
	if w.record == nil ||
		w.record.telegramID != telegramID || !w.record.day.Equal(day) {
		return EligibilityRecord{}, false
	}
	rec := w.record.rec
	rec.Deferrals = slices.Clone(rec.Deferrals)
	if rec.Last != nil {
		last := *rec.Last
		rec.Last = &last
	}
	if rec.Answered != nil {
		a := *rec.Answered
		rec.Answered = &a
	}
	return rec, true
}
