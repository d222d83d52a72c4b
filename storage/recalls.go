package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/urgent"
)

// Recall scan scopes: at night only donors who turned quiet hours off are
// looked at, by day everyone.
const (
	RecallScopeNight = "night"
	RecallScopeDay   = "day"
)

// RecallScanDone says whether the recall scan of scope ran for day.
func (s *Store) RecallScanDone(ctx context.Context, day time.Time, scope string) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM recall_scans WHERE day = $1 AND scope = $2)`
	var done bool
	if err := s.q(ctx).GetContext(ctx, &done, q, day.Format(time.DateOnly), scope); err != nil {
		return false, fmt.Errorf("storage: recall scan of %s: %w", day.Format(time.DateOnly), err)
	}
	return done, nil
}

// MarkRecallScan records that the recall scan of scope ran for day.
func (s *Store) MarkRecallScan(ctx context.Context, day time.Time, scope string) error {
	const q = `INSERT INTO recall_scans (day, scope) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	if _, err := s.q(ctx).ExecContext(ctx, q, day.Format(time.DateOnly), scope); err != nil {
		return fmt.Errorf("storage: mark recall scan of %s: %w", day.Format(time.DateOnly), err)
	}
	return nil
}

// RecallCandidates returns the donors who may have become eligible again
// after since and up to today, with the facts eligibility is judged from
// as they stood on since (deferrals open then): onboarded, reachable, with
// recall on or a reminder they asked for due, with a donation after
// horizon, a deferral ending in (since, today] or a screening for a drive
// after horizon, and not recalled since. nightOnly keeps those who turned
// quiet hours off. Whether they did become eligible is left to the one
// eligibility rule (screening.Evaluate).
func (s *Store) RecallCandidates(ctx context.Context, since, today, horizon time.Time, nightOnly bool) ([]urgent.Candidate, error) {
	const q = `SELECT d.telegram_id, d.chat_id, d.language, coalesce(d.blood_group, ''), d.birth_date, d.sex, d.weight_kg,
			ld.donated_on, ld.kind
		FROM donors d
		LEFT JOIN LATERAL (SELECT n.donated_on, n.kind FROM donations n WHERE n.donor_id = d.id
			ORDER BY n.donated_on DESC, n.id DESC LIMIT 1) ld ON true
		WHERE d.onboarded_at IS NOT NULL AND d.unreachable_at IS NULL
		  AND (NOT $4 OR NOT d.quiet_hours)
		  AND (d.recall OR EXISTS (SELECT 1 FROM date_reminders r
				WHERE r.donor_id = d.id AND r.sent_at IS NULL AND r.remind_on <= $2))
		  AND (ld.donated_on > $3
		       OR EXISTS (SELECT 1 FROM deferrals f WHERE f.donor_id = d.id AND f.until > $1 AND f.until <= $2)
		       OR EXISTS (SELECT 1 FROM registrations g JOIN drive_slots sl ON sl.id = g.slot_id
				WHERE g.donor_id = d.id AND g.screening_answers IS NOT NULL AND sl.starts_at > $3::date))
		  AND NOT EXISTS (SELECT 1 FROM recalls c WHERE c.donor_id = d.id AND c.eligible_on > $1)
		ORDER BY d.id`
	wrap := func(err error) error { return fmt.Errorf("storage: recall candidates: %w", err) }
	rows, err := s.q(ctx).QueryxContext(ctx, q, since.Format(time.DateOnly), today.Format(time.DateOnly),
		horizon.Format(time.DateOnly), nightOnly)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	out, byID, ids, err := scanCandidates(rows, false)
	if err != nil {
		return nil, wrap(err)
	}
	if len(out) == 0 {
		return out, nil
	}
	if err := s.addOpenDeferrals(ctx, out, byID, ids, since); err != nil {
		return nil, err
	}
	answered, err := s.LastDonationAnswers(ctx, ids)
	if err != nil {
		return nil, wrap(err)
	}
	for id, a := range answered {
		out[byID[id]].Donor.Answered = &a
	}
	return out, nil
}

