package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/drive"
	"donorbot/mobilize"
)

// Autofill is a drive's auto-fill setting (issue 21): On, whether the bot
// invites donors in waves when its forecast falls short; Paused, the
// organizer's pause; Checkpoints, the days before the drive it looks.
type Autofill struct {
	On          bool
	Paused      bool
	Checkpoints []int
}

// Active says whether the scheduler runs waves for the drive.
func (a Autofill) Active() bool { return a.On && !a.Paused }

// Outcomes of a wave that invited nobody, stored in invitation_waves.outcome.
const (
	WaveInvited      = ""              // someone was invited
	WaveNoGap        = "no_gap"        // the forecast reached the target
	WaveFull         = "full"          // no free seat: the waitlist goes first
	WaveNoCandidates = "no_candidates" // nobody left to invite
)

// Wave is one checkpoint a scheduler judged, a row of the wave log.
type Wave struct {
	ID           int64     `db:"id"`
	DriveID      int64     `db:"drive_id"`
	Checkpoint   int       `db:"checkpoint"`
	StartedAt    time.Time `db:"started_at"`
	Target       int       `db:"target"`
	Registered   int       `db:"registered"`
	Expected     int       `db:"expected"`
	Gap          int       `db:"gap"`
	ResponseRate float64   `db:"response_rate"`
	Candidates   int       `db:"candidates"`
	Planned      int       `db:"planned"`
	Invited      int       `db:"invited"`
	SkippedCap   int       `db:"skipped_cap"`
	Outcome      string    `db:"outcome"`
}

// ErrBadCheckpoints is returned for checkpoints mobilize.ValidCheckpoints refuses.
var ErrBadCheckpoints = errors.New("storage: invalid invitation checkpoints")

// Invitation is one invitee of a wave and their message.
type Invitation struct {
	TelegramID int64
	Message    ScheduledMessage
}

// AutofillOf reads the drive's auto-fill setting.
func (s *Store) AutofillOf(ctx context.Context, driveID int64) (Autofill, error) {
	const q = `SELECT autofill, autofill_paused, invite_checkpoints FROM drives WHERE id = $1`
	var a Autofill
	var cps pq.Int64Array
	if err := s.q(ctx).QueryRowxContext(ctx, q, driveID).Scan(&a.On, &a.Paused, &cps); err != nil {
		return Autofill{}, fmt.Errorf("storage: autofill of drive %d: %w", driveID, mapErr(err))
	}
	a.Checkpoints = ints(cps)
	return a, nil
}

