package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// NeedCancelled is a need the club admin called off: nobody who accepted
// is expected any more.
const NeedCancelled = "cancelled"

// AnswerWithdrawn is an accept taken back ("I can no longer go").
const AnswerWithdrawn = "withdrawn"

// WithdrawResult is the outcome of a withdrawal with the need as it now
// stands.
type WithdrawResult struct {
	// Withdrawn is false when the donor had no standing accept (never
	// accepted, already withdrew, already donated, or the need was
	// cancelled): nothing changed.
	Withdrawn bool
	Need      Need
	// Reopened is true when the withdrawal took the need from filled back
	// to open.
	Reopened bool
}

// WithdrawAlert takes back the donor's accept of the need at now: the
// place is released (accepted goes down) and a need that had filled opens
// again. Like AnswerAlert it locks the need's row, so a withdrawal and a
// concurrent accept are counted one after the other. A donor with no alert
// for the need gets ErrNotFound.
func (s *Store) WithdrawAlert(ctx context.Context, needID, telegramID int64, now time.Time) (WithdrawResult, error) {
	wrap := func(err error) error {
		return fmt.Errorf("storage: withdrawal of %d from need %d: %w", telegramID, needID, err)
	}
	var res WithdrawResult
	err := s.inTx(ctx, func(tx *dbTx) error {
		var nr needRow
		if err := tx.GetContext(ctx, &nr, `SELECT `+needColumns+` FROM needs WHERE id = $1 FOR UPDATE`, needID); err != nil {
			return mapErr(err)
		}
		res.Need = nr.need()
		const qAlert = `SELECT a.donor_id, coalesce(a.answer, ''), a.donated_at IS NOT NULL
			FROM need_alerts a JOIN donors d ON d.id = a.donor_id
			WHERE a.need_id = $1 AND d.telegram_id = $2 FOR UPDATE OF a`
		var donorID int64
		var answer string
		var donated bool
		if err := tx.QueryRowxContext(ctx, qAlert, needID, telegramID).Scan(&donorID, &answer, &donated); err != nil {
			return mapErr(err)
		}
		if answer != AnswerAccepted || donated || res.Need.Status == NeedCancelled {
			return nil
		}
		const qAnswer = `UPDATE need_alerts SET answer = 'withdrawn', answered_at = $3 WHERE need_id = $1 AND donor_id = $2`
		if _, err := tx.ExecContext(ctx, qAnswer, needID, donorID, now); err != nil {
			return err
		}
		const qCount = `UPDATE needs SET accepted = accepted - 1,
				status = CASE WHEN status = 'filled' THEN 'open' ELSE status END,
				closed_at = CASE WHEN status = 'filled' THEN NULL ELSE closed_at END
			WHERE id = $1 RETURNING ` + needColumns
		if err := tx.GetContext(ctx, &nr, qCount, needID); err != nil {
			return err
		}
		res.Reopened = res.Need.Status == NeedFilled
		res.Withdrawn, res.Need = true, nr.need()
		return nil
	})
	if err != nil {
		return WithdrawResult{}, wrap(err)
	}
	return res, nil
}

// CancelNeed calls off an open or filled need at now; it reports false if
// it was closed or cancelled already.
func (s *Store) CancelNeed(ctx context.Context, id int64, now time.Time) (bool, error) {
	const q = `UPDATE needs SET status = 'cancelled', closed_at = coalesce(closed_at, $2)
		WHERE id = $1 AND status IN ('open', 'filled')`
	res, err := s.q(ctx).ExecContext(ctx, q, id, now)
	if err != nil {
		return false, fmt.Errorf("storage: cancel need %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: cancel need %d: %w", id, err)
	}
	return n > 0, nil
}

