package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"
)

// ScheduledMessage is one message a due job hands to the delivery queue,
// worded for its recipient.
type ScheduledMessage struct {
	ChatID      int64
	Text        string
	ReplyMarkup json.RawMessage // an InlineKeyboardMarkup, or nil
}

// scheduledPriority puts reminders ahead of announcements (0): a 2 h
// reminder is worthless late. Urgent needs still go first.
const scheduledPriority = 1

// queueScheduled writes msgs as deliveries of a broadcast of the given kind,
// inside tx: the caller marks the job due in the same transaction, so either
// both happen or neither. A recipient who blocked the bot is recorded as
// blocked, as in CreateBroadcast. A chat owed two messages of one kind (two
// drives the same day) gets a broadcast per message, since a broadcast sends
// each chat once.
func queueScheduled(ctx context.Context, tx *dbTx, kind string, msgs []ScheduledMessage) error {
	for len(msgs) > 0 {
		seen := map[int64]bool{}
		var now, later []ScheduledMessage
		for _, m := range msgs {
			if seen[m.ChatID] {
				later = append(later, m)
				continue
			}
			seen[m.ChatID] = true
			now = append(now, m)
		}
		if err := queueScheduledOnce(ctx, tx, kind, now); err != nil {
			return err
		}
		msgs = later
	}
	return nil
}

func queueScheduledOnce(ctx context.Context, tx *dbTx, kind string, msgs []ScheduledMessage) error {
	chats := make([]int64, len(msgs))
	texts, markups := make([]string, len(msgs)), make([]string, len(msgs))
	for i, m := range msgs {
		chats[i], texts[i], markups[i] = m.ChatID, m.Text, string(m.ReplyMarkup)
	}
	// The broadcast's own text is never sent (every delivery has one); it
	// says what the row is to whoever reads the table.
	const insert = `INSERT INTO broadcasts (kind, text, priority, created_by, total)
		VALUES ($1, 'scheduled ' || $1, $2, 0, $3) RETURNING id`
	var id int64
	if err := tx.GetContext(ctx, &id, insert, kind, scheduledPriority, len(msgs)); err != nil {
		return fmt.Errorf("queue %s: %w", kind, err)
	}
	const deliveries = `
		INSERT INTO broadcast_deliveries (broadcast_id, chat_id, priority, text, reply_markup, status, reason, done_at)
		SELECT $1, m.chat_id, $2, m.text, nullif(m.markup, '')::jsonb,
			CASE WHEN d.unreachable_at IS NULL THEN 'pending' ELSE 'blocked' END,
			CASE WHEN d.unreachable_at IS NULL THEN NULL ELSE $3 END,
			CASE WHEN d.unreachable_at IS NULL THEN NULL ELSE now() END
		FROM unnest($4::bigint[], $5::text[], $6::text[]) WITH ORDINALITY AS m (chat_id, text, markup, n)
		LEFT JOIN donors d ON d.telegram_id = m.chat_id
		ORDER BY m.n`
	_, err := tx.ExecContext(ctx, deliveries, id, scheduledPriority, reasonUnreachable,
		pq.Array(chats), pq.Array(texts), pq.Array(markups))
	if err != nil {
		return fmt.Errorf("queue %s deliveries: %w", kind, err)
	}
	return nil
}

// queueByKind renders each due item and queues the messages, one broadcast
// per kind; it returns how many it queued of each kind.
func queueByKind[T any](ctx context.Context, tx *dbTx, due []T, kindOf func(T) string,
	render func(T) (ScheduledMessage, error)) (map[string]int, error) {
	byKind := map[string][]ScheduledMessage{}
	var kinds []string
	for _, d := range due {
		m, err := render(d)
		if err != nil {
			return nil, err
		}
		k := kindOf(d)
		if byKind[k] == nil {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], m)
	}
	counts := map[string]int{}
	for _, k := range kinds {
		if err := queueScheduled(ctx, tx, k, byKind[k]); err != nil {
			return nil, err
		}
		counts[k] = len(byKind[k])
	}
	return counts, nil
}
