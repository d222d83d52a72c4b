package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/screening"
)

// StoredUpdate is an accepted update waiting to be handled.
type StoredUpdate struct {
	UpdateID int64           `db:"update_id"`
	Payload  json.RawMessage `db:"payload"`
	Attempts int             `db:"attempts"`
}

// NewUpdate is an incoming update to store before it is acknowledged.
type NewUpdate struct {
	UpdateID, ChatID, UserID int64
	Payload                  []byte // the update's JSON
}

// AcceptUpdate stores an incoming update before it is acknowledged to
// Telegram. It reports false when the update was stored before (a
// redelivery) or refused (see Accepted), which must then have no further
// effect.
func (s *Store) AcceptUpdate(ctx context.Context, updateID, chatID, userID int64, payload []byte) (bool, error) {
	got, err := s.AcceptUpdates(ctx, []NewUpdate{{UpdateID: updateID, ChatID: chatID, UserID: userID, Payload: payload}})
	if err != nil {
		return false, err
	}
	return got[0].Fresh, nil
}

// Accepted is what became of one update given to AcceptUpdates.
type Accepted struct {
	// Fresh: stored now. Not fresh: a redelivery, a repeat of an earlier
	// element of the batch, or refused.
	Fresh bool
	// Refused is the SQLSTATE of the data error PostgreSQL refused the
	// update's payload with ("" when it was not). A refused update is
	// recorded as handled without its payload, so that its redeliveries
	// are duplicates: retrying would be refused again, forever.
	Refused string
	// Sender is a fresh update's sender as read by the statement that
	// stored it (AcceptUpdatesWithSenders); nil otherwise.
	Sender *SenderRead
}

// AcceptUpdates stores several incoming updates in one statement, so that
// updates arriving together cost the database one round trip. One update
// whose payload PostgreSQL refuses does not fail the others: the statement
// is then run again for each update alone, and the one refused is recorded
// as Refused. An error (an outage, say) concerns every update: each may or
// may not be stored.
func (s *Store) AcceptUpdates(ctx context.Context, ups []NewUpdate) ([]Accepted, error) {
	return s.AcceptUpdatesWithSenders(ctx, time.Time{}, ups)
}

// AcceptUpdatesWithSenders is AcceptUpdates that also reads, in the same
// statement, each fresh update's sender as DonorWithRecord would on day
// (Accepted.Sender), so that the update's turn may start without a
// statement. A zero day reads no sender.
func (s *Store) AcceptUpdatesWithSenders(ctx context.Context, day time.Time, ups []NewUpdate) ([]Accepted, error) {
	if len(ups) == 0 {
		return nil, nil
	}
	got, err := s.acceptUpdates(ctx, day, ups)
	if dataErrorCode(err) == "" {
		return got, err
	}
	got = make([]Accepted, len(ups))
	for i, u := range ups {
		if len(ups) > 1 { // else err is this update's already
			var one []Accepted
			if one, err = s.acceptUpdates(ctx, day, ups[i:i+1]); err == nil {
				got[i] = one[0]
				continue
			}
		}
		code := dataErrorCode(err)
		if code == "" {
			return nil, err
		}
		if err := s.quarantineUpdate(ctx, u); err != nil {
			return nil, err
		}
		got[i].Refused = code
	}
	return got, nil
}

// newUpdatesFrom is how the inbox's statements read their batch: one
// jsonb array of {update_id, chat_id, user_id, payload}, rather than an
// array parameter per column. PostgreSQL plans a statement on arrays anew
// at every call (their length known, its plan for the call always looks
// cheaper than the generic one): 316 µs of planning a call for the
// statement that also reads the senders. A document's rows are estimated
// alike in both, so the generic plan is kept after the first calls.
const newUpdatesFrom = `jsonb_to_recordset($1::jsonb)
	AS u(update_id bigint, chat_id bigint, user_id bigint, payload jsonb)`

// acceptedRow is one update of the document newUpdatesFrom reads.
type acceptedRow struct {
	UpdateID int64           `json:"update_id"`
	ChatID   int64           `json:"chat_id"`
	UserID   int64           `json:"user_id"`
	Payload  json.RawMessage `json:"payload"`
}

// refusedJSON stands for PostgreSQL's refusal of a payload that is not
// JSON, which the document could no longer carry to it: the batch is then
// stored update by update, and that one is refused (AcceptUpdates).
var refusedJSON = &pq.Error{Code: "22P02", Message: "invalid input syntax for type json"}

