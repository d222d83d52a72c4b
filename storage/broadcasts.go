package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// DeliveryStatus is where one recipient's copy of a broadcast stands.
type DeliveryStatus string

// Delivery statuses. Only pending deliveries are ever sent; every other status
// is final.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySent      DeliveryStatus = "sent"
	DeliveryFailed    DeliveryStatus = "failed"
	DeliveryBlocked   DeliveryStatus = "blocked"
	DeliveryCancelled DeliveryStatus = "cancelled"
)

// reasonUnreachable is the reason of a delivery skipped because the donor had
// blocked the bot before.
const reasonUnreachable = "recipient unreachable"

// NewBroadcast is what CreateBroadcast writes.
type NewBroadcast struct {
	Kind        string
	Text        string
	ParseMode   string          // "", "HTML" or "MarkdownV2"
	ReplyMarkup json.RawMessage // an InlineKeyboardMarkup, or nil
	Priority    int             // higher is sent first
	CreatedBy   int64
	Lang        string // language of the progress message; "vi" if empty
	// ProgressChatID is where progress is shown (0: nowhere); a zero
	// ProgressMessageID asks the engine to send the progress message.
	ProgressChatID    int64
	ProgressMessageID int
	// Recipients are chat ids, sent to in this order (within a priority);
	// a repeated id is sent to once.
	Recipients []int64
	// Paid is how many of the first reachable recipients are sent as a
	// paid broadcast (Delivery.Paid).
	Paid int
	// ContactKind, if set, makes each recipient a non-urgent contact of
	// that kind at ContactAt: recorded in the ledger, and left out when at
	// the cap of ContactCap (capContacts).
	ContactKind string
	ContactCap  int
	ContactAt   time.Time
}

// Broadcast is a stored broadcast. Zero times mean "not yet".
type Broadcast struct {
	ID                int64
	Kind              string
	Text              string
	ParseMode         string
	ReplyMarkup       json.RawMessage
	Priority          int
	CreatedBy         int64
	Lang              string
	ProgressChatID    int64
	ProgressMessageID int
	Total             int
	CreatedAt         time.Time
	CancelledAt       time.Time
	FinishedAt        time.Time
}

// broadcastRow mirrors the broadcasts table.
type broadcastRow struct {
	ID                int64         `db:"id"`
	Kind              string        `db:"kind"`
	Text              string        `db:"text"`
	ParseMode         string        `db:"parse_mode"`
	ReplyMarkup       []byte        `db:"reply_markup"`
	Priority          int           `db:"priority"`
	CreatedBy         int64         `db:"created_by"`
	Lang              string        `db:"lang"`
	ProgressChatID    sql.NullInt64 `db:"progress_chat_id"`
	ProgressMessageID sql.NullInt64 `db:"progress_message_id"`
	Total             int           `db:"total"`
	CreatedAt         time.Time     `db:"created_at"`
	CancelledAt       sql.NullTime  `db:"cancelled_at"`
	FinishedAt        sql.NullTime  `db:"finished_at"`
}

const broadcastColumns = `id, kind, text, parse_mode, reply_markup, priority, created_by, lang,
	progress_chat_id, progress_message_id, total, created_at, cancelled_at, finished_at`

func (r broadcastRow) broadcast() Broadcast {
	return Broadcast{
		ID:                r.ID,
		Kind:              r.Kind,
		Text:              r.Text,
		ParseMode:         r.ParseMode,
		ReplyMarkup:       json.RawMessage(r.ReplyMarkup),
		Priority:          r.Priority,
		CreatedBy:         r.CreatedBy,
		Lang:              r.Lang,
		ProgressChatID:    r.ProgressChatID.Int64,
		ProgressMessageID: int(r.ProgressMessageID.Int64),
		Total:             r.Total,
		CreatedAt:         r.CreatedAt,
		CancelledAt:       r.CancelledAt.Time,
		FinishedAt:        r.FinishedAt.Time,
	}
}

// Delivery is one claimed recipient of a broadcast.
type Delivery struct {
	ID             int64     `db:"id"`
	BroadcastID    int64     `db:"broadcast_id"`
	ChatID         int64     `db:"chat_id"`
	Priority       int       `db:"priority"`
	FailedAttempts int       `db:"failed_attempts"`
	ClaimedAt      time.Time `db:"claimed_at"`
	// Unreachable is true when the recipient blocked the bot since the
	// broadcast was created: the delivery is to be marked blocked unsent.
	Unreachable bool `db:"unreachable"`
	// Text and ReplyMarkup, when Text is set, replace the broadcast's: a
	// scheduled message is worded for its recipient (see queueScheduled).
	Text        string `db:"text"`
	ReplyMarkup []byte `db:"reply_markup"`
	// Paid deliveries are sent with allow_paid_broadcast: beyond the free
	// rate, billed in Stars.
	Paid bool `db:"paid"`
}

