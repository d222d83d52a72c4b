package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Availability is whether a donor is on call for urgent needs, apart from
// medical eligibility. A zero Until means no end date.
type Availability struct {
	OnCall      bool
	Until       time.Time
	UrgentOptIn bool
}

// OnCallOn reports whether the donor is on call on day.
func (a Availability) OnCallOn(day time.Time) bool {
	return a.OnCall && (a.Until.IsZero() || !a.Until.Before(day))
}

// Availability returns the donor's availability; a donor who never said is
// off call and not opted in.
func (s *Store) Availability(ctx context.Context, telegramID int64) (Availability, error) {
	const q = `SELECT coalesce(a.on_call, false), a.until, coalesce(a.urgent_opt_in, false)
		FROM donors d LEFT JOIN availability a ON a.donor_id = d.id WHERE d.telegram_id = $1`
	var a Availability
	var until sql.NullTime
	if err := s.q(ctx).QueryRowxContext(ctx, q, telegramID).Scan(&a.OnCall, &until, &a.UrgentOptIn); err != nil {
		return Availability{}, fmt.Errorf("storage: availability of %d: %w", telegramID, mapErr(err))
	}
	if until.Valid {
		a.Until = calendarDate(until.Time)
	}
	return a, nil
}

// SetOnCall records whether the donor is on call, until a day (zero: no
// end); going off call clears the day.
func (s *Store) SetOnCall(ctx context.Context, telegramID int64, onCall bool, until time.Time) error {
	const q = `INSERT INTO availability (donor_id, on_call, until)
		SELECT id, $2, $3 FROM donors WHERE telegram_id = $1
		ON CONFLICT (donor_id) DO UPDATE SET on_call = EXCLUDED.on_call, until = EXCLUDED.until, updated_at = now()`
	var u sql.NullString
	if onCall && !until.IsZero() {
		u = sql.NullString{String: until.Format(time.DateOnly), Valid: true}
	}
	return s.upsertAvailability(ctx, "on call", q, telegramID, onCall, u)
}

// SetUrgentOptIn records whether the donor accepts urgent alerts from clubs
// they are not a member of.
func (s *Store) SetUrgentOptIn(ctx context.Context, telegramID int64, optIn bool) error {
	const q = `INSERT INTO availability (donor_id, urgent_opt_in)
		SELECT id, $2 FROM donors WHERE telegram_id = $1
		ON CONFLICT (donor_id) DO UPDATE SET urgent_opt_in = EXCLUDED.urgent_opt_in, updated_at = now()`
	return s.upsertAvailability(ctx, "urgent opt-in", q, telegramID, optIn)
}

func (s *Store) upsertAvailability(ctx context.Context, what, q string, args ...any) error {
	res, err := s.q(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("storage: set %s of %v: %w", what, args[0], err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("storage: set %s of %v: %w", what, args[0], err)
	} else if n == 0 {
		return fmt.Errorf("storage: set %s of %v: %w", what, args[0], ErrNotFound)
	}
	return nil
}
