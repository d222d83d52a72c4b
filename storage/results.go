package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"donorbot/drive"
)

// ErrResultRecorded is a second result (donation or on-site deferral) for a
// registration: one was recorded already.
var ErrResultRecorded = errors.New("storage: the registration already has a result")

// ErrNotCheckedIn is a result for a registration whose donor was never
// checked in: a result button can be forged, an arrival cannot.
var ErrNotCheckedIn = errors.New("storage: the donor was not checked in")

// Arrival is a registration as the check-in desk sees it: who, which slot,
// what screening allowed.
type Arrival struct {
	RegistrationID  int64          `db:"registration_id"`
	DriveID         int64          `db:"drive_id"`
	SlotStart       time.Time      `db:"slot_start"`
	SlotEnd         time.Time      `db:"slot_end"`
	Status          string         `db:"status"`
	CheckedInAt     sql.NullTime   `db:"checked_in_at"`
	Screened        bool           `db:"screened"`
	AllowedVolumeML sql.NullInt64  `db:"allowed_volume_ml"`
	TelegramID      int64          `db:"telegram_id"`
	ChatID          int64          `db:"chat_id"`
	Language        string         `db:"language"`
	FullName        sql.NullString `db:"full_name"`
	Phone           sql.NullString `db:"phone"`
	BloodGroup      sql.NullString `db:"blood_group"`
}

const arrivalColumns = `r.id AS registration_id, r.drive_id, sl.starts_at AS slot_start, sl.ends_at AS slot_end,
	r.status, r.checked_in_at, r.screening_answers IS NOT NULL AS screened, r.allowed_volume_ml,
	dn.telegram_id, dn.chat_id, dn.language, dn.full_name, dn.phone, dn.blood_group`

// ArrivalQuery finds registrations of a drive at the check-in desk: by the
// donor's Telegram id (from a check-in code), phone (E.164) or part of the
// name, whichever is set.
type ArrivalQuery struct {
	TelegramID int64
	Phone      string
	Name       string
}

// FindArrivals lists the drive's registrations, cancelled ones aside, that
// match q: 10 at most, live ones first.
func (s *Store) FindArrivals(ctx context.Context, driveID int64, q ArrivalQuery) ([]Arrival, error) {
	const find = `SELECT ` + arrivalColumns + `
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id JOIN drive_slots sl ON sl.id = r.slot_id
		WHERE r.drive_id = $1 AND r.status <> 'cancelled'
		  AND ($2::bigint <> 0 AND dn.telegram_id = $2
		    OR $3 <> '' AND dn.phone = $3
		    OR $4 <> '' AND lower(dn.full_name) LIKE '%' || lower($4) || '%')
		ORDER BY r.status NOT IN ('confirmed', 'waitlisted'), dn.full_name, r.id
		LIMIT 10`
	name := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.TrimSpace(q.Name))
	out := []Arrival{}
	if err := s.q(ctx).SelectContext(ctx, &out, find, driveID, q.TelegramID, q.Phone, name); err != nil {
		return nil, fmt.Errorf("storage: find arrivals in drive %d: %w", driveID, err)
	}
	return out, nil
}

// Arrival returns one registration as the check-in desk sees it.
func (s *Store) Arrival(ctx context.Context, registrationID int64) (Arrival, error) {
	const q = `SELECT ` + arrivalColumns + `
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id JOIN drive_slots sl ON sl.id = r.slot_id
		WHERE r.id = $1`
	var a Arrival
	if err := s.q(ctx).GetContext(ctx, &a, q, registrationID); err != nil {
		return Arrival{}, fmt.Errorf("storage: arrival %d: %w", registrationID, mapErr(err))
	}
	return a, nil
}

