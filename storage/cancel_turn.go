package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"donorbot/drive"
)

// Cancellation is what the donor's cancel turn shows: the registration as
// it was, with its drive and slot, the donor confirmed in the seat it
// freed (nil for none), and the SEQUENCE of the .ics file that takes the
// event off the donor's calendar (Calendar false: no file was ever sent
// for it, so there is nothing to update).
type Cancellation struct {
	Registration MyRegistration
	Promoted     *Promotion
	Calendar     bool
	Sequence     int
}

// CancelMine is Cancel for the donor's cancel turn: the lock of the
// registration reads what the turn shows, and the cancel counts the
// calendar file's update in the same statement (one more than the last
// SEQUENCE sent, see NextCalendarSequence), so the turn reads the
// registration neither before nor after. A registration
// of another donor is ErrNotFound, one that is not live ErrNotLive.
func (s *Store) CancelMine(ctx context.Context, donorTelegramID, registrationID int64, now time.Time) (Cancellation, error) {
	const lock = `SELECT ` + myRegColumns + `
		FROM registrations r JOIN drive_slots sl ON sl.id = r.slot_id JOIN drives d ON d.id = r.drive_id
		WHERE r.id = $1 FOR UPDATE OF r`
	const cancel = `UPDATE registrations SET status = 'cancelled', updated_at = now(),
			calendar_sequence = calendar_sequence + 1
		WHERE id = $1 RETURNING calendar_sequence`
	var c Cancellation
	err := s.inFlatTx(ctx, func(tx *dbTx) error {
		c = Cancellation{}
		slotID, _, err := lockRegistrationSlot(ctx, tx, registrationID, donorTelegramID, 0)
		if err != nil {
			return err
		}
		var row myRegRow
		if err := tx.GetContext(ctx, &row, lock, registrationID); err != nil {
			return fmt.Errorf("registration %d: %w", registrationID, mapErr(err))
		}
		if row.SlotID != slotID {
			return errMoved
		}
		c.Registration = row.myRegistration()
		was := c.Registration.Registration.Status
		if !was.Live() {
			return fmt.Errorf("%w: %s", ErrNotLive, was)
		}
		var seq sql.NullInt64
		if err := tx.GetContext(ctx, &seq, cancel, registrationID); err != nil {
			return err
		}
		c.Calendar, c.Sequence = seq.Valid, int(seq.Int64)
		if was == drive.RegConfirmed {
			c.Promoted, err = promote(ctx, tx, slotID, now)
		}
		return err
	})
	if err != nil {
		return Cancellation{}, fmt.Errorf("storage: donor %d cancel registration %d: %w", donorTelegramID, registrationID, err)
	}
	return c, nil
}
