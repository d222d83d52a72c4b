package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Donation is one recorded donation.
type Donation struct {
	ID       int64     `db:"id"`
	On       time.Time `db:"donated_on"`
	Kind     string    `db:"kind"`
	VolumeML *int      `db:"volume_ml"`
	Source   string    `db:"source"`
}

// Deferral is a recorded deferral; a zero Until means its end is unknown.
type Deferral struct {
	Code      string    `db:"code"`
	Until     time.Time `db:"-"`
	Permanent bool      `db:"permanent"`
	Source    string    `db:"source"`
}

// AddDonation records a donation of the donor with the given Telegram id.
func (s *Store) AddDonation(ctx context.Context, telegramID int64, on time.Time, kind string, volumeML int, source string, recordedBy int64) error {
	const q = `INSERT INTO donations (donor_id, donated_on, kind, volume_ml, source, recorded_by)
		SELECT id, $2, $3, nullif($4, 0), $5, nullif($6::bigint, 0) FROM donors WHERE telegram_id = $1`
	res, err := s.q(ctx).ExecContext(ctx, q, telegramID, on.Format(time.DateOnly), kind, volumeML, source, recordedBy)
	if err != nil {
		return fmt.Errorf("storage: add donation of %d: %w", telegramID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: add donation of %d: %w", telegramID, ErrNotFound)
	}
	return nil
}

// LastDonation returns the donor's most recent donation, or ErrNotFound.
func (s *Store) LastDonation(ctx context.Context, telegramID int64) (Donation, error) {
	const q = `SELECT n.id, n.donated_on, n.kind, n.volume_ml, n.source
		FROM donations n JOIN donors d ON d.id = n.donor_id
		WHERE d.telegram_id = $1 ORDER BY n.donated_on DESC, n.id DESC LIMIT 1`
	var d Donation
	if err := s.read(ctx).GetContext(ctx, &d, q, telegramID); err != nil {
		return Donation{}, fmt.Errorf("storage: last donation of %d: %w", telegramID, mapErr(err))
	}
	d.On = calendarDate(d.On)
	return d, nil
}

// DonationCount returns how many donations the donor has on record. Screens
// show the count of history.Merge, which adds donations reported at
// screenings (handlers.donationCount).
func (s *Store) DonationCount(ctx context.Context, telegramID int64) (int, error) {
	const q = `SELECT count(*) FROM donations n JOIN donors d ON d.id = n.donor_id WHERE d.telegram_id = $1`
	var n int
	if err := s.read(ctx).GetContext(ctx, &n, q, telegramID); err != nil {
		return 0, fmt.Errorf("storage: donation count of %d: %w", telegramID, err)
	}
	return n, nil
}

// AddDeferral records a deferral; a zero until means an unknown end.
func (s *Store) AddDeferral(ctx context.Context, telegramID int64, code string, until time.Time, permanent bool, source string) error {
	const q = `INSERT INTO deferrals (donor_id, code, until, permanent, source)
		SELECT id, $2, $3, $4, $5 FROM donors WHERE telegram_id = $1`
	var u sql.NullString
	if !until.IsZero() {
		u = sql.NullString{String: until.Format(time.DateOnly), Valid: true}
	}
	res, err := s.q(ctx).ExecContext(ctx, q, telegramID, code, u, permanent, source)
	if err != nil {
		return fmt.Errorf("storage: add deferral of %d: %w", telegramID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: add deferral of %d: %w", telegramID, ErrNotFound)
	}
	return nil
}

// OpenDeferrals returns the donor's deferrals still running on day: those
// ending after it, of unknown end, or permanent.
func (s *Store) OpenDeferrals(ctx context.Context, telegramID int64, day time.Time) ([]Deferral, error) {
	const q = `SELECT f.code, f.until, f.permanent, f.source
		FROM deferrals f JOIN donors d ON d.id = f.donor_id
		WHERE d.telegram_id = $1 AND (f.permanent OR f.until IS NULL OR f.until > $2)
		ORDER BY f.id`
	rows, err := s.read(ctx).QueryxContext(ctx, q, telegramID, day.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("storage: deferrals of %d: %w", telegramID, err)
	}
	defer rows.Close()
	out := []Deferral{}
	for rows.Next() {
		var d Deferral
		var until sql.NullTime
		if err := rows.Scan(&d.Code, &until, &d.Permanent, &d.Source); err != nil {
			return nil, fmt.Errorf("storage: deferrals of %d: %w", telegramID, err)
		}
		if until.Valid {
			d.Until = calendarDate(until.Time)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: deferrals of %d: %w", telegramID, err)
	}
	return out, nil
}

// calendarDate keeps a DATE column's day at UTC midnight, the domain's
// convention for calendar dates, whatever zone the driver attached.
func calendarDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// AddDateReminder asks for a reminder of kind on day; asking twice is a no-op.
func (s *Store) AddDateReminder(ctx context.Context, telegramID int64, day time.Time, kind string) error {
	const q = `INSERT INTO date_reminders (donor_id, remind_on, kind)
		SELECT id, $2, $3 FROM donors WHERE telegram_id = $1 ON CONFLICT DO NOTHING`
	if _, err := s.q(ctx).ExecContext(ctx, q, telegramID, day.Format(time.DateOnly), kind); err != nil {
		return fmt.Errorf("storage: date reminder of %d: %w", telegramID, err)
	}
	return nil
}

// DateReminder is a reminder due to be sent.
type DateReminder struct {
	TelegramID int64     `db:"telegram_id"`
	ChatID     int64     `db:"chat_id"`
	Language   string    `db:"language"`
	Day        time.Time `db:"remind_on"`
	Kind       string    `db:"kind"`
}

// QueueDueDateReminders finds up to limit reminders due on or before
// today, renders each with render and queues it in the delivery queue, in
// one transaction that stamps it sent at now: rows locked by another process
// are skipped, so each is queued once however many processes call it, and a
// process that dies queues nothing. It returns how many it queued per kind
// (the broadcast kind is the reminder's, "eligible_again"). In quiet hours
// (quiet) only donors who turned theirs off get theirs.
func (s *Store) QueueDueDateReminders(ctx context.Context, today, now time.Time, quiet bool, limit int,
	render func(DateReminder) (ScheduledMessage, error)) (map[string]int, error) {
	const q = `
		WITH due AS (
			SELECT r.donor_id, r.remind_on, r.kind FROM date_reminders r
			JOIN donors d ON d.id = r.donor_id
			WHERE r.sent_at IS NULL AND r.remind_on <= $1 AND d.unreachable_at IS NULL
			  AND (NOT $4 OR NOT d.quiet_hours)
			ORDER BY r.remind_on LIMIT $2 FOR UPDATE OF r SKIP LOCKED)
		UPDATE date_reminders r SET sent_at = $3 FROM due, donors d
		WHERE r.donor_id = due.donor_id AND r.remind_on = due.remind_on AND r.kind = due.kind
			AND d.id = r.donor_id
		RETURNING d.telegram_id, d.chat_id, d.language, r.remind_on, r.kind`
	var queued map[string]int
	err := s.inTx(ctx, func(tx *dbTx) error {
		due := []DateReminder{}
		if err := tx.SelectContext(ctx, &due, q, today.Format(time.DateOnly), limit, now, quiet); err != nil {
			return fmt.Errorf("find due: %w", err)
		}
		for i := range due {
			due[i].Day = calendarDate(due[i].Day)
		}
		var err error
		queued, err = queueByKind(ctx, tx, due, func(r DateReminder) string { return r.Kind }, render)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: queue date reminders: %w", err)
	}
	return queued, nil
}
