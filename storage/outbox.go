package storage

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// A turn's calls are one outbox row (see migration 00032): done has a bit
// per call, set once it is sent or given up. A mark is an OR of bits, so a
// mark repeated or delayed changes nothing; marks of several flushes share
// one statement. The mark that finishes a turn deletes its row rather than
// updating it: a row exists only while something of its turn is unsent,
// so no finished turn costs a new row version in every index (the update
// that set sent_at was not HOT, sent_at being in both partial indexes),
// nor keeps the texts of its messages. A mark that leaves calls unsent
// changes done alone, which no index names, so PostgreSQL may update the
// row in place (HOT). A turn with a failed call (OutboxFailed) is kept,
// finished, with its last error and sent_at, until pruned.

// markSentSQL names no "sent_at IS NULL", which would let the planner take
// a partial index of unsent rows: those indexes keep an entry for every row
// finished until vacuum, and a scan for ids that are not their leading
// column walked all of them (135 buffers a call under load against 21
// through the primary key). It is a MERGE so that each turn's row is found
// once, then deleted or updated: a DELETE and an UPDATE would each join the
// marks to the outbox.
const markSentSQL = `MERGE INTO outbox o
	USING (SELECT * FROM unnest($1::bigint[], $2::varbit[]) AS m(update_id, done)) m
	ON o.update_id = m.update_id
	` + markActions

// markOneSQL is markSentSQL for one turn, the usual case. unnest's rows
// are known to a custom plan but not to the generic one, which PostgreSQL
// therefore never chose: the array statement was planned anew on every
// call (planning took twice its execution). One row of scalars plans the
// same either way, so the generic plan is kept.
const markOneSQL = `MERGE INTO outbox o
	USING (SELECT $1::bigint AS update_id, $2::varbit AS done) m
	ON o.update_id = m.update_id
	` + markActions

// markActions apply marks m (update_id, done) to the outbox: a turn they
// finish is deleted, unless one of its calls failed; any other has its
// bits set.
const markActions = `WHEN MATCHED AND o.last_error IS NULL AND strpos((o.done | m.done)::text, '0') = 0 THEN DELETE
	WHEN MATCHED THEN UPDATE SET done = o.done | m.done,
		sent_at = coalesce(o.sent_at, CASE WHEN strpos((o.done | m.done)::text, '0') = 0 THEN now() END)`

// finishSQL and partlySQL are markActions for a data-modifying WITH, which
// cannot hold a MERGE before PostgreSQL 17: the commit that carries a mark
// (Work.Commit).
const (
	finishSQL = `DELETE FROM outbox o USING m
		WHERE o.update_id = m.update_id AND o.last_error IS NULL AND strpos((o.done | m.done)::text, '0') = 0`
	partlySQL = `UPDATE outbox o SET done = o.done | m.done,
		sent_at = coalesce(o.sent_at, CASE WHEN strpos((o.done | m.done)::text, '0') = 0 THEN now() END)
	FROM m
	WHERE o.update_id = m.update_id AND (o.last_error IS NOT NULL OR strpos((o.done | m.done)::text, '0') > 0)`
)

// MarkOutboxSent records outbox calls as done: sent, or given up (then
// with their last error).
func (s *Store) MarkOutboxSent(ctx context.Context, rows []OutboxRow) error {
	if len(rows) == 0 {
		return nil
	}
	updates, masks := doneMasks(rows)
	var err error
	if len(updates) == 1 {
		_, err = s.outboxQ(ctx).ExecContext(ctx, markOneSQL, updates[0], masks[0])
	} else {
		_, err = s.outboxQ(ctx).ExecContext(ctx, markSentSQL, pq.Array(updates), pq.Array(masks))
	}
	if err != nil {
		return fmt.Errorf("storage: mark %d outbox calls sent: %w", len(rows), err)
	}
	return nil
}

