package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"donorbot/drive"
)

// DueAnnouncements lists the drafts whose announcement time has come by
// now and that no scheduler announced yet, at most limit, the earliest
// first. A drive over by now is left a draft: announcing it helps nobody.
func (s *Store) DueAnnouncements(ctx context.Context, now time.Time, limit int) ([]drive.Drive, error) {
	const q = `SELECT ` + driveColumns + ` FROM drives d
		WHERE d.status = 'draft' AND d.announce_at <= $1 AND d.ends_at > $1
		  AND NOT EXISTS (SELECT 1 FROM drive_announcements a WHERE a.drive_id = d.id)
		ORDER BY d.announce_at, d.id LIMIT $2`
	rows := []driveRow{}
	if err := s.q(ctx).SelectContext(ctx, &rows, q, now, limit); err != nil {
		return nil, fmt.Errorf("storage: due announcements: %w", err)
	}
	out := make([]drive.Drive, len(rows))
	for i, r := range rows {
		out[i] = r.drive()
	}
	return out, nil
}

// AnnounceDrive publishes the drive if it is a draft and queues msgs, its
// announcement to its audience, in one transaction with the row that
// claims the announcement: it reports false, and does nothing, if the
// drive was announced already, cancelled or closed meanwhile, or is over
// by now (drive.ErrDateInPast is not an error here: the caller's list was
// a moment old). Donors at the contact cap (capContacts, limit) are
// skipped; it returns how many.
func (s *Store) AnnounceDrive(ctx context.Context, id int64, now time.Time, limit int,
	msgs []ScheduledMessage) (announced bool, skipped int, err error) {
	const claim = `INSERT INTO drive_announcements (drive_id, announced_at, recipients) VALUES ($1, $2, $3)
		ON CONFLICT (drive_id) DO NOTHING RETURNING drive_id`
	const publish = `UPDATE drives SET status = 'published', updated_at = $2 WHERE id = $1 AND status = 'draft'`
	const recipients = `UPDATE drive_announcements SET recipients = $2 WHERE drive_id = $1`
	err = s.inTx(ctx, func(tx *dbTx) error {
		announced, skipped = false, 0
		// Slots first, as every writer: a registration in flight finishes first.
		if _, err := lockSlots(ctx, tx, id); err != nil {
			return err
		}
		d, err := lockDrive(ctx, tx, id)
		if err != nil {
			return err
		}
		if d.Status.Final() || !d.End.After(now) {
			return nil
		}
		var claimed int64
		err = tx.GetContext(ctx, &claimed, claim, id, now, len(msgs))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if _, err := tx.ExecContext(ctx, publish, id, now); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		announced = true
		kept, n, err := capContacts(ctx, tx, "announcement", now, limit, msgs)
		if err != nil {
			return err
		}
		skipped = n
		if len(kept) == 0 {
			return nil
		}
		if n > 0 {
			if _, err := tx.ExecContext(ctx, recipients, id, len(kept)); err != nil {
				return fmt.Errorf("recipients: %w", err)
			}
		}
		return queueScheduled(ctx, tx, "announcement", kept)
	})
	if err != nil {
		return false, 0, fmt.Errorf("storage: announce drive %d: %w", id, mapErr(err))
	}
	return announced, skipped, nil
}

// RecordAnnouncement records that the drive was announced at at to
// recipients donors by a broadcast started outside AnnounceDrive (chat
// /newdrive). A drive announced already keeps its first record.
func (s *Store) RecordAnnouncement(ctx context.Context, driveID int64, at time.Time, recipients int) error {
	const q = `INSERT INTO drive_announcements (drive_id, announced_at, recipients) VALUES ($1, $2, $3)
		ON CONFLICT (drive_id) DO NOTHING`
	if _, err := s.q(ctx).ExecContext(ctx, q, driveID, at, recipients); err != nil {
		return fmt.Errorf("storage: record announcement of drive %d: %w", driveID, err)
	}
	return nil
}
