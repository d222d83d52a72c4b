package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

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
	driveSlotsQuery = slotCounts + ` ORDER BY sl.starts_at`
	// driveWithSlotsQuery reads the drive once and its slots as arrays in
	// time order: a row per slot repeated the drive's columns, and turning
	// them to text, five timestamps each, was most of what the statement
	// cost once the counts were cheap.
	driveWithSlotsQuery = `SELECT ` + driveColumns + `, s.ids AS slot_ids, s.starts AS slot_starts,
		s.ends AS slot_ends, s.capacities AS slot_capacities, s.confirmed AS slot_confirmed,
		s.waitlisted AS slot_waitlisted
		FROM drives d CROSS JOIN (SELECT array_agg(sl.id ORDER BY sl.starts_at) AS ids,
			array_agg(sl.starts_at ORDER BY sl.starts_at) AS starts,
			array_agg(sl.ends_at ORDER BY sl.starts_at) AS ends,
			array_agg(sl.capacity ORDER BY sl.starts_at) AS capacities,
			array_agg(sl.confirmed ORDER BY sl.starts_at) AS confirmed,
			array_agg(sl.waitlisted ORDER BY sl.starts_at) AS waitlisted
			FROM (` + slotCounts + `) sl) s
		WHERE d.id = $1`
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
	var row struct {
		driveRow
		IDs        pq.Int64Array  `db:"slot_ids"`
		Starts     pq.StringArray `db:"slot_starts"`
		Ends       pq.StringArray `db:"slot_ends"`
		Capacities pq.Int64Array  `db:"slot_capacities"`
		Confirmed  pq.Int64Array  `db:"slot_confirmed"`
		Waitlisted pq.Int64Array  `db:"slot_waitlisted"`
	}
	wrap := func(err error) error { return fmt.Errorf("storage: drive %d with slots: %w", id, err) }
	if err := s.read(ctx).GetContext(ctx, &row, driveWithSlotsQuery, id); err != nil {
		return drive.Drive{}, nil, wrap(mapErr(err))
	}
	n := len(row.IDs)
	if len(row.Starts) != n || len(row.Ends) != n || len(row.Capacities) != n ||
		len(row.Confirmed) != n || len(row.Waitlisted) != n {
		return drive.Drive{}, nil, wrap(fmt.Errorf("slot arrays of unequal lengths"))
	}
	// The slots' times are read in the location lib/pq reads the drive's
	// start in (the session's time zone where it agrees with the offset),
	// so they equal what DriveSlots returns.
	loc := row.StartsAt.Location()
	slots := make([]drive.Slot, n)
	for i := range slots {
		start, err := pq.ParseTimestamp(loc, row.Starts[i])
		if err != nil {
			return drive.Drive{}, nil, wrap(err)
		}
		end, err := pq.ParseTimestamp(loc, row.Ends[i])
		if err != nil {
			return drive.Drive{}, nil, wrap(err)
		}
		slots[i] = drive.Slot{ID: row.IDs[i], DriveID: id, Start: start, End: end,
			Capacity: int(row.Capacities[i]), Confirmed: int(row.Confirmed[i]), Waitlisted: int(row.Waitlisted[i])}
	}
	return row.drive(), slots, nil
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