// Recall records that the donor, eligible again from eligibleOn, is told
// so with msg (offering driveIDs), and queues msg, in one transaction that
// also settles the "eligible again" reminders they asked for up to today:
// one message that day, not two. It returns false, queuing nothing, when
// the donor was already recalled for eligibleOn, and ErrAtContactCap,
// recording nothing, when they are at the contact cap (capContacts,
// limit): a later scan recalls them once under it.
func (s *Store) Recall(ctx context.Context, telegramID int64, eligibleOn, today time.Time, driveIDs []int64,
	now time.Time, limit int, msg ScheduledMessage) (bool, error) {
	const insert = `INSERT INTO recalls (donor_id, eligible_on, drive_ids, sent_at)
		SELECT id, $2, $3, $4 FROM donors WHERE telegram_id = $1
		ON CONFLICT (donor_id, eligible_on) DO NOTHING RETURNING donor_id`
	const settle = `UPDATE date_reminders SET sent_at = $3
		WHERE donor_id = $1 AND sent_at IS NULL AND remind_on <= $2`
	recalled := false
	err := s.inTx(ctx, func(tx *dbTx) error {
		if driveIDs == nil {
			driveIDs = []int64{}
		}
		var donorID int64
		err := tx.GetContext(ctx, &donorID, insert, telegramID, eligibleOn.Format(time.DateOnly), pq.Array(driveIDs), now)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		if _, err := tx.ExecContext(ctx, settle, donorID, today.Format(time.DateOnly), now); err != nil {
			return fmt.Errorf("settle date reminders: %w", err)
		}
		kept, _, err := capContacts(ctx, tx, "recall", now, limit, []ScheduledMessage{msg})
		if err != nil {
			return err
		}
		if len(kept) == 0 {
			return ErrAtContactCap
		}
		recalled = true
		return queueScheduled(ctx, tx, "recall", kept)
	})
	if errors.Is(err, ErrAtContactCap) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("storage: recall of %d: %w", telegramID, err)
	}
	return recalled, nil
}

// RegistrationRecalled says whether a recall led to the registration.
func (s *Store) RegistrationRecalled(ctx context.Context, registrationID int64) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM registrations WHERE id = $1 AND recall_id IS NOT NULL)`
	var recalled bool
	if err := s.q(ctx).GetContext(ctx, &recalled, q, registrationID); err != nil {
		return false, fmt.Errorf("storage: recall of registration %d: %w", registrationID, err)
	}
	return recalled, nil
}

// RecallFunnel is what recalls did for a drive: donors whose recall offered
// it, those of them who registered after it, and those who donated there.
type RecallFunnel struct {
	Recalled   int `db:"recalled"`
	Registered int `db:"registered"`
	Donated    int `db:"donated"`
}

// DriveRecallFunnel counts the drive's recall funnel.
func (s *Store) DriveRecallFunnel(ctx context.Context, driveID int64) (RecallFunnel, error) {
	const q = `SELECT
		(SELECT count(DISTINCT c.donor_id) FROM recalls c WHERE $1 = ANY(c.drive_ids)) AS recalled,
		(SELECT count(DISTINCT r.donor_id) FROM registrations r
			WHERE r.drive_id = $1 AND r.recall_id IS NOT NULL AND r.status <> 'cancelled') AS registered,
		(SELECT count(DISTINCT r.donor_id) FROM registrations r JOIN donations n ON n.registration_id = r.id
			WHERE r.drive_id = $1 AND r.recall_id IS NOT NULL) AS donated`
	var f RecallFunnel
	if err := s.q(ctx).GetContext(ctx, &f, q, driveID); err != nil {
		return RecallFunnel{}, fmt.Errorf("storage: recall funnel of drive %d: %w", driveID, err)
	}
	return f, nil
}

// DonorSettings are the donor's choices on /settings.
type DonorSettings struct {
	Recall     bool `db:"recall"`
	QuietHours bool `db:"quiet_hours"`
	// Invitations: the donor takes invitations to drives (issue 21).
	Invitations bool `db:"invitations"`
}

// Settings returns the donor's settings, or ErrNotFound.
func (s *Store) Settings(ctx context.Context, telegramID int64) (DonorSettings, error) {
	const q = `SELECT recall, quiet_hours, invitations FROM donors WHERE telegram_id = $1`
	var st DonorSettings
	if err := s.q(ctx).GetContext(ctx, &st, q, telegramID); err != nil {
		return DonorSettings{}, fmt.Errorf("storage: settings of %d: %w", telegramID, mapErr(err))
	}
	return st, nil
}

// SetRecall turns the donor's recall on or off.
func (s *Store) SetRecall(ctx context.Context, telegramID int64, on bool) error {
	return s.updateDonor(ctx, "recall", `UPDATE donors SET recall = $2 WHERE telegram_id = $1`, telegramID, on)
}

// SetInvitations turns the donor's invitations to drives on or off.
func (s *Store) SetInvitations(ctx context.Context, telegramID int64, on bool) error {
	return s.updateDonor(ctx, "invitations", `UPDATE donors SET invitations = $2 WHERE telegram_id = $1`, telegramID, on)
}

// SetQuietHours turns the donor's quiet hours on or off.
func (s *Store) SetQuietHours(ctx context.Context, telegramID int64, on bool) error {
	return s.updateDonor(ctx, "quiet hours", `UPDATE donors SET quiet_hours = $2 WHERE telegram_id = $1`, telegramID, on)
}