// DeliveryCounts counts a broadcast's deliveries by status.
type DeliveryCounts struct {
	Total, Pending, Sent, Failed, Blocked, Cancelled int
}

// CreateBroadcast writes a broadcast and one delivery per distinct recipient
// in one transaction, so that workers never see half an audience. Recipients
// who blocked the bot (their donor row is marked unreachable) are recorded as
// blocked and never sent to. The insert is a single statement over an array,
// which keeps 10,000 recipients to one round trip.
func (s *Store) CreateBroadcast(ctx context.Context, nb NewBroadcast) (Broadcast, error) {
	lang := nb.Lang
	if lang == "" {
		lang = "vi"
	}
	var markup any
	if len(nb.ReplyMarkup) > 0 {
		markup = string(nb.ReplyMarkup) // jsonb: text, not binary (see Open)
	}
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return Broadcast{}, fmt.Errorf("storage: create broadcast: %w", err)
	}
	defer tx.Rollback()
	recipients := nb.Recipients
	if nb.ContactKind != "" {
		keep, _, err := capChats(ctx, tx, nb.ContactKind, nb.ContactAt, nb.ContactCap, recipients)
		if err != nil {
			return Broadcast{}, fmt.Errorf("storage: create broadcast: %w", err)
		}
		recipients = make([]int64, 0, len(keep))
		for i, k := range keep {
			if k {
				recipients = append(recipients, nb.Recipients[i])
			}
		}
	}

	const insert = `
		INSERT INTO broadcasts (kind, text, parse_mode, reply_markup, priority, created_by, lang,
			progress_chat_id, progress_message_id, total)
		VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8::bigint, 0), nullif($9, 0), 0)
		RETURNING ` + broadcastColumns
	var r broadcastRow
	err = tx.GetContext(ctx, &r, insert, nb.Kind, nb.Text, nb.ParseMode, markup, nb.Priority,
		nb.CreatedBy, lang, nb.ProgressChatID, nb.ProgressMessageID)
	if err != nil {
		return Broadcast{}, fmt.Errorf("storage: create broadcast: %w", mapErr(err))
	}
	// In a private chat the chat id is the user id, hence telegram_id (unique,
	// indexed) for the unreachable check.
	const deliveries = `
		INSERT INTO broadcast_deliveries (broadcast_id, chat_id, priority, status, reason, done_at, paid)
		SELECT $1, r.chat_id, $2,
			CASE WHEN d.unreachable_at IS NULL THEN 'pending' ELSE 'blocked' END,
			CASE WHEN d.unreachable_at IS NULL THEN NULL ELSE $3 END,
			CASE WHEN d.unreachable_at IS NULL THEN NULL ELSE now() END,
			d.unreachable_at IS NULL
				AND row_number() OVER (PARTITION BY d.unreachable_at IS NULL ORDER BY r.n) <= $5
		FROM (SELECT chat_id, min(n) AS n FROM unnest($4::bigint[]) WITH ORDINALITY AS u (chat_id, n)
			GROUP BY chat_id) r
		LEFT JOIN donors d ON d.telegram_id = r.chat_id
		ORDER BY r.n`
	b := r.broadcast()
	res, err := tx.ExecContext(ctx, deliveries, b.ID, nb.Priority, reasonUnreachable, pq.Array(recipients), nb.Paid)
	if err != nil {
		return Broadcast{}, fmt.Errorf("storage: create broadcast deliveries: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Broadcast{}, fmt.Errorf("storage: create broadcast deliveries: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE broadcasts SET total = $2 WHERE id = $1`, b.ID, n); err != nil {
		return Broadcast{}, fmt.Errorf("storage: create broadcast total: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Broadcast{}, fmt.Errorf("storage: create broadcast: commit: %w", err)
	}
	b.Total = int(n)
	return b, nil
}

// Broadcast returns the broadcast with the given id.
func (s *Store) Broadcast(ctx context.Context, id int64) (Broadcast, error) {
	const q = `SELECT ` + broadcastColumns + ` FROM broadcasts WHERE id = $1`
	var r broadcastRow
	if err := s.q(ctx).GetContext(ctx, &r, q, id); err != nil {
		return Broadcast{}, fmt.Errorf("storage: broadcast %d: %w", id, mapErr(err))
	}
	return r.broadcast(), nil
}

// UnfinishedBroadcasts lists the broadcasts that still have, or just ran out
// of, pending deliveries, oldest first.
func (s *Store) UnfinishedBroadcasts(ctx context.Context) ([]Broadcast, error) {
	const q = `SELECT ` + broadcastColumns + ` FROM broadcasts WHERE finished_at IS NULL ORDER BY id`
	var rows []broadcastRow
	if err := s.q(ctx).SelectContext(ctx, &rows, q); err != nil {
		return nil, fmt.Errorf("storage: unfinished broadcasts: %w", err)
	}
	bs := make([]Broadcast, 0, len(rows))
	for _, r := range rows {
		bs = append(bs, r.broadcast())
	}
	return bs, nil
}

// SetBroadcastProgressMessage records the progress message the engine sent;
// 0 forgets a message that can no longer be edited.
func (s *Store) SetBroadcastProgressMessage(ctx context.Context, id int64, messageID int) error {
	const q = `UPDATE broadcasts SET progress_message_id = nullif($2, 0) WHERE id = $1`
	if _, err := s.q(ctx).ExecContext(ctx, q, id, messageID); err != nil {
		return fmt.Errorf("storage: broadcast %d progress message: %w", id, err)
	}
	return nil
}

// FinishBroadcast stamps finished_at once no delivery is pending. It reports
// true only to the one caller that stamped it, who then shows the final
// progress.
func (s *Store) FinishBroadcast(ctx context.Context, id int64) (bool, error) {
	const q = `
		UPDATE broadcasts SET finished_at = now()
		WHERE id = $1 AND finished_at IS NULL AND NOT EXISTS (
			SELECT 1 FROM broadcast_deliveries WHERE broadcast_id = $1 AND status = 'pending')
		RETURNING id`
	var got int64
	err := s.q(ctx).GetContext(ctx, &got, q, id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: finish broadcast %d: %w", id, err)
	}
	return true, nil
}

// CancelBroadcast marks every pending delivery of the broadcast cancelled and
// returns how many were. Deliveries a worker holds are cancelled too; one
// already on its way to Telegram is recorded as sent when it arrives.
func (s *Store) CancelBroadcast(ctx context.Context, id int64) (int, error) {
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("storage: cancel broadcast %d: %w", id, err)
	}
	defer tx.Rollback()
	const mark = `UPDATE broadcasts SET cancelled_at = coalesce(cancelled_at, now()) WHERE id = $1`
	res, err := tx.ExecContext(ctx, mark, id)
	if err != nil {
		return 0, fmt.Errorf("storage: cancel broadcast %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("storage: cancel broadcast %d: %w", id, err)
	} else if n == 0 {
		return 0, fmt.Errorf("storage: cancel broadcast %d: %w", id, ErrNotFound)
	}
	const cancel = `
		UPDATE broadcast_deliveries SET status = 'cancelled', claimed_at = NULL, done_at = now()
		WHERE broadcast_id = $1 AND status = 'pending'`
	res, err = tx.ExecContext(ctx, cancel, id)
	if err != nil {
		return 0, fmt.Errorf("storage: cancel broadcast %d deliveries: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("storage: cancel broadcast %d deliveries: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("storage: cancel broadcast %d: commit: %w", id, err)
	}
	return int(n), nil
}

// CountDeliveries counts the broadcast's deliveries by status.
func (s *Store) CountDeliveries(ctx context.Context, broadcastID int64) (DeliveryCounts, error) {
	const q = `SELECT status, count(*) AS n FROM broadcast_deliveries WHERE broadcast_id = $1 GROUP BY status`
	var rows []struct {
		Status DeliveryStatus `db:"status"`
		N      int            `db:"n"`
	}
	if err := s.q(ctx).SelectContext(ctx, &rows, q, broadcastID); err != nil {
		return DeliveryCounts{}, fmt.Errorf("storage: count deliveries of %d: %w", broadcastID, err)
	}
	var c DeliveryCounts
	for _, r := range rows {
		c.Total += r.N
		switch r.Status {
		case DeliveryPending:
			c.Pending = r.N
		case DeliverySent:
			c.Sent = r.N
		case DeliveryFailed:
			c.Failed = r.N
		case DeliveryBlocked:
			c.Blocked = r.N
		case DeliveryCancelled:
			c.Cancelled = r.N
		}
	}
	return c, nil
}

// ClaimDeliveries takes up to limit pending deliveries that are due and not
// held by a live claim (one younger than lease), stamps claimed_at, and
// returns them highest priority first. SKIP LOCKED lets workers of several
// processes claim at once without waiting for or taking each other's rows.
func (s *Store) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]Delivery, error) {
	const q = `
		UPDATE broadcast_deliveries d SET claimed_at = now()
		FROM (
			SELECT id FROM broadcast_deliveries
			WHERE status = 'pending' AND next_attempt_at <= now()
				AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $2))
			ORDER BY priority DESC, id
			LIMIT $1
			FOR UPDATE SKIP LOCKED
		) c
		WHERE d.id = c.id
		RETURNING d.id, d.broadcast_id, d.chat_id, d.priority, d.failed_attempts, d.claimed_at,
			coalesce(d.text, '') AS text, d.reply_markup, d.paid,
			EXISTS (SELECT 1 FROM donors
				WHERE telegram_id = d.chat_id AND unreachable_at IS NOT NULL) AS unreachable`
	var ds []Delivery
	if err := s.q(ctx).SelectContext(ctx, &ds, q, limit, lease.Seconds()); err != nil {
		return nil, fmt.Errorf("storage: claim deliveries: %w", err)
	}
	slices.SortFunc(ds, func(a, b Delivery) int {
		if a.Priority != b.Priority {
			return cmp.Compare(b.Priority, a.Priority)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return ds, nil
}

// ReleaseDeliveries gives back deliveries claimed at claimedAt and not sent,
// so another worker takes them at once instead of after the lease. A delivery
// claimed again since (its lease ran out) is left to its new holder.
func (s *Store) ReleaseDeliveries(ctx context.Context, ids []int64, claimedAt time.Time) error {
	const q = `UPDATE broadcast_deliveries SET claimed_at = NULL
		WHERE id = ANY($1) AND claimed_at = $2 AND status = 'pending'`
	if _, err := s.q(ctx).ExecContext(ctx, q, pq.Array(ids), claimedAt); err != nil {
		return fmt.Errorf("storage: release %d deliveries: %w", len(ids), err)
	}
	return nil
}

// MarkDeliverySent records the message Telegram created. It wins over a
// cancellation that raced with the send: the message did go out.
func (s *Store) MarkDeliverySent(ctx context.Context, id int64, messageID int) error {
	const q = `UPDATE broadcast_deliveries
		SET status = 'sent', message_id = $2, claimed_at = NULL, done_at = now()
		WHERE id = $1 AND status IN ('pending', 'cancelled')`
	if _, err := s.q(ctx).ExecContext(ctx, q, id, messageID); err != nil {
		return fmt.Errorf("storage: mark delivery %d sent: %w", id, err)
	}
	return nil
}

// MarkDeliveryBlocked records that the recipient blocked the bot.
func (s *Store) MarkDeliveryBlocked(ctx context.Context, id int64, reason string) error {
	return s.finishDelivery(ctx, id, DeliveryBlocked, reason, 0)
}

// MarkDeliveryFailed records that the delivery failed for good.
func (s *Store) MarkDeliveryFailed(ctx context.Context, id int64, reason string) error {
	return s.finishDelivery(ctx, id, DeliveryFailed, reason, 1)
}

func (s *Store) finishDelivery(ctx context.Context, id int64, status DeliveryStatus, reason string, failed int) error {
	const q = `UPDATE broadcast_deliveries
		SET status = $2, reason = $3, failed_attempts = failed_attempts + $4, claimed_at = NULL, done_at = now()
		WHERE id = $1 AND status = 'pending'`
	if _, err := s.q(ctx).ExecContext(ctx, q, id, status, reason, failed); err != nil {
		return fmt.Errorf("storage: mark delivery %d %s: %w", id, status, err)
	}
	return nil
}

// RetryDelivery releases a delivery to be tried again after the given delay.
// A failed attempt counts towards the caller's limit and records reason; a
// Telegram flood wait (429) is not a failure.
func (s *Store) RetryDelivery(ctx context.Context, id int64, after time.Duration, failed bool, reason string) error {
	const q = `UPDATE broadcast_deliveries
		SET claimed_at = NULL, next_attempt_at = now() + make_interval(secs => $2),
			failed_attempts = failed_attempts + $3, reason = coalesce(nullif($4, ''), reason)
		WHERE id = $1 AND status = 'pending'`
	n := 0
	if failed {
		n = 1
	}
	if _, err := s.q(ctx).ExecContext(ctx, q, id, after.Seconds(), n, reason); err != nil {
		return fmt.Errorf("storage: retry delivery %d: %w", id, err)
	}
	return nil
}

// ForgetDeliveries deletes every delivery to the chat, for /forget: the rows
// tie a person to the broadcasts they were sent.
func (s *Store) ForgetDeliveries(ctx context.Context, chatID int64) error {
	if _, err := s.q(ctx).ExecContext(ctx, `DELETE FROM broadcast_deliveries WHERE chat_id = $1`, chatID); err != nil {
		return fmt.Errorf("storage: forget deliveries to %d: %w", chatID, err)
	}
	return nil
}