// CheckIn stamps the arrival at time at of a live registration (confirmed,
// or waitlisted and let in on the day) of the drive; stamping twice keeps
// the first time. A registration with a result, or cancelled, is
// ErrNotLive. Whether the desk is open is the caller's rule
// (drive.CheckinOpen).
func (s *Store) CheckIn(ctx context.Context, driveID, registrationID, by int64, at time.Time) error {
	const q = `UPDATE registrations SET checked_in_at = coalesce(checked_in_at, $4),
			checked_in_by = coalesce(checked_in_by, $3), updated_at = now()
		WHERE id = $2 AND drive_id = $1 AND status IN ('confirmed', 'waitlisted')`
	res, err := s.q(ctx).ExecContext(ctx, q, driveID, registrationID, by, at)
	if err != nil {
		return fmt.Errorf("storage: check in registration %d: %w", registrationID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("storage: check in registration %d: %w", registrationID, err)
	} else if n == 0 {
		return fmt.Errorf("storage: check in registration %d: %w", registrationID, ErrNotLive)
	}
	return nil
}

// DonationInput is a donation to record: at a drive (RegistrationID set,
// which names the donor) or for an urgent need (TelegramID).
type DonationInput struct {
	RegistrationID int64
	TelegramID     int64
	On             time.Time // calendar date
	Kind           string    // screening.DonationKind
	VolumeML       int
	Source         string // "drive", "urgent"
	RecordedBy     int64
}

// Recipient of the thank-you for a recorded result. The thank-you counts
// the donor's donations as every screen does (handlers' donationCount).
type RecordedResult struct {
	TelegramID int64
	ChatID     int64
	Language   string
}

// RecordDonation records a donation in one transaction: with a
// registration, that registration (locked, checked in and still live: else
// ErrNotCheckedIn, ErrResultRecorded or ErrNotLive) becomes attended, and the
// later thank-you of the reminder loop is marked sent, since the caller
// thanks the donor at once. It returns whom to thank.
func (s *Store) RecordDonation(ctx context.Context, in DonationInput) (RecordedResult, error) {
	const insert = `INSERT INTO donations (donor_id, donated_on, kind, volume_ml, source, recorded_by, registration_id)
		SELECT id, $2, $3, nullif($4, 0), $5, nullif($6::bigint, 0), nullif($7, 0) FROM donors WHERE telegram_id = $1`
	const attended = `UPDATE registrations SET status = 'attended', updated_at = now() WHERE id = $1`
	const thanked = `INSERT INTO reminders_sent (registration_id, kind, sent_at)
		VALUES ($1, '` + drive.KindThanks + `', now()) ON CONFLICT DO NOTHING`
	var out RecordedResult
	err := s.inTx(ctx, func(tx *dbTx) error {
		telegramID := in.TelegramID
		if in.RegistrationID != 0 {
			r, err := lockResult(ctx, tx, in.RegistrationID)
			if err != nil {
				return err
			}
			telegramID = r.TelegramID
			if _, err := tx.ExecContext(ctx, attended, in.RegistrationID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, thanked, in.RegistrationID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, insert, telegramID, in.On.Format(time.DateOnly), in.Kind, in.VolumeML,
			in.Source, in.RecordedBy, in.RegistrationID)
		if err != nil {
			if errors.Is(mapErr(err), ErrDuplicate) {
				return ErrResultRecorded
			}
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return recipient(ctx, tx, telegramID, &out)
	})
	if err != nil {
		return RecordedResult{}, fmt.Errorf("storage: record donation (registration %d, donor %d): %w",
			in.RegistrationID, in.TelegramID, err)
	}
	return out, nil
}

// RecordOnSiteDeferral records that medical staff deferred the donor of a
// live, checked-in registration on the day: the registration becomes
// deferred, and a deferral until the given day (zero: unknown end) is stored with
// the staff's reason, so eligibility answers take it into account. A reason
// that is a preset code (drive.DeferralReasons) is stored as that code, any
// other as typed.
func (s *Store) RecordOnSiteDeferral(ctx context.Context, registrationID int64, reason string, until time.Time) (RecordedResult, error) {
	const deferred = `UPDATE registrations SET status = 'deferred', updated_at = now() WHERE id = $1`
	const insert = `INSERT INTO deferrals (donor_id, code, until, source, note, reason_code, registration_id)
		SELECT donor_id, 'on_site', $2, 'on_site', $3, $4, id FROM registrations WHERE id = $1`
	var out RecordedResult
	err := s.inTx(ctx, func(tx *dbTx) error {
		r, err := lockResult(ctx, tx, registrationID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, deferred, registrationID); err != nil {
			return err
		}
		var u sql.NullString
		if !until.IsZero() {
			u = sql.NullString{String: until.Format(time.DateOnly), Valid: true}
		}
		note, code := deferralReason(reason)
		if _, err := tx.ExecContext(ctx, insert, registrationID, u, note, code); err != nil {
			if errors.Is(mapErr(err), ErrDuplicate) {
				return ErrResultRecorded
			}
			return err
		}
		return recipient(ctx, tx, r.TelegramID, &out)
	})
	if err != nil {
		return RecordedResult{}, fmt.Errorf("storage: record on-site deferral of registration %d: %w", registrationID, err)
	}
	return out, nil
}

// deferralReason splits an on-site deferral's reason into the columns it is
// stored in: a preset code in reason_code, typed text in note.
func deferralReason(reason string) (note, code sql.NullString) {
	if drive.IsDeferralReason(reason) {
		return sql.NullString{}, sql.NullString{String: reason, Valid: true}
	}
	return sql.NullString{String: reason, Valid: true}, sql.NullString{}
}

// lockedResult is a registration locked to record or correct its result.
type lockedResult struct {
	Status     string `db:"status"`
	TelegramID int64  `db:"telegram_id"`
	DriveID    int64  `db:"drive_id"`
	CheckedIn  bool   `db:"checked_in"`
}

func lockForResult(ctx context.Context, tx *dbTx, registrationID int64) (lockedResult, error) {
	const q = `SELECT r.status, dn.telegram_id, r.drive_id, r.checked_in_at IS NOT NULL AS checked_in
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE r.id = $1 FOR UPDATE OF r`
	var r lockedResult
	if err := tx.GetContext(ctx, &r, q, registrationID); err != nil {
		return r, fmt.Errorf("registration %d: %w", registrationID, mapErr(err))
	}
	return r, nil
}

// lockResult locks a registration about to get its result and checks it
// has none yet and its donor was checked in.
func lockResult(ctx context.Context, tx *dbTx, registrationID int64) (lockedResult, error) {
	r, err := lockForResult(ctx, tx, registrationID)
	if err != nil {
		return r, err
	}
	switch drive.RegStatus(r.Status) {
	case drive.RegAttended, drive.RegDeferred:
		return r, ErrResultRecorded
	case drive.RegConfirmed, drive.RegWaitlisted:
		if !r.CheckedIn {
			return r, ErrNotCheckedIn
		}
		return r, nil
	}
	return r, fmt.Errorf("%w: %s", ErrNotLive, r.Status)
}

func recipient(ctx context.Context, tx *dbTx, telegramID int64, out *RecordedResult) error {
	const q = `SELECT d.telegram_id, d.chat_id, d.language FROM donors d WHERE d.telegram_id = $1`
	return tx.QueryRowxContext(ctx, q, telegramID).Scan(&out.TelegramID, &out.ChatID, &out.Language)
}

// NoShow is a registration marked no-show after its drive, with whom to tell.
type NoShow struct {
	ChatID    int64     `db:"chat_id"`
	Language  string    `db:"language"`
	Title     string    `db:"title"`
	DriveDay  time.Time `db:"starts_at"`
	Recent    bool      `db:"recent"`
	DriveID   int64     `db:"drive_id"`
	DonorTgID int64     `db:"telegram_id"`
}

// MarkNoShows turns the confirmed registrations of drives ended by now whose
// donor never checked in into no-shows, and returns them; Recent marks those
// of drives ended within drive.ThanksWindow, worth a message. Those messages,
// rendered by notice (if not nil), are queued in the delivery queue in the
// same transaction, as "no_show_notice". In quiet hours (quiet) only donors
// who turned theirs off are marked.
func (s *Store) MarkNoShows(ctx context.Context, now time.Time, quiet bool, notice func(NoShow) (ScheduledMessage, error)) ([]NoShow, error) {
	// SKIP LOCKED: every process's reminder loop runs this; rows another
	// one is marking are left to it rather than waited for.
	const q = `WITH due AS (
			SELECT r.id FROM registrations r JOIN drives d ON d.id = r.drive_id
			JOIN donors dq ON dq.id = r.donor_id
			WHERE d.ends_at <= $1 AND d.status IN ('published', 'closed')
			  AND r.status = 'confirmed' AND r.checked_in_at IS NULL
			  AND (NOT $3 OR NOT dq.quiet_hours)
			FOR UPDATE OF r SKIP LOCKED)
		UPDATE registrations r SET status = 'no_show', updated_at = now()
		FROM due, drives d, donors dn
		WHERE r.id = due.id AND d.id = r.drive_id AND dn.id = r.donor_id
		RETURNING dn.chat_id, dn.language, d.title, d.starts_at, d.id AS drive_id, dn.telegram_id,
			d.ends_at > $1 - $2 * interval '1 second' AS recent`
	out := []NoShow{}
	err := s.inTx(ctx, func(tx *dbTx) error {
		out = out[:0]
		if err := tx.SelectContext(ctx, &out, q, now, int64(drive.ThanksWindow/time.Second), quiet); err != nil {
			return err
		}
		var recent []NoShow
		for _, n := range out {
			if n.Recent && notice != nil {
				recent = append(recent, n)
			}
		}
		_, err := queueByKind(ctx, tx, recent, func(NoShow) string { return "no_show_notice" }, notice)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: mark no-shows: %w", err)
	}
	return out, nil
}
