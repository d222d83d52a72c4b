package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ReferralCode returns the donor's personal invite code, storing fresh as
// theirs when they have none yet. A fresh code some other donor already
// holds is not stored (the caller tries another): ok is false then.
func (s *Store) ReferralCode(ctx context.Context, telegramID int64, fresh string) (code string, ok bool, err error) {
	// NOT EXISTS rather than the unique index's error, which would abort
	// the turn's transaction.
	const q = `UPDATE donors SET referral_code = coalesce(referral_code, $2)
		WHERE telegram_id = $1 AND (referral_code IS NOT NULL
			OR NOT EXISTS (SELECT 1 FROM donors WHERE referral_code = $2))
		RETURNING referral_code`
	err = s.q(ctx).GetContext(ctx, &code, q, telegramID, fresh)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("storage: referral code of %d: %w", telegramID, err)
	}
	return code, true, nil
}

// Inviter is the donor a friend's onboarding was credited to.
type Inviter struct {
	TelegramID int64  `db:"telegram_id"`
	ChatID     int64  `db:"chat_id"`
	Language   string `db:"language"`
}

// CreditReferral records that the donor onboarded through the invite code:
// only once, and never to themselves or to a code nobody holds (ok false).
func (s *Store) CreditReferral(ctx context.Context, telegramID int64, code string) (Inviter, bool, error) {
	const q = `UPDATE donors f SET referred_by = i.id, updated_at = now()
		FROM donors i
		WHERE f.telegram_id = $1 AND f.referred_by IS NULL AND i.referral_code = $2 AND i.id <> f.id
		RETURNING i.telegram_id, i.chat_id, i.language`
	var in Inviter
	err := s.q(ctx).GetContext(ctx, &in, q, telegramID, code)
	if errors.Is(err, sql.ErrNoRows) {
		return Inviter{}, false, nil
	}
	if err != nil {
		return Inviter{}, false, fmt.Errorf("storage: credit referral of %d: %w", telegramID, err)
	}
	return in, true, nil
}

// ReferralCount is how many onboarded donors joined through the donor's link.
func (s *Store) ReferralCount(ctx context.Context, telegramID int64) (int, error) {
	const q = `SELECT count(*) FROM donors f JOIN donors i ON i.id = f.referred_by
		WHERE i.telegram_id = $1 AND f.onboarded_at IS NOT NULL`
	var n int
	if err := s.q(ctx).GetContext(ctx, &n, q, telegramID); err != nil {
		return 0, fmt.Errorf("storage: referral count of %d: %w", telegramID, err)
	}
	return n, nil
}
