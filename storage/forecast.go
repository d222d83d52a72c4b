package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"donorbot/mobilize"
)

// ShowHistory returns what the finished drives of a unit gave (unitID 0:
// the drives open to every donor), for the show-and-donate rate. A drive is
// finished when it was published (or closed) and ended at or before now,
// the injected clock's; a cancelled or draft drive never ran. Only drives
// with a registration count, so an empty drive does not pretend to be
// history. Registered and donated follow Progress.
func (s *Store) ShowHistory(ctx context.Context, unitID int64, now time.Time) (mobilize.History, error) {
	const q = `SELECT
			count(DISTINCT r.drive_id) FILTER (WHERE r.status NOT IN ('cancelled', 'waitlisted')) AS drives,
			count(r.id) FILTER (WHERE r.status NOT IN ('cancelled', 'waitlisted')) AS registered,
			count(n.id) AS donated
		FROM drives d
		JOIN registrations r ON r.drive_id = d.id
		LEFT JOIN donations n ON n.registration_id = r.id
		WHERE d.audience_unit_id IS NOT DISTINCT FROM $1 AND d.status IN ('published', 'closed') AND d.ends_at <= $2`
	var row struct {
		Drives     int `db:"drives"`
		Registered int `db:"registered"`
		Donated    int `db:"donated"`
	}
	unit := sql.NullInt64{Int64: unitID, Valid: unitID != 0}
	if err := s.q(ctx).GetContext(ctx, &row, q, unit, now); err != nil {
		return mobilize.History{}, fmt.Errorf("storage: show history of unit %d: %w", unitID, err)
	}
	return mobilize.History{Drives: row.Drives, Registered: row.Registered, Donated: row.Donated}, nil
}

// DriveForecast forecasts the drive from its registrations now and its
// unit's history before now, or before the drive started once it has: a
// drive under way or over is never part of its own history. It is computed
// at each call, so it follows registrations as they change.
func (s *Store) DriveForecast(ctx context.Context, driveID, audienceUnitID int64, now time.Time) (mobilize.Forecast, error) {
	p, err := s.DriveProgress(ctx, driveID)
	if err != nil {
		return mobilize.Forecast{}, err
	}
	before := now
	if p.Start.Before(now) {
		before = p.Start
	}
	h, err := s.ShowHistory(ctx, audienceUnitID, before)
	if err != nil {
		return mobilize.Forecast{}, err
	}
	return mobilize.NewForecast(p.Target, p.Registered, h), nil
}