func (s *Store) acceptUpdates(ctx context.Context, day time.Time, ups []NewUpdate) ([]Accepted, error) {
	const q = `INSERT INTO updates (update_id, chat_id, user_id, payload)
		SELECT * FROM ` + newUpdatesFrom + `
		ON CONFLICT (update_id) DO NOTHING
		RETURNING update_id`
	first := make(map[int64]int, len(ups)) // update id -> index of its first occurrence
	batch := make([]acceptedRow, 0, len(ups))
	for i, u := range ups {
		if _, seen := first[u.UpdateID]; seen {
			continue
		}
		first[u.UpdateID] = i
		if !json.Valid(u.Payload) {
			return nil, refusedJSON
		}
		batch = append(batch, acceptedRow{UpdateID: u.UpdateID, ChatID: u.ChatID, UserID: u.UserID, Payload: u.Payload})
	}
	wrap := func(err error) error {
		return fmt.Errorf("storage: accept %d updates (first %d): %w", len(ups), ups[0].UpdateID, err)
	}
	doc, err := json.Marshal(batch)
	if err != nil {
		return nil, wrap(err)
	}
	got := make([]Accepted, len(ups))
	if day.IsZero() {
		var stored []int64
		if err := s.q(ctx).SelectContext(ctx, &stored, q, string(doc)); err != nil {
			return nil, wrap(err)
		}
		for _, id := range stored {
			got[first[id]].Fresh = true
		}
		return got, nil
	}
	var rows []senderRow
	err = s.q(ctx).SelectContext(ctx, &rows, acceptWithSendersSQL, string(doc), day.Format(time.DateOnly),
		string(screening.QDonatedBefore))
	if err != nil {
		return nil, wrap(err)
	}
	for _, row := range rows {
		i := first[row.UpdateID]
		read, err := row.read(ups[i].UserID, day)
		if err != nil {
			return nil, wrap(err)
		}
		got[i] = Accepted{Fresh: true, Sender: read}
	}
	return got, nil
}

// quarantineUpdate records a refused update as handled, without payload.
func (s *Store) quarantineUpdate(ctx context.Context, u NewUpdate) error {
	const q = `INSERT INTO updates (update_id, chat_id, user_id, payload, handled_at)
		VALUES ($1, $2, $3, NULL, now()) ON CONFLICT (update_id) DO NOTHING`
	if _, err := s.q(ctx).ExecContext(ctx, q, u.UpdateID, u.ChatID, u.UserID); err != nil {
		return fmt.Errorf("storage: quarantine update %d: %w", u.UpdateID, err)
	}
	return nil
}

// dataErrorCode is the SQLSTATE of err when PostgreSQL refused a statement
// for the data it was given (class 22, data exception, e.g. a payload jsonb
// cannot take; class 54, program limit exceeded), and "" for any other
// error (an outage, say) or none.
func dataErrorCode(err error) string {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return ""
	}
	if class := pqErr.Code.Class(); class != "22" && class != "54" {
		return ""
	}
	return string(pqErr.Code)
}

// MarkUpdateHandled records that the update had its effect and drops its
// payload, which may hold personal data.
func (s *Store) MarkUpdateHandled(ctx context.Context, updateID int64) error {
	return s.MarkUpdatesHandled(ctx, []int64{updateID})
}

// MarkUpdatesHandled is MarkUpdateHandled for several updates in one
// statement.
func (s *Store) MarkUpdatesHandled(ctx context.Context, updateIDs []int64) error {
	const q = `UPDATE updates SET handled_at = now(), payload = NULL WHERE update_id = ANY($1)`
	if len(updateIDs) == 0 {
		return nil
	}
	if _, err := s.q(ctx).ExecContext(ctx, q, pq.Array(updateIDs)); err != nil {
		return fmt.Errorf("storage: mark %d updates handled (first %d): %w", len(updateIDs), updateIDs[0], err)
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
	if err := s.q(ctx).SelectContext(ctx, &claimed, q, lease.Seconds(), limit); err != nil {
		return nil, fmt.Errorf("storage: claim stale updates: %w", err)
	}
	return claimed, nil
}

// RenewUpdateLeases renews the leases of accepted updates a live process
// still holds (queued, running, or sending their replies), and of their
// unsent outbox rows, so that no other sweeper claims them.
func (s *Store) RenewUpdateLeases(ctx context.Context, updateIDs []int64) error {
	const q = `WITH outbox_rows AS (
			UPDATE outbox SET claimed_at = now() WHERE update_id = ANY($1) AND sent_at IS NULL)
		UPDATE updates SET claimed_at = now() WHERE update_id = ANY($1) AND handled_at IS NULL`
	if _, err := s.q(ctx).ExecContext(ctx, q, pq.Array(updateIDs)); err != nil {
		return fmt.Errorf("storage: renew %d update leases: %w", len(updateIDs), err)
	}
	return nil
}

// PruneUpdates forgets handled updates older than keep; Telegram stops
// redelivering long before (it keeps updates for 24 hours).
func (s *Store) PruneUpdates(ctx context.Context, keep time.Duration) (int64, error) {
	const q = `DELETE FROM updates WHERE handled_at < now() - make_interval(secs => $1)`
	res, err := s.q(ctx).ExecContext(ctx, q, keep.Seconds())
	if err != nil {
		return 0, fmt.Errorf("storage: prune updates: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("storage: prune updates: %w", err)
	}
	return n, nil
}
