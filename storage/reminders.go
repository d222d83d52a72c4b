package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/drive"
)

// DueReminder is a reminder due now: whom to tell, about which drive and
// slot. Kind is a drive.ReminderKind ("24h", "2h") or
// drive.KindThanks.
type DueReminder struct {
	Kind           string
	RegistrationID int64
	// DueAt is the reminder's moment; it is after now when quiet hours
	// brought it forward (see earlyBefore of QueueDueReminders).
	DueAt      time.Time
	TelegramID int64
	ChatID     int64
	Language   string
	Drive      drive.Drive
	Slot       drive.Slot
}

// QueueDueReminders finds up to limit reminders due at now, renders each
// with render and queues it in the delivery queue (see package broadcast),
// in one transaction that also records it in reminders_sent; offsets are
// the reminders before a slot (nil: drive.DefaultReminderOffsets). So two
// schedulers running at once never queue the same reminder, and one that
// dies queues nothing: sending, with its retries and per-recipient
// outcomes, is the queue's job. Reminders before a slot due before
// earlyBefore are queued too (quiet hours bring them forward: see package
// quiet) for donors who keep quiet hours; earlyBefore at or before now
// brings none. In quiet hours (quiet) only donors who turned theirs off are
// looked at. It returns how many it queued per broadcast kind:
// ReminderBroadcastKind of the reminder's kind.
//
// A reminder before a slot goes to confirmed registrations of published
// drives only, following drive.ReminderRule: a stale one (superseded by
// a nearer reminder, or due before the donor registered) is recorded as
// skipped and not returned. The thank-you (drive.KindThanks) goes to attended
// registrations once the drive is over, within drive.ThanksWindow.
//
// A call may queue fewer than limit while more are due (claims of a
// concurrent scheduler are dropped): call again until it queues none.
func (s *Store) QueueDueReminders(ctx context.Context, now, earlyBefore time.Time, quiet bool, offsets []time.Duration, limit int,
	render func(DueReminder) (ScheduledMessage, error)) (map[string]int, error) {
	// $1 now, $2 kinds, $3 offsets and $4 untils in seconds, $5 the largest
	// offset, $6 the thanks window, $7 limit, $8 earlyBefore, $9 quiet.
	const q = `WITH rules AS (
			SELECT u.kind, u.offset_s * interval '1 second' AS "offset",
			       u.until_s * interval '1 second' AS until
			FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u(kind, offset_s, until_s)
		), candidates AS (
			SELECT r.id AS registration_id, u.kind, sl.starts_at - u."offset" AS due_at,
			       ($1 >= sl.starts_at - u.until OR sl.starts_at - u."offset" < r.queued_at) AS skipped
			FROM drive_slots sl
			JOIN registrations r ON r.slot_id = sl.id
			JOIN drives d ON d.id = sl.drive_id
			JOIN donors dn ON dn.id = r.donor_id
			CROSS JOIN rules u
			WHERE sl.starts_at > $1 AND sl.starts_at <= greatest($1, $8) + $5 * interval '1 second'
			  AND r.status = 'confirmed' AND d.status = 'published' AND (NOT $9 OR NOT dn.quiet_hours)
			  AND (sl.starts_at - u."offset" <= $1 OR (dn.quiet_hours AND sl.starts_at - u."offset" < $8))
			  AND NOT EXISTS (SELECT 1 FROM reminders_sent x WHERE x.registration_id = r.id AND x.kind = u.kind)
			UNION ALL
			SELECT r.id, 'thanks', d.ends_at, false
			FROM drives d JOIN registrations r ON r.drive_id = d.id JOIN donors dn ON dn.id = r.donor_id
			WHERE d.ends_at <= $1 AND d.ends_at > $1 - $6 * interval '1 second'
			  AND d.status IN ('published', 'closed') AND r.status = 'attended' AND (NOT $9 OR NOT dn.quiet_hours)
			  AND NOT EXISTS (SELECT 1 FROM reminders_sent x WHERE x.registration_id = r.id AND x.kind = 'thanks')
			-- Due ones first: a call returns none only when none is due.
			ORDER BY skipped, due_at
			LIMIT $7
		), claimed AS (
			INSERT INTO reminders_sent (registration_id, kind, sent_at, skipped)
			SELECT registration_id, kind, $1, skipped FROM candidates
			ON CONFLICT DO NOTHING
			RETURNING registration_id, kind, skipped
		)
		SELECT c.kind, c.registration_id, ca.due_at, dn.telegram_id, dn.chat_id, dn.language,
			sl.id AS slot_id, sl.starts_at AS slot_starts_at, sl.ends_at AS slot_ends_at,
			sl.capacity AS slot_capacity, ` + driveColumns + `
		FROM claimed c
		JOIN candidates ca ON ca.registration_id = c.registration_id AND ca.kind = c.kind
		JOIN registrations r ON r.id = c.registration_id
		JOIN donors dn ON dn.id = r.donor_id
		JOIN drive_slots sl ON sl.id = r.slot_id
		JOIN drives d ON d.id = r.drive_id
		WHERE NOT c.skipped
		ORDER BY sl.starts_at, c.registration_id`
	if offsets == nil {
		offsets = drive.DefaultReminderOffsets
	}
	rules, err := drive.ReminderRules(offsets)
	if err != nil {
		return nil, fmt.Errorf("storage: queue reminders: %w", err)
	}
	kinds := make([]string, len(rules))
	offs, untils := make([]int64, len(rules)), make([]int64, len(rules))
	var largest int64
	for i, r := range rules {
		kinds[i], offs[i], untils[i] = r.Kind, int64(r.Offset/time.Second), int64(r.Until/time.Second)
		largest = max(largest, offs[i])
	}
	var queued map[string]int
	err = s.inTx(ctx, func(tx *dbTx) error {
		var rows []dueReminderRow
		err := tx.SelectContext(ctx, &rows, q, now, pq.Array(kinds), pq.Array(offs), pq.Array(untils),
			largest, int64(drive.ThanksWindow/time.Second), limit, earlyBefore, quiet)
		if err != nil {
			return fmt.Errorf("find due: %w", err)
		}
		due := make([]DueReminder, len(rows))
		for i, r := range rows {
			due[i] = r.reminder()
		}
		queued, err = queueByKind(ctx, tx, due, func(r DueReminder) string { return ReminderBroadcastKind(r.Kind) }, render)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: queue reminders: %w", err)
	}
	return queued, nil
}

// ReminderBroadcastKind is the broadcast kind a reminder of kind is queued
// under: "reminder_24h", "reminder_2h", "thanks".
func ReminderBroadcastKind(kind string) string {
	if kind == drive.KindThanks {
		return kind
	}
	return "reminder_" + kind
}

type dueReminderRow struct {
	driveRow
	Kind           string    `db:"kind"`
	RegistrationID int64     `db:"registration_id"`
	DueAt          time.Time `db:"due_at"`
	TelegramID     int64     `db:"telegram_id"`
	ChatID         int64     `db:"chat_id"`
	Language       string    `db:"language"`
	SlotID         int64     `db:"slot_id"`
	SlotStartsAt   time.Time `db:"slot_starts_at"`
	SlotEndsAt     time.Time `db:"slot_ends_at"`
	SlotCapacity   int       `db:"slot_capacity"`
}

func (r dueReminderRow) reminder() DueReminder {
	return DueReminder{
		Kind: r.Kind, RegistrationID: r.RegistrationID, DueAt: r.DueAt, TelegramID: r.TelegramID,
		ChatID: r.ChatID, Language: r.Language, Drive: r.drive(),
		Slot: drive.Slot{ID: r.SlotID, DriveID: r.driveRow.ID, Start: r.SlotStartsAt,
			End: r.SlotEndsAt, Capacity: r.SlotCapacity},
	}
}
