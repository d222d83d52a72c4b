package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// StoredUpdate is an accepted update waiting to be handled.
type StoredUpdate struct {
	UpdateID int64           `db:"update_id"`
	Payload  json.RawMessage `db:"payload"`
	Attempts int             `db:"attempts"`
}

// AcceptUpdate stores an incoming update before it is acknowledged to
// Telegram. It reports false when the update was stored before (a
// redelivery), which must then have no further effect.
func (s *Store) AcceptUpdate(ctx context.Context, updateID, chatID, userID int64, payload []byte) (bool, error) {
	const q = `INSERT INTO updates (update_id, chat_id, user_id, payload)
		VALUES ($1, $2, $3, $4) ON CONFLICT (update_id) DO NOTHING`
	res, err := s.db.ExecContext(ctx, q, updateID, chatID, userID, payload)
	if err != nil {
		return false, fmt.Errorf("storage: accept update %d: %w", updateID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: accept update %d: %w", updateID, err)
	}
	return n == 1, nil
}

// MarkUpdateHandled records that the update had its effect and drops its
// payload, which may hold personal data.
func (s *Store) MarkUpdateHandled(ctx context.Context, updateID int64) error {
	const q = `UPDATE updates SET handled_at = now(), payload = NULL WHERE update_id = $1`
	if _, err := s.db.ExecContext(ctx, q, updateID); err != nil {
		return fmt.Errorf("storage: mark update %d handled: %w", updateID, err)
	}
	return nil
}

// ClaimStaleUpdates claims accepted updates that nobody finished within
// lease: their process crashed or lost its database. Claiming renews the
// lease, so several processes never take the same update at once.
func (s *Store) ClaimStaleUpdates(ctx context.Context, lease time.Duration, limit int) ([]StoredUpdate, error) {
	const q = `
		UPDATE updates SET claimed_at = now(), attempts = attempts + 1
		WHERE update_id IN (
			SELECT update_id FROM updates
			WHERE handled_at IS NULL AND claimed_at < now() - make_interval(secs => $1)
			ORDER BY update_id LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING update_id, coalesce(payload, 'null'::jsonb) AS payload, attempts`
	claimed := []StoredUpdate{}
	if err := s.db.SelectContext(ctx, &claimed, q, lease.Seconds(), limit); err != nil {
		return nil, fmt.Errorf("storage: claim stale updates: %w", err)
	}
	return claimed, nil
}

// RenewUpdateLeases renews the leases of accepted updates a live process
// still holds (queued or running), so that no other sweeper claims them.
func (s *Store) RenewUpdateLeases(ctx context.Context, updateIDs []int64) error {
	const q = `UPDATE updates SET claimed_at = now() WHERE update_id = ANY($1) AND handled_at IS NULL`
	if _, err := s.db.ExecContext(ctx, q, pq.Array(updateIDs)); err != nil {
		return fmt.Errorf("storage: renew %d update leases: %w", len(updateIDs), err)
	}
	return nil
}

// PruneUpdates forgets handled updates older than keep; Telegram stops
// redelivering long before (it keeps updates for 24 hours).
func (s *Store) PruneUpdates(ctx context.Context, keep time.Duration) (int64, error) {
	const q = `DELETE FROM updates WHERE handled_at < now() - make_interval(secs => $1)`
	res, err := s.db.ExecContext(ctx, q, keep.Seconds())
	if err != nil {
		return 0, fmt.Errorf("storage: prune updates: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("storage: prune updates: %w", err)
	}
	return n, nil
}
