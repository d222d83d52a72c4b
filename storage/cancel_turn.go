package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
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

// CancelMine is Cancel for the donor's cancel turn: it also reads what
// the turn shows, after the cancel, with the status and waitlist place
// the registration had before it, and counts the calendar file's update
// (one more than the last SEQUENCE sent, see NextCalendarSequence). A
// registration of another donor is ErrNotFound, one that is not live
// ErrNotLive.
func (s *Store) CancelMine(ctx context.Context, donorTelegramID, registrationID int64, now time.Time) (Cancellation, error) {
	const read = `SELECT ` + myRegColumns + `
		FROM registrations r JOIN drive_slots sl ON sl.id = r.slot_id JOIN drives d ON d.id = r.drive_id
		WHERE r.id = $1`
	var c Cancellation
	err := s.inFlatTx(ctx, func(tx *dbTx) error {
		c = Cancellation{}
		done, err := cancelRegistration(ctx, tx, registrationID, donorTelegramID, now)
		if err != nil {
			return err
		}
		var row myRegRow
		if err := tx.GetContext(ctx, &row, read, registrationID); err != nil {
			return fmt.Errorf("registration %d: %w", registrationID, mapErr(err))
		}
		row.RegStatus, row.RegPosition = done.Was, done.Position
		c.Registration = row.myRegistration()
		c.Calendar, c.Sequence = done.Seq.Valid, int(done.Seq.Int64)
		c.Promoted, err = done.promotion(ctx, tx)
		return err
	})
	if err != nil {
		return Cancellation{}, fmt.Errorf("storage: donor %d cancel registration %d: %w", donorTelegramID, registrationID, err)
	}
	return c, nil
}

// cancelled is what cancel_registration (migration 00034) returns.
type cancelled struct {
	Outcome    string        `db:"outcome"`
	Was        string        `db:"was"`
	Position   int           `db:"position"`
	Seq        sql.NullInt64 `db:"seq"`
	PromotedID sql.NullInt64 `db:"promoted_id"`
}

// cancelRegistration cancels a live registration and promotes the first
// of its slot's waitlist into a seat it freed, in one round trip: the slot
// and registration locks are taken and the seats counted inside the
// server. With ownerTelegramID != 0 a registration of another donor is
// ErrNotFound.
func cancelRegistration(ctx context.Context, tx *dbTx, id, ownerTelegramID int64, now time.Time) (cancelled, error) {
	const q = `SELECT outcome, coalesce(was, '') AS was, coalesce(position, 0) AS position, seq, promoted_id
		FROM cancel_registration($1, $2, $3)`
	var c cancelled
	if err := tx.GetContext(ctx, &c, q, id, ownerTelegramID, now); err != nil {
		return cancelled{}, fmt.Errorf("registration %d: %w", id, err)
	}
	switch c.Outcome {
	case "cancelled":
		return c, nil
	case "not_found":
		return cancelled{}, fmt.Errorf("registration %d: %w", id, ErrNotFound)
	case "not_live":
		return cancelled{}, fmt.Errorf("%w: %s", ErrNotLive, c.Was)
	case "moved":
		return cancelled{}, errMoved
	}
	return cancelled{}, fmt.Errorf("registration %d: cancel outcome %q", id, c.Outcome)
}

// promotion reads the registration the cancel promoted, if any: rare, so
// a round trip of its own rather than a part of every cancel.
func (c cancelled) promotion(ctx context.Context, tx *dbTx) (*Promotion, error) {
	if !c.PromotedID.Valid {
		return nil, nil
	}
	const q = `SELECT ` + regColumns + `, dn.telegram_id, dn.chat_id, dn.language
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id WHERE r.id = $1`
	var r struct {
		regRow
		TelegramID int64  `db:"telegram_id"`
		ChatID     int64  `db:"chat_id"`
		Language   string `db:"language"`
	}
	if err := tx.GetContext(ctx, &r, q, c.PromotedID.Int64); err != nil {
		return nil, fmt.Errorf("promoted registration %d: %w", c.PromotedID.Int64, err)
	}
	return &Promotion{Registration: r.registration(), TelegramID: r.TelegramID, ChatID: r.ChatID, Language: r.Language}, nil
}
