package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"donorbot/drive"
)

// The drive screens a donor walks through (a drive's card, a slot tapped,
// a registration confirmed) each read what they show in one statement:
// a statement costs more PostgreSQL time than the rows it joins.

// liveBySlot counts the confirmed and waitlisted registrations of the
// drive whose id is driveID (a parameter or a column), one row per slot that
// has any. It reads only the partial index of live registrations
// (registrations_live_slot_idx), in slot order: counting slot by slot cost
// two index descents per slot, and joining every registration of a drive
// read its cancelled and past ones too.
func liveBySlot(driveID string) string {
	return `(SELECT r.slot_id, count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
		count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted
		FROM registrations r WHERE r.drive_id = ` + driveID + ` AND r.status IN ('confirmed', 'waitlisted')
		GROUP BY r.slot_id)`
}

var (
	// slotCounts lists drive $1's slots with their counts (DriveSlots).
	slotCounts = `SELECT sl.id, sl.drive_id, sl.starts_at, sl.ends_at, sl.capacity,
		coalesce(c.confirmed, 0) AS confirmed, coalesce(c.waitlisted, 0) AS waitlisted
		FROM drive_slots sl LEFT JOIN ` + liveBySlot("$1") + ` c ON c.slot_id = sl.id
		WHERE sl.drive_id = $1`
	driveSlotsQuery     = slotCounts + ` ORDER BY sl.starts_at`
	driveWithSlotsQuery = `SELECT ` + driveColumns + `,
		sl.id AS slot_id, sl.starts_at AS slot_starts_at, sl.ends_at AS slot_ends_at,
		sl.capacity AS slot_capacity, coalesce(sl.confirmed, 0) AS confirmed,
		coalesce(sl.waitlisted, 0) AS waitlisted
		FROM drives d LEFT JOIN (` + slotCounts + `) sl ON true
		WHERE d.id = $1 ORDER BY sl.starts_at`
	registrationWithSeatsQuery = `SELECT ` + myRegColumns + `,
		(SELECT coalesce(sum(greatest(s.capacity - coalesce(c.confirmed, 0), 0)), 0)
			FROM drive_slots s LEFT JOIN ` + liveBySlot("r.drive_id") + ` c ON c.slot_id = s.id
			WHERE s.drive_id = r.drive_id AND s.starts_at > $3) AS seats_left
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		JOIN drive_slots sl ON sl.id = r.slot_id JOIN drives d ON d.id = r.drive_id
		WHERE r.id = $1 AND dn.telegram_id = $2`
)

// DriveWithSlots returns the drive with its slots in time order and their
// confirmed and waitlisted counts, as Drive and DriveSlots would.
func (s *Store) DriveWithSlots(ctx context.Context, id int64) (drive.Drive, []drive.Slot, error) {
	rows := []struct {
		driveRow
		SlotID       sql.NullInt64 `db:"slot_id"`
		SlotStartsAt sql.NullTime  `db:"slot_starts_at"`
		SlotEndsAt   sql.NullTime  `db:"slot_ends_at"`
		SlotCapacity sql.NullInt64 `db:"slot_capacity"`
		Confirmed    int           `db:"confirmed"`
		Waitlisted   int           `db:"waitlisted"`
	}{}
	if err := s.read(ctx).SelectContext(ctx, &rows, driveWithSlotsQuery, id); err != nil {
		return drive.Drive{}, nil, fmt.Errorf("storage: drive %d with slots: %w", id, err)
	}
	if len(rows) == 0 {
		return drive.Drive{}, nil, fmt.Errorf("storage: drive %d with slots: %w", id, ErrNotFound)
	}
	slots := make([]drive.Slot, 0, len(rows))
	for _, r := range rows {
		if r.SlotID.Valid {
			slots = append(slots, drive.Slot{ID: r.SlotID.Int64, DriveID: id, Start: r.SlotStartsAt.Time,
				End: r.SlotEndsAt.Time, Capacity: int(r.SlotCapacity.Int64),
				Confirmed: r.Confirmed, Waitlisted: r.Waitlisted})
		}
	}
	return rows[0].drive(), slots, nil
}

// RegistrationWithSeats is Registration with the seats left in its drive's
// slots that start after now, as a confirmation shows them.
func (s *Store) RegistrationWithSeats(ctx context.Context, donorTelegramID, registrationID int64, now time.Time) (MyRegistration, int, error) {
	var r struct {
		myRegRow
		SeatsLeft int `db:"seats_left"`
	}
	if err := s.read(ctx).GetContext(ctx, &r, registrationWithSeatsQuery, registrationID, donorTelegramID, now); err != nil {
		return MyRegistration{}, 0, fmt.Errorf("storage: registration %d of donor %d with seats: %w",
			registrationID, donorTelegramID, mapErr(err))
	}
	return r.myRegistration(), r.SeatsLeft, nil
}