// SetAutofill stores the drive's auto-fill setting; its checkpoints must
// be mobilize.ValidCheckpoints.
func (s *Store) SetAutofill(ctx context.Context, driveID int64, a Autofill, now time.Time) error {
	if !mobilize.ValidCheckpoints(a.Checkpoints) {
		return fmt.Errorf("storage: autofill of drive %d: checkpoints %v: %w", driveID, a.Checkpoints, ErrBadCheckpoints)
	}
	const q = `UPDATE drives SET autofill = $2, autofill_paused = $3, invite_checkpoints = $4, updated_at = $5
		WHERE id = $1`
	res, err := s.q(ctx).ExecContext(ctx, q, driveID, a.On, a.Paused, pq.Array(a.Checkpoints), now)
	if err != nil {
		return fmt.Errorf("storage: set autofill of drive %d: %w", driveID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: set autofill of drive %d: %w", driveID, ErrNotFound)
	}
	return nil
}

// AutofillDrive is a drive auto-fill looks after, with its setting and the
// checkpoints whose waves ran.
type AutofillDrive struct {
	Drive    drive.Drive
	Autofill Autofill
	Done     []int
}

// AutofillDrives lists the published drives starting after now whose
// auto-fill is on and not paused, the soonest first, at most limit.
func (s *Store) AutofillDrives(ctx context.Context, now time.Time, limit int) ([]AutofillDrive, error) {
	return s.autofillDrives(ctx, "", now, limit)
}

// DueAutofillDrives is AutofillDrives narrowed to the drives whose latest
// checkpoint reached on the calendar in Vietnam (mobilize.DueCheckpoint,
// which decides) has no wave yet. The scheduler lists these: among all
// auto-fill drives, the soonest limit may all have run their waves and
// hide the later ones whose checkpoint is due.
func (s *Store) DueAutofillDrives(ctx context.Context, now time.Time, limit int) ([]AutofillDrive, error) {
	const due = `AND EXISTS (SELECT 1 FROM (SELECT min(k) AS k FROM unnest(d.invite_checkpoints) AS k
			WHERE k >= (d.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - ($1::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) c
		WHERE c.k IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM invitation_waves w WHERE w.drive_id = d.id AND w.checkpoint = c.k))`
	return s.autofillDrives(ctx, due, now, limit)
}

func (s *Store) autofillDrives(ctx context.Context, where string, now time.Time, limit int) ([]AutofillDrive, error) {
	q := `SELECT ` + driveColumns + `, d.autofill, d.autofill_paused, d.invite_checkpoints,
			ARRAY(SELECT w.checkpoint FROM invitation_waves w WHERE w.drive_id = d.id ORDER BY 1) AS done
		FROM drives d
		WHERE d.status = 'published' AND d.autofill AND NOT d.autofill_paused AND d.starts_at > $1 ` + where + `
		ORDER BY d.starts_at, d.id LIMIT $2`
	rows, err := s.q(ctx).QueryxContext(ctx, q, now, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: autofill drives: %w", err)
	}
	defer rows.Close()
	var out []AutofillDrive
	for rows.Next() {
		var r struct {
			driveRow
			On          bool          `db:"autofill"`
			Paused      bool          `db:"autofill_paused"`
			Checkpoints pq.Int64Array `db:"invite_checkpoints"`
			Done        pq.Int64Array `db:"done"`
		}
		if err := rows.StructScan(&r); err != nil {
			return nil, fmt.Errorf("storage: autofill drives: %w", err)
		}
		out = append(out, AutofillDrive{Drive: r.drive(),
			Autofill: Autofill{On: r.On, Paused: r.Paused, Checkpoints: ints(r.Checkpoints)}, Done: ints(r.Done)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: autofill drives: %w", err)
	}
	return out, nil
}

// StartWave records w, the wave of w.DriveID at w.Checkpoint, and queues
// the invitations, in one transaction. It reports false, and does nothing,
// if that checkpoint's wave ran already (several schedulers), or the drive
// is no longer published, started by now, or its auto-fill is off or
// paused. Invitees who opted out, registered or were invited to the drive
// meanwhile are left out; those at the contact cap (capContacts, limit)
// are skipped and counted in SkippedCap. The stored wave is returned.
func (s *Store) StartWave(ctx context.Context, w Wave, now time.Time, limit int, invs []Invitation) (Wave, bool, error) {
	const claim = `INSERT INTO invitation_waves (drive_id, checkpoint, started_at, target, registered, expected,
			gap, response_rate, candidates, planned, invited, skipped_cap, outcome)
		VALUES (:drive_id, :checkpoint, :started_at, :target, :registered, :expected, :gap, :response_rate,
			:candidates, :planned, 0, 0, :outcome)
		ON CONFLICT (drive_id, checkpoint) DO NOTHING RETURNING id`
	const still = `SELECT dn.id, dn.telegram_id FROM donors dn
		WHERE dn.telegram_id = ANY($2) AND dn.invitations AND dn.onboarded_at IS NOT NULL AND dn.unreachable_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM registrations g WHERE g.donor_id = dn.id AND g.drive_id = $1
				AND g.status IN ('confirmed', 'waitlisted'))
		  AND NOT EXISTS (SELECT 1 FROM drive_invitations i WHERE i.donor_id = dn.id AND i.drive_id = $1)`
	const record = `INSERT INTO drive_invitations (drive_id, donor_id, wave_id, sent_at)
		SELECT $1, unnest($2::bigint[]), $3, $4`
	const counts = `UPDATE invitation_waves SET invited = $2, skipped_cap = $3 WHERE id = $1`
	var started bool
	err := s.inTx(ctx, func(tx *dbTx) error {
		started = false
		if _, err := lockSlots(ctx, tx, w.DriveID); err != nil {
			return err
		}
		d, err := lockDrive(ctx, tx, w.DriveID)
		if err != nil {
			return err
		}
		var a Autofill
		var cps pq.Int64Array
		if err := tx.QueryRowxContext(ctx, `SELECT autofill, autofill_paused, invite_checkpoints FROM drives WHERE id = $1`,
			w.DriveID).Scan(&a.On, &a.Paused, &cps); err != nil {
			return fmt.Errorf("autofill: %w", err)
		}
		if d.Status != drive.StatusPublished || !d.Start.After(now) || !a.Active() {
			return nil
		}
		w.StartedAt = now
		q, args, err := tx.BindNamed(claim, w)
		if err != nil {
			return fmt.Errorf("bind wave: %w", err)
		}
		err = tx.GetContext(ctx, &w.ID, q, args...)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("claim wave: %w", err)
		}
		started = true
		w.Invited, w.SkippedCap = 0, 0
		if len(invs) == 0 {
			return nil
		}
		ids := make([]int64, len(invs))
		for i, inv := range invs {
			ids[i] = inv.TelegramID
		}
		var open []struct {
			ID         int64 `db:"id"`
			TelegramID int64 `db:"telegram_id"`
		}
		if err := tx.SelectContext(ctx, &open, still, w.DriveID, pq.Array(ids)); err != nil {
			return fmt.Errorf("invitees still open: %w", err)
		}
		donorOf := make(map[int64]int64, len(open))
		for _, o := range open {
			donorOf[o.TelegramID] = o.ID
		}
		var msgs []ScheduledMessage
		for _, inv := range invs {
			if _, ok := donorOf[inv.TelegramID]; ok {
				msgs = append(msgs, inv.Message)
			}
		}
		kept, skipped, err := capContacts(ctx, tx, "invitation", now, limit, msgs)
		if err != nil {
			return err
		}
		invited := make([]int64, 0, len(kept))
		for _, m := range kept {
			invited = append(invited, donorOf[m.ChatID])
		}
		if _, err := tx.ExecContext(ctx, record, w.DriveID, pq.Array(invited), w.ID, now); err != nil {
			return fmt.Errorf("record invitations: %w", err)
		}
		w.Invited, w.SkippedCap = len(kept), skipped
		if _, err := tx.ExecContext(ctx, counts, w.ID, w.Invited, w.SkippedCap); err != nil {
			return fmt.Errorf("wave counts: %w", err)
		}
		return queueScheduled(ctx, tx, "invitation", kept)
	})
	if err != nil {
		return Wave{}, false, fmt.Errorf("storage: wave of drive %d at %d days: %w", w.DriveID, w.Checkpoint, mapErr(err))
	}
	return w, started, nil
}

// Waves is the drive's wave log, the earliest first.
func (s *Store) Waves(ctx context.Context, driveID int64) ([]Wave, error) {
	const q = `SELECT id, drive_id, checkpoint, started_at, target, registered, expected, gap, response_rate,
			candidates, planned, invited, skipped_cap, outcome
		FROM invitation_waves WHERE drive_id = $1 ORDER BY started_at, id`
	out := []Wave{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, driveID); err != nil {
		return nil, fmt.Errorf("storage: waves of drive %d: %w", driveID, err)
	}
	return out, nil
}

// InvitationResponse is what the invitations to the unit's finished drives
// gave (unitID 0: the drives open to every donor) before before: invited
// donors, and those of them who donated at the drive they were invited to.
func (s *Store) InvitationResponse(ctx context.Context, unitID int64, before time.Time) (mobilize.Response, error) {
	const q = `SELECT count(*) AS invited,
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registrations g JOIN donations n ON n.registration_id = g.id
				WHERE g.drive_id = i.drive_id AND g.donor_id = i.donor_id)) AS donated
		FROM drive_invitations i JOIN drives d ON d.id = i.drive_id
		WHERE d.audience_unit_id IS NOT DISTINCT FROM $1 AND d.ends_at <= $2`
	var r struct {
		Invited int `db:"invited"`
		Donated int `db:"donated"`
	}
	unit := sql.NullInt64{Int64: unitID, Valid: unitID != 0}
	if err := s.q(ctx).GetContext(ctx, &r, q, unit, before); err != nil {
		return mobilize.Response{}, fmt.Errorf("storage: invitation response of unit %d: %w", unitID, err)
	}
	return mobilize.Response{Invited: r.Invited, Donated: r.Donated}, nil
}

// InvitedTo says whether a wave invited the donor to the drive.
func (s *Store) InvitedTo(ctx context.Context, driveID, telegramID int64) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM drive_invitations i JOIN donors dn ON dn.id = i.donor_id
		WHERE i.drive_id = $1 AND dn.telegram_id = $2)`
	var invited bool
	if err := s.q(ctx).GetContext(ctx, &invited, q, driveID, telegramID); err != nil {
		return false, fmt.Errorf("storage: invitation of donor to drive %d: %w", driveID, err)
	}
	return invited, nil
}

func ints(a pq.Int64Array) []int {
	out := make([]int, len(a))
	for i, v := range a {
		out[i] = int(v)
	}
	return out
}