// ReopenAlerts makes the alerts of a need that opened again answerable
// once more: those edited to "covered" unanswered, and the accepts that
// came once it was filled ('late'), of donors still reachable and not
// committed to another need since (a standing accept, as in commitments).
// It returns their donors, most suitable first, to be alerted again; none
// if the need is not open.
func (s *Store) ReopenAlerts(ctx context.Context, needID int64) ([]SentAlert, error) {
	const q = `
		WITH reopened AS (
			UPDATE need_alerts a SET answer = NULL, answered_at = NULL, covered_at = NULL
			FROM needs n, donors d
			WHERE a.need_id = $1 AND n.id = a.need_id AND n.status = 'open' AND d.id = a.donor_id
			  AND d.unreachable_at IS NULL
			  AND (a.answer IS NULL AND a.covered_at IS NOT NULL OR a.answer = 'late')
			  AND NOT EXISTS (SELECT 1 FROM need_alerts o JOIN needs m ON m.id = o.need_id
				WHERE o.donor_id = a.donor_id AND o.need_id <> a.need_id AND o.answer = 'accepted'
				  AND o.donated_at IS NULL AND m.status <> 'cancelled')
			RETURNING a.need_id, d.telegram_id, d.chat_id, d.language, a.rank)
		SELECT need_id, telegram_id, chat_id, language, 0 AS message_id, 'open' AS need_status
		FROM reopened ORDER BY rank`
	out := []SentAlert{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, needID); err != nil {
		return nil, fmt.Errorf("storage: reopen alerts of need %d: %w", needID, err)
	}
	return out, nil
}

// AcceptedAlerts lists the alerts of the need whose donors stand by their
// accept, with the alert's message (0 if it was never recorded as sent).
func (s *Store) AcceptedAlerts(ctx context.Context, needID int64) ([]SentAlert, error) {
	const q = `SELECT a.need_id, d.telegram_id, d.chat_id, d.language, coalesce(bd.message_id, 0) AS message_id,
			n.status AS need_status
		FROM need_alerts a
		JOIN needs n ON n.id = a.need_id
		JOIN donors d ON d.id = a.donor_id
		LEFT JOIN broadcast_deliveries bd ON bd.broadcast_id = a.broadcast_id AND bd.chat_id = d.chat_id AND bd.status = 'sent'
		WHERE a.need_id = $1 AND a.answer = 'accepted'
		ORDER BY a.rank`
	out := []SentAlert{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, needID); err != nil {
		return nil, fmt.Errorf("storage: accepted alerts of need %d: %w", needID, err)
	}
	return out, nil
}

// Commitment is a donor's standing accept of another need: they are
// expected to donate component on the day of deadline.
type Commitment struct {
	Deadline  time.Time
	Component string
}

// commitments returns, for each of the donors (Telegram ids), the latest
// standing accept of a need other than needID that is not cancelled and
// whose donation is not recorded yet (a recorded one is in their history).
func (s *Store) commitments(ctx context.Context, needID int64, telegramIDs []int64) (map[int64]Commitment, error) {
	const q = `SELECT DISTINCT ON (d.telegram_id) d.telegram_id, n.deadline, n.component
		FROM need_alerts a JOIN needs n ON n.id = a.need_id JOIN donors d ON d.id = a.donor_id
		WHERE d.telegram_id = ANY($2) AND a.need_id <> $1 AND a.answer = 'accepted'
		  AND a.donated_at IS NULL AND n.status <> 'cancelled'
		ORDER BY d.telegram_id, n.deadline DESC`
	rows, err := s.q(ctx).QueryxContext(ctx, q, needID, pq.Array(telegramIDs))
	if err != nil {
		return nil, fmt.Errorf("storage: commitments of candidates: %w", err)
	}
	defer rows.Close()
	out := map[int64]Commitment{}
	for rows.Next() {
		var tid int64
		var c Commitment
		var deadline sql.NullTime
		if err := rows.Scan(&tid, &deadline, &c.Component); err != nil {
			return nil, fmt.Errorf("storage: commitments of candidates: %w", err)
		}
		c.Deadline = deadline.Time
		out[tid] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: commitments of candidates: %w", err)
	}
	return out, nil
}
