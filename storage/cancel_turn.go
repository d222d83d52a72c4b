package storage

import (
	"context"
	"database/sql"
	"errors"
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

// CancelMine is Cancel for the donor's cancel turn: the same statement
// returns what the turn shows, the registration as it was before the
// cancel with its drive and slot, read under the locks, and counts the
// calendar file's update (one more than the last SEQUENCE sent, see
// NextCalendarSequence). A registration of another donor is ErrNotFound,
// one that is not live ErrNotLive.
func (s *Store) CancelMine(ctx context.Context, donorTelegramID, registrationID int64, now time.Time) (Cancellation, error) {
	// The function's rows come as composites, expanded under the names
	// myRegColumns reads (its waitlist place is the function's).
	const q = `SELECT f.seq, f.promoted_id, f.position AS was_position, ` + myRegColumns + `
		FROM cancel_registration($1, $2, $3) f
		CROSS JOIN LATERAL (SELECT (f.reg).*) r
		CROSS JOIN LATERAL (SELECT (f.slot).*) sl
		CROSS JOIN LATERAL (SELECT (f.drv).*) d`
	var c Cancellation
	err := s.inFlatTx(ctx, func(tx *dbTx) error {
		c = Cancellation{}
		var row struct {
			cancelled
			myRegRow
		}
		if err := tx.GetContext(ctx, &row, q, registrationID, donorTelegramID, now); errors.Is(err, sql.ErrNoRows) {
			return whyNotCancelled(ctx, tx, registrationID, donorTelegramID)
		} else if err != nil {
			return fmt.Errorf("registration %d: %w", registrationID, err)
		}
		row.RegPosition = row.WasPosition
		c.Registration = row.myRegistration()
		c.Calendar, c.Sequence = row.Seq.Valid, int(row.Seq.Int64)
		var err error
		c.Promoted, err = row.promotion(ctx, tx)
		return err
	})
	if err != nil {
		return Cancellation{}, fmt.Errorf("storage: donor %d cancel registration %d: %w", donorTelegramID, registrationID, err)
	}
	return c, nil
}

// cancelled is what cancel_registration (migration 00034) returns besides
// the registration, slot and drive.
type cancelled struct {
	Seq         sql.NullInt64 `db:"seq"`
	PromotedID  sql.NullInt64 `db:"promoted_id"`
	WasPosition int           `db:"was_position"`
}

// cancelRegistration cancels a live registration and promotes the first
// of its slot's waitlist into a seat it freed, in one round trip: the slot
// and registration locks are taken and the seats counted inside the
// server. With ownerTelegramID != 0 a registration of another donor is
// ErrNotFound.
func cancelRegistration(ctx context.Context, tx *dbTx, id, ownerTelegramID int64, now time.Time) (cancelled, error) {
	const q = `SELECT seq, promoted_id, position AS was_position FROM cancel_registration($1, $2, $3)`
	var c cancelled
	if err := tx.GetContext(ctx, &c, q, id, ownerTelegramID, now); errors.Is(err, sql.ErrNoRows) {
		return cancelled{}, whyNotCancelled(ctx, tx, id, ownerTelegramID)
	} else if err != nil {
		return cancelled{}, fmt.Errorf("registration %d: %w", id, err)
	}
	return c, nil
}

// whyNotCancelled tells why cancel_registration cancelled nothing: the
// registration is not found (or another owner's), not live, or it kept
// moving between slots (errMoved: the caller starts over). A stale button
// is the usual case, so this costs a round trip only then.
func whyNotCancelled(ctx context.Context, tx *dbTx, id, ownerTelegramID int64) error {
	const q = `SELECT r.status FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE r.id = $1 AND ($2::bigint = 0 OR dn.telegram_id = $2)`
	var status drive.RegStatus
	if err := tx.GetContext(ctx, &status, q, id, ownerTelegramID); err != nil {
		return fmt.Errorf("registration %d: %w", id, mapErr(err))
	}
	if !status.Live() {
		return fmt.Errorf("%w: %s", ErrNotLive, status)
	}
	return errMoved
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
