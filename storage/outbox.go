package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// markSentSQL names no "sent_at IS NULL", which would let the planner take
// a partial index of unsent rows: those indexes keep an entry for every row
// marked sent until vacuum, and a scan for ids that are not their leading
// column walked all of them (135 buffers a call under load against 21
// through the primary key). A row marked twice keeps its first time.
const markSentSQL = `UPDATE outbox SET sent_at = coalesce(sent_at, now()) WHERE id = ANY($1)`

// MarkOutboxSent records outbox rows as done: sent, or given up (then with
// their last error).
func (s *Store) MarkOutboxSent(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.q(ctx).ExecContext(ctx, markSentSQL, pq.Array(ids)); err != nil {
		return fmt.Errorf("storage: mark %d outbox rows sent: %w", len(ids), err)
	}
	return nil
}

// OutboxFailed records a failed attempt at an outbox row. The row stays
// claimed, so it is tried again once the lease has run out; after
// maxAttempts it is given up (done, with the error).
func (s *Store) OutboxFailed(ctx context.Context, id int64, reason string, maxAttempts int) error {
	const q = `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
		sent_at = CASE WHEN attempts + 1 >= $3 THEN now() END
		WHERE id = $1 AND sent_at IS NULL`
	if _, err := s.q(ctx).ExecContext(ctx, q, id, reason, maxAttempts); err != nil {
		return fmt.Errorf("storage: outbox row %d failed: %w", id, err)
	}
	return nil
}

// ClaimStaleOutbox claims unsent outbox rows whose claim is older than
// lease (their process died after commit), oldest first, ordered by chat
// and then as they were committed.
func (s *Store) ClaimStaleOutbox(ctx context.Context, lease time.Duration, limit int) ([]OutboxRow, error) {
	const q = `
		WITH claimed AS (
			UPDATE outbox SET claimed_at = now()
			WHERE id IN (
				SELECT id FROM outbox
				WHERE sent_at IS NULL AND claimed_at < now() - make_interval(secs => $1)
				ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
			RETURNING id, update_id, chat_id, seq, method, params, attempts)
		SELECT * FROM claimed ORDER BY chat_id, id`
	rows := []OutboxRow{}
	if err := s.q(ctx).SelectContext(ctx, &rows, q, lease.Seconds(), limit); err != nil {
		return nil, fmt.Errorf("storage: claim stale outbox rows: %w", err)
	}
	return rows, nil
}

// PruneOutbox deletes outbox rows done longer than keep ago: they hold
// message texts, which may quote what a user wrote.
func (s *Store) PruneOutbox(ctx context.Context, keep time.Duration) (int64, error) {
	const q = `DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)`
	res, err := s.q(ctx).ExecContext(ctx, q, keep.Seconds())
	if err != nil {
		return 0, fmt.Errorf("storage: prune outbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("storage: prune outbox: %w", err)
	}
	return n, nil
}
