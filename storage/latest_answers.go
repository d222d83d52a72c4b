package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"

	"donorbot/screening"
)

// LastDonationAnswers returns, per donor, the answer to question 1 (the
// last donation) of their latest screening that has one (the registration
// with the highest id: no clock involved). Donors who never answered it
// are absent. The history may lack that donation (given elsewhere), so
// every eligibility check needs it.
func (s *Store) LastDonationAnswers(ctx context.Context, telegramIDs []int64) (map[int64]screening.Answer, error) {
	const q = `SELECT DISTINCT ON (dn.telegram_id) dn.telegram_id, a.value
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.screening_answers) = 'array'
			THEN r.screening_answers ELSE '[]'::jsonb END) a
		WHERE dn.telegram_id = ANY($1) AND a.value->>'Question' = $2
		ORDER BY dn.telegram_id, r.id DESC`
	wrap := func(err error) error { return fmt.Errorf("storage: last donation answers: %w", err) }
	rows, err := s.read(ctx).QueryxContext(ctx, q, pq.Array(telegramIDs), string(screening.QDonatedBefore))
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	out := map[int64]screening.Answer{}
	for rows.Next() {
		var id int64
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, wrap(err)
		}
		var a screening.Answer
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, wrap(fmt.Errorf("answer of donor %d: %w", id, err))
		}
		out[id] = a
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	return out, nil
}
