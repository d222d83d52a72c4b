package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// LatestScreeningAnswers returns the screening answers of the donor's most
// recent registration that has some (the highest id: no clock involved),
// or nil when the donor never finished a screening.
func (s *Store) LatestScreeningAnswers(ctx context.Context, telegramID int64) (json.RawMessage, error) {
	const q = `SELECT r.screening_answers FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE dn.telegram_id = $1 AND r.screening_answers IS NOT NULL
		ORDER BY r.id DESC LIMIT 1`
	var raw []byte
	err := s.q(ctx).GetContext(ctx, &raw, q, telegramID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage: latest screening answers of %d: %w", telegramID, err)
	}
	return raw, nil
}
