package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ConfirmAttendance records that the donor said "I'll be there" on a slot
// reminder, at now (the handlers' clock). Only a confirmed registration of
// the donor is changed; any other is ErrNotFound. Tapping again keeps the
// first moment.
func (s *Store) ConfirmAttendance(ctx context.Context, donorTelegramID, registrationID int64, now time.Time) error {
	const q = `UPDATE registrations r SET attendance_confirmed_at = coalesce(r.attendance_confirmed_at, $3),
			updated_at = now()
		FROM donors dn
		WHERE r.id = $1 AND dn.id = r.donor_id AND dn.telegram_id = $2 AND r.status = 'confirmed'`
	res, err := s.q(ctx).ExecContext(ctx, q, registrationID, donorTelegramID, now)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("storage: donor %d confirms attendance of registration %d: %w", donorTelegramID, registrationID, err)
	}
	return nil
}

// AttendanceConfirmedAt is when the donor said "I'll be there" for the
// registration; zero when they have not.
func (s *Store) AttendanceConfirmedAt(ctx context.Context, registrationID int64) (time.Time, error) {
	const q = `SELECT attendance_confirmed_at FROM registrations WHERE id = $1`
	var at sql.NullTime
	if err := s.q(ctx).GetContext(ctx, &at, q, registrationID); err != nil {
		return time.Time{}, fmt.Errorf("storage: attendance of registration %d: %w", registrationID, mapErr(err))
	}
	return at.Time, nil
}

// NextCalendarSequence returns the SEQUENCE of the next .ics file sent for
// the registration and records it as sent: 0 for the first file, one more
// than the last for any later one, so a calendar replaces the event it has.
func (s *Store) NextCalendarSequence(ctx context.Context, registrationID int64) (int, error) {
	const q = `UPDATE registrations SET calendar_sequence = coalesce(calendar_sequence + 1, 0)
		WHERE id = $1 RETURNING calendar_sequence`
	var seq int
	if err := s.q(ctx).GetContext(ctx, &seq, q, registrationID); err != nil {
		return 0, fmt.Errorf("storage: calendar sequence of registration %d: %w", registrationID, mapErr(err))
	}
	return seq, nil
}