// doneMasks turns calls into one bit string per turn, a bit set for each
// call: a turn must appear once in the statement, which would apply only
// one of its masks.
func doneMasks(rows []OutboxRow) ([]int64, []string) {
	byTurn := map[int64][]byte{}
	var updates []int64
	for _, r := range rows {
		mask, seen := byTurn[r.UpdateID]
		if !seen {
			updates = append(updates, r.UpdateID)
		}
		if n := max(r.Calls, r.Seq+1); len(mask) < n {
			mask = append(mask, make([]byte, n-len(mask))...)
		}
		mask[r.Seq] = 1
		byTurn[r.UpdateID] = mask
	}
	masks := make([]string, len(updates))
	for i, u := range updates {
		mask := byTurn[u]
		for j := range mask {
			mask[j] += '0'
		}
		masks[i] = string(mask)
	}
	return updates, masks
}

// OutboxFailed records a failed attempt at an outbox call. The turn stays
// claimed, so the call is tried again once the lease has run out; after
// maxAttempts it is given up (done, with the error).
func (s *Store) OutboxFailed(ctx context.Context, r OutboxRow, reason string, maxAttempts int) error {
	const q = `UPDATE outbox SET attempts[$2 + 1] = coalesce(attempts[$2 + 1], 0) + 1, last_error = $3,
		done = CASE WHEN coalesce(attempts[$2 + 1], 0) + 1 >= $4 THEN set_bit(done, $2, 1) ELSE done END,
		sent_at = CASE WHEN coalesce(attempts[$2 + 1], 0) + 1 >= $4
			AND strpos(set_bit(done, $2, 1)::text, '0') = 0 THEN now() END
		WHERE update_id = $1 AND sent_at IS NULL AND get_bit(done, $2) = 0`
	if _, err := s.outboxQ(ctx).ExecContext(ctx, q, r.UpdateID, r.Seq, reason, maxAttempts); err != nil {
		return fmt.Errorf("storage: outbox call %d of update %d failed: %w", r.Seq, r.UpdateID, err)
	}
	return nil
}

// turnRow is an outbox row as the sweeper claims it.
type turnRow struct {
	UpdateID int64           `db:"update_id"`
	Calls    json.RawMessage `db:"calls"`
	Done     string          `db:"done"`
	Attempts pq.Int64Array   `db:"attempts"`
}

// ClaimStaleOutbox claims the unsent calls of turns whose claim is older
// than lease (their process died after commit), oldest turns first,
// ordered by chat and then as they were committed.
func (s *Store) ClaimStaleOutbox(ctx context.Context, lease time.Duration, limit int) ([]OutboxRow, error) {
	const q = `
		UPDATE outbox SET claimed_at = now()
		WHERE update_id IN (
			SELECT update_id FROM outbox
			WHERE sent_at IS NULL AND claimed_at < now() - make_interval(secs => $1)
			ORDER BY update_id LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING update_id, calls, done::text AS done, attempts`
	turns := []turnRow{}
	if err := s.q(ctx).SelectContext(ctx, &turns, q, lease.Seconds(), limit); err != nil {
		return nil, fmt.Errorf("storage: claim stale outbox rows: %w", err)
	}
	var rows []OutboxRow
	for _, t := range turns {
		var calls []struct {
			ChatID int64           `json:"chat_id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}
		if err := json.Unmarshal(t.Calls, &calls); err != nil {
			return nil, fmt.Errorf("storage: outbox row of update %d: %w", t.UpdateID, err)
		}
		for i, c := range calls {
			if i < len(t.Done) && t.Done[i] == '1' {
				continue
			}
			r := OutboxRow{UpdateID: t.UpdateID, Seq: i, Calls: len(calls), ChatID: c.ChatID, Method: c.Method, Params: c.Params}
			if i < len(t.Attempts) {
				r.Attempts = int(t.Attempts[i])
			}
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b OutboxRow) int {
		return cmp.Or(cmp.Compare(a.ChatID, b.ChatID), cmp.Compare(a.UpdateID, b.UpdateID), cmp.Compare(a.Seq, b.Seq))
	})
	return rows, nil
}

// PruneOutbox deletes the outbox rows of turns with a failed call finished
// longer than keep ago (others are deleted by their last mark): they hold
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
