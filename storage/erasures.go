package storage

import (
	"context"
	"fmt"
	"time"
)

// AddPendingErasure records that the Redis keys of a user are still to be
// erased, requested at at (the handlers' clock). DeleteDonor records it
// itself; this is for a user without a donor row.
func (s *Store) AddPendingErasure(ctx context.Context, telegramID int64, at time.Time) error {
	if _, err := s.q(ctx).ExecContext(ctx, addPendingErasure, telegramID, at); err != nil {
		return fmt.Errorf("storage: pending erasure of %d: %w", telegramID, err)
	}
	return nil
}

const addPendingErasure = `INSERT INTO pending_erasures (telegram_id, requested_at) VALUES ($1, $2)
	ON CONFLICT (telegram_id) DO NOTHING`

// PendingErasures lists up to limit users whose Redis keys are still to be
// erased, the longest waiting first.
func (s *Store) PendingErasures(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	const q = `SELECT telegram_id FROM pending_erasures ORDER BY requested_at, telegram_id LIMIT $1`
	if err := s.q(ctx).SelectContext(ctx, &ids, q, limit); err != nil {
		return nil, fmt.Errorf("storage: pending erasures: %w", err)
	}
	return ids, nil
}

// ErasureDone removes the pending erasure of a user once Redis confirmed
// their keys are gone.
func (s *Store) ErasureDone(ctx context.Context, telegramID int64) error {
	if _, err := s.q(ctx).ExecContext(ctx, `DELETE FROM pending_erasures WHERE telegram_id = $1`, telegramID); err != nil {
		return fmt.Errorf("storage: erasure of %d done: %w", telegramID, err)
	}
	return nil
}

// ErasureFailed counts a failed attempt at at, for operators to see an
// erasure that keeps failing.
func (s *Store) ErasureFailed(ctx context.Context, telegramID int64, at time.Time) error {
	const q = `UPDATE pending_erasures SET attempts = attempts + 1, last_attempt_at = $2 WHERE telegram_id = $1`
	if _, err := s.q(ctx).ExecContext(ctx, q, telegramID, at); err != nil {
		return fmt.Errorf("storage: erasure of %d failed: %w", telegramID, err)
	}
	return nil
}
