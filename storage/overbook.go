package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"donorbot/drive"
	"donorbot/mobilize"
)

// NoShowHistory returns the attendance of a unit's finished drives (unitID
// 0: the drives open to every donor) before now, for the no-show rate that
// overbooking learns: which drives count and which registrations hold a
// seat follow ShowHistory.
func (s *Store) NoShowHistory(ctx context.Context, unitID int64, now time.Time) (mobilize.Attendance, error) {
	const q = `SELECT
			count(r.id) FILTER (WHERE r.status NOT IN ('cancelled', 'waitlisted')) AS registered,
			count(r.id) FILTER (WHERE r.status = 'no_show') AS no_show
		FROM drives d JOIN registrations r ON r.drive_id = d.id
		WHERE d.audience_unit_id IS NOT DISTINCT FROM $1 AND d.status IN ('published', 'closed') AND d.ends_at <= $2`
	var row struct {
		Registered int `db:"registered"`
		NoShow     int `db:"no_show"`
	}
	unit := sql.NullInt64{Int64: unitID, Valid: unitID != 0}
	if err := s.q(ctx).GetContext(ctx, &row, q, unit, now); err != nil {
		return mobilize.Attendance{}, fmt.Errorf("storage: no-show history of unit %d: %w", unitID, err)
	}
	return mobilize.Attendance{Registered: row.Registered, NoShow: row.NoShow}, nil
}

// AddSeats raises the capacity of the drive's slots not started by now by
// n seats in all, spread by mobilize.SpreadSeats (where donors wait
// first), and confirms waitlisted donors into the new seats in waitlist
// order, in one transaction with the slots locked first as every writer
// does. The promotions are returned for the caller to tell each donor. A
// drive not published, or without a slot ahead, is ErrDriveNotOpen.
func (s *Store) AddSeats(ctx context.Context, driveID int64, n int, now time.Time) ([]Promotion, error) {
	wrap := func(err error) error { return fmt.Errorf("storage: add %d seats to drive %d: %w", n, driveID, err) }
	if n <= 0 {
		return nil, wrap(ErrDriveNotOpen)
	}
	var promoted []Promotion
	err := s.inTx(ctx, func(tx *dbTx) error {
		promoted = nil
		slots, err := lockSlots(ctx, tx, driveID)
		if err != nil {
			return err
		}
		d, err := lockDrive(ctx, tx, driveID)
		if err != nil {
			return err
		}
		const waitingQ = `SELECT count(*) FROM registrations WHERE slot_id = $1 AND status = 'waitlisted'`
		var ahead []int64
		var waiting []int
		for _, sl := range slots {
			if !sl.Start.After(now) {
				continue
			}
			var w int
			if err := tx.GetContext(ctx, &w, waitingQ, sl.ID); err != nil {
				return err
			}
			ahead, waiting = append(ahead, sl.ID), append(waiting, w)
		}
		if d.Status != drive.StatusPublished || len(ahead) == 0 {
			return ErrDriveNotOpen
		}
		const grow = `UPDATE drive_slots SET capacity = capacity + $2 WHERE id = $1`
		for i, add := range mobilize.SpreadSeats(n, waiting) {
			if add == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, grow, ahead[i], add); err != nil {
				return err
			}
			for range add {
				p, err := promote(ctx, tx, ahead[i], now)
				if err != nil {
					return err
				}
				if p == nil {
					break
				}
				promoted = append(promoted, *p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	return promoted, nil
}

// AddSlot appends a slot to the published drive right after its last
// one, of the same length and seats, and moves the drive's end to it, with
// the slots locked first as every writer does. /editdrive rebuilds the
// slots only while a drive has no registration; this adds one without
// touching those taken. A slot that would end after latest (the end of
// the drive's day) is ErrDriveNotOpen, as is a drive not published.
func (s *Store) AddSlot(ctx context.Context, driveID int64, now, latest time.Time) (drive.Slot, error) {
	var added drive.Slot
	err := s.inTx(ctx, func(tx *dbTx) error {
		slots, err := lockSlots(ctx, tx, driveID)
		if err != nil {
			return err
		}
		d, err := lockDrive(ctx, tx, driveID)
		if err != nil {
			return err
		}
		if d.Status != drive.StatusPublished || len(slots) == 0 {
			return ErrDriveNotOpen
		}
		last := slots[0]
		for _, sl := range slots[1:] {
			if sl.End.After(last.End) {
				last = sl
			}
		}
		next := drive.Slot{Start: last.End, End: last.End.Add(last.End.Sub(last.Start)), Capacity: last.Capacity}
		if next.End.After(latest) || !next.Start.After(now) {
			return ErrDriveNotOpen
		}
		const extend = `UPDATE drives SET ends_at = $2, updated_at = $3 WHERE id = $1 AND ends_at < $2`
		if _, err := tx.ExecContext(ctx, extend, driveID, next.End, now); err != nil {
			return err
		}
		created, err := insertSlots(ctx, tx, driveID, []drive.Slot{next})
		if err != nil {
			return err
		}
		added = created[0]
		return nil
	})
	if err != nil {
		return drive.Slot{}, fmt.Errorf("storage: add a slot to drive %d: %w", driveID, err)
	}
	return added, nil
}
