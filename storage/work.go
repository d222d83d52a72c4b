package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Work is the unit of work of one update: one PostgreSQL transaction that
// every Store method called with its context runs in, the Bot API calls
// the update's answer makes (buffered, not sent), and the conversation
// writes (buffered, applied to Redis after commit). Commit stores the
// state, the buffered calls as one outbox row and the update's handled mark
// together; a crash before it leaves nothing done, a crash after it leaves
// the outbox row for another process to send.
//
// The transaction begins at the unit's first statement that may write or
// lock (see Store.q); reads declared plain (Store.read) run on the pool
// until then, which under READ COMMITTED sees what the transaction's own
// statement would. A unit that wrote nothing but its conversation and
// replies never begins one: its commit statement alone is atomic.
type Work struct {
	db    *sqlx.DB
	tx    *sqlx.Tx // nil until the first statement that may write
	calls []OutboxCall
	// owed are sent calls of earlier turns whose marks are owed (Carry);
	// carried are those Commit marked.
	owed, carried []OutboxRow
	// conv holds the conversations written in this unit, by user (nil:
	// ended), in the order first written.
	conv      map[int64]*Conversation
	convOrder []int64
	// pending caches pendingConversation by user: nothing but this unit
	// writes a user's conversation while it handles their update.
	pending map[int64]*conversationWrite
	// state is where the conversations written in this unit go, and
	// their pending markers before the commit.
	state *State
	// record is the sender's EligibilityRecord read with their donor row,
	// good until the unit writes anything but a new registration (see
	// open and beginFlatSparingRecord).
	record *cachedRecord
	// sender is the donor row id DonorWithRecord read, good until the unit
	// deletes that donor (DeleteDonor).
	sender   *senderID
	nextSave int
	done     bool
	after    []func(context.Context) error
}

// OutboxCall is one buffered Bot API call to a chat.
type OutboxCall struct {
	ChatID int64
	Method string
	Params json.RawMessage
}

// OutboxRow is one call of a committed turn, waiting to be sent (or
// sent). A turn's calls are stored together, one outbox row per turn.
type OutboxRow struct {
	UpdateID int64
	Seq      int // the call's place in its turn
	Calls    int // how many calls the turn made
	ChatID   int64
	Method   string
	Params   json.RawMessage
	Attempts int
}

// MethodConversation is the outbox method of a conversation write: its
// params are a conversationWrite, applied to Redis rather than sent.
const MethodConversation = "conv"

type workKey struct{}

type committedKey struct{}

// CommitFlag records the updates units of work committed with their
// handled mark, so that the caller need not mark them again.
type CommitFlag struct{ ids []int64 }

// WithCommitFlag returns a context whose units of work record their
// commits in f.
func WithCommitFlag(ctx context.Context, f *CommitFlag) context.Context {
	return context.WithValue(ctx, committedKey{}, f)
}

// Marked reports whether a unit of work committed updateID as handled.
func (f *CommitFlag) Marked(updateID int64) bool { return slices.Contains(f.ids, updateID) }

// BeginWork opens a unit of work; the returned context carries it. The
// caller must Commit or Rollback it.
func (s *Store) BeginWork(ctx context.Context) (context.Context, *Work, error) {
	if workFrom(ctx) != nil {
		return nil, nil, errors.New("storage: begin work: a unit of work is already open")
	}
	w := &Work{db: s.db, conv: map[int64]*Conversation{}, pending: map[int64]*conversationWrite{}}
	return context.WithValue(ctx, workKey{}, w), w, nil
}

// open returns the unit's transaction, beginning it on first use. Its
// caller may write anything, so the cached record is dropped.
func (w *Work) open(ctx context.Context) (*sqlx.Tx, error) {
	w.record = nil
	return w.openSparingRecord(ctx)
}

// openSparingRecord is open for a caller that writes nothing the
// EligibilityRecord reads.
func (w *Work) openSparingRecord(ctx context.Context) (*sqlx.Tx, error) {
	if w.tx != nil {
		return w.tx, nil
	}
	tx, err := w.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("storage: begin work: %w", err)
	}
	w.tx = tx
	return tx, nil
}

func workFrom(ctx context.Context) *Work {
	w, _ := ctx.Value(workKey{}).(*Work)
	if w == nil || w.done {
		return nil
	}
	return w
}

// InWork reports whether ctx carries an open unit of work.
func InWork(ctx context.Context) bool { return workFrom(ctx) != nil }

// WorkOf returns the open unit of work ctx carries, or nil.
func WorkOf(ctx context.Context) *Work { return workFrom(ctx) }

// Call buffers a Bot API call to chatID; it is sent after Commit, in the
// order buffered.
func (w *Work) Call(chatID int64, method string, params any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("storage: buffer %s to %d: %w", method, chatID, err)
	}
	w.calls = append(w.calls, OutboxCall{ChatID: chatID, Method: method, Params: raw})
	return nil
}

// After registers fn to run once the unit has committed and its calls
// went out, outside any unit of work: for what must see the committed
// state, or follow the replies.
func (w *Work) After(fn func(context.Context) error) { w.after = append(w.after, fn) }

// Afters returns the functions registered with After.
func (w *Work) Afters() []func(context.Context) error { return w.after }

// Calls returns the Bot API calls buffered so far.
func (w *Work) Calls() []OutboxCall { return w.calls }

// conversationWrite is the params of a MethodConversation row.
type conversationWrite struct {
	UserID int64         `json:"user_id"`
	Conv   *Conversation `json:"conv"` // nil: ended
}

// Commit stores the unit's effects and marks updateID handled, in the
// transaction of its state changes. The rows come back claimed by the
// caller, who sends them (conversations first, then the calls in order).
func (w *Work) Commit(ctx context.Context, updateID int64) ([]OutboxRow, error) {
	if w.done {
		return nil, errors.New("storage: commit: unit of work already finished")
	}
	calls := make([]OutboxCall, 0, len(w.convOrder)+len(w.calls))
	for _, userID := range w.convOrder {
		raw, err := json.Marshal(conversationWrite{UserID: userID, Conv: w.conv[userID]})
		if err != nil {
			w.Rollback()
			return nil, fmt.Errorf("storage: commit update %d: %w", updateID, err)
		}
		calls = append(calls, OutboxCall{ChatID: userID, Method: MethodConversation, Params: raw})
	}
	calls = append(calls, w.calls...)
	if len(w.convOrder) > 0 && w.state != nil {
		// Before the commit: once committed, a write must be found by
		// the next unit even if this process dies before applying it. A
		// marker left by a commit that then fails costs the next unit
		// one outbox read, nothing more.
		if err := w.state.markPending(ctx, w.convOrder, updateID); err != nil {
			w.Rollback()
			return nil, err
		}
	}
	// Without a transaction, the statement commits alone: the handled
	// mark, the replies and the conversation, atomically.
	defer noteCommit(ctx) // whatever the outcome: an error may hide a commit
	var err error
	if updates, masks := doneMasks(w.owed); len(updates) == 1 {
		_, err = w.current().ExecContext(ctx, commitCarryingSQL, updateID, turnCalls(calls), len(calls), updates[0], masks[0])
		w.carried = w.owed
	} else {
		// None, or (rarely) several turns: the timer marks those.
		_, err = w.current().ExecContext(ctx, commitSQL, updateID, turnCalls(calls), len(calls))
	}
	if err != nil {
		w.Rollback()
		return nil, fmt.Errorf("storage: commit update %d: %w", updateID, err)
	}
	w.done = true
	if w.tx != nil {
		if err := w.tx.Commit(); err != nil {
			return nil, fmt.Errorf("storage: commit update %d: %w", updateID, err)
		}
	}
	if f, ok := ctx.Value(committedKey{}).(*CommitFlag); ok {
		f.ids = append(f.ids, updateID)
	}
	rows := make([]OutboxRow, len(calls))
	for i, c := range calls {
		rows[i] = OutboxRow{UpdateID: updateID, Seq: i, Calls: len(calls), ChatID: c.ChatID, Method: c.Method, Params: c.Params}
	}
	return rows, nil
}

// commitSQL stores the turn's row and marks the update in one statement:
// a round trip less on every turn. The row is claimed as of this statement
// (clock_timestamp), not of the transaction's start (now()): a turn that
// ran longer than the lease would otherwise commit replies the sweeper may
// take over while this process sends them too.
const commitSQL = `WITH handled AS (
		UPDATE updates SET handled_at = now(), payload = NULL WHERE update_id = $1)
	INSERT INTO outbox (update_id, calls, done, attempts, claimed_at)
	SELECT $1, $2::jsonb, repeat('0', $3)::varbit, array_fill(0, ARRAY[$3]), clock_timestamp() WHERE $3 > 0`

// commitCarryingSQL is commitSQL carrying the sent marks owed for the
// chat's earlier turn (Carry): markActions' two halves, for the one turn
// usually owed. The update looks for the row only when the delete did not
// take it: a carried mark usually finishes its turn, and the update then
// had nothing to do but find the row a second time.
const commitCarryingSQL = `WITH handled AS (
		UPDATE updates SET handled_at = now(), payload = NULL WHERE update_id = $1),
	m AS (SELECT $4::bigint AS update_id, $5::varbit AS done),
	finished AS (` + finishSQL + ` RETURNING 1),
	partly AS (` + partlySQL + ` AND NOT EXISTS (SELECT FROM finished))
	INSERT INTO outbox (update_id, calls, done, attempts, claimed_at)
	SELECT $1, $2::jsonb, repeat('0', $3)::varbit, array_fill(0, ARRAY[$3]), clock_timestamp() WHERE $3 > 0`

// Carry has Commit mark rows sent in its statement: the marks owed for
// the chat's earlier turn (broadcast's owed_marks.go), a statement less.
// Given before the unit reads a conversation, they also tell it which
// committed conversation writes were applied though not yet marked.
func (w *Work) Carry(rows []OutboxRow) { w.owed = rows }

// Carried returns the marks Commit carried: those given to Carry when they
// were of one turn (the usual case), none otherwise.
func (w *Work) Carried() []OutboxRow { return w.carried }

// Rollback abandons the unit of work; after Commit it does nothing.
func (w *Work) Rollback() {
	if w.done {
		return
	}
	w.done = true
	if w.tx != nil {
		_ = w.tx.Rollback() // the error says only that the connection is gone
	}
}

// IsRetryable reports whether err is a serialization failure or a
// deadlock: the unit of work was rolled back and may be run again.
func IsRetryable(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "40001" || pqErr.Code == "40P01")
}

// querier is what Store methods run SQL on: the pool, or the transaction
// of the unit of work in progress.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error)
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
}

// q is where a method called with ctx runs its SQL: in a unit of work,
// its transaction, begun by the first statement.
func (s *Store) q(ctx context.Context) querier {
	if w := workFrom(ctx); w != nil && w.db == s.db {
		return workQuerier{w}
	}
	noteOutside(ctx)
	return s.db
}

// outboxQ is q for the outbox's own bookkeeping (a call marked sent or
// failed): not noted as a turn's write (TurnWrites), because what a turn
// may have read ahead of itself, its sender, reads no outbox. Noting it
// made the next turn of a chat read its sender again whenever the last
// turn marked a message between two it sent.
func (s *Store) outboxQ(ctx context.Context) querier {
	if w := workFrom(ctx); w != nil && w.db == s.db {
		return workQuerier{w}
	}
	return s.db
}

// read is q for a plain read (no lock, no write, no function that
// writes): in a unit of work whose transaction has not begun, it runs on
// the pool, so that a turn that only reads begins none.
func (s *Store) read(ctx context.Context) querier {
	if w := workFrom(ctx); w != nil && w.db == s.db {
		return w.current()
	}
	return s.db
}

// writeSparingRecord is q for one statement that writes nothing the
// EligibilityRecord reads: in a unit of work, its transaction (begun if
// need be) with the unit's cached record kept; else the pool, where the
// statement commits alone.
func (s *Store) writeSparingRecord(ctx context.Context) (querier, error) {
	if w := workFrom(ctx); w != nil && w.db == s.db {
		return w.openSparingRecord(ctx)
	}
	return s.db, nil
}

// current is the transaction once begun, else the pool.
func (w *Work) current() querier {
	if w.tx != nil {
		return w.tx
	}
	return w.db
}

// workQuerier runs each statement in its unit's transaction, beginning it
// first if need be.
type workQuerier struct{ w *Work }

func (q workQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tx, err := q.w.open(ctx)
	if err != nil {
		return nil, err
	}
	return tx.ExecContext(ctx, query, args...)
}

func (q workQuerier) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	tx, err := q.w.open(ctx)
	if err != nil {
		return err
	}
	return tx.GetContext(ctx, dest, query, args...)
}

func (q workQuerier) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	tx, err := q.w.open(ctx)
	if err != nil {
		return err
	}
	return tx.SelectContext(ctx, dest, query, args...)
}

func (q workQuerier) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	tx, err := q.w.open(ctx)
	if err != nil {
		return nil, err
	}
	return tx.QueryxContext(ctx, query, args...)
}

// QueryRowxContext cannot return BEGIN's error itself (sqlx.Row hides its
// error field): the query then runs on a context canceled with that
// cause, so that it fails before reaching the database, and its Scan
// returns the cancellation.
func (q workQuerier) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	tx, err := q.w.open(ctx)
	if err != nil {
		dead, cancel := context.WithCancelCause(ctx)
		cancel(err)
		return q.w.db.QueryRowxContext(dead, query, args...)
	}
	return tx.QueryRowxContext(ctx, query, args...)
}

// dbTx is a transaction of the Store's own: a plain one, or a savepoint in
// the unit of work in progress, so that its rollback on error undoes only
// its own statements.
type dbTx struct {
	*sqlx.Tx
	savepoint string // "" for a plain transaction
	// flat: in the unit of work without a savepoint (see beginFlat).
	flat     bool
	finished bool
}

// begin opens a dbTx. A read-only option applies to a plain transaction
// only.
func (s *Store) begin(ctx context.Context, opts *sql.TxOptions) (*dbTx, error) {
	if w := workFrom(ctx); w != nil && w.db == s.db {
		tx, err := w.open(ctx)
		if err != nil {
			return nil, err
		}
		w.nextSave++
		name := "sp" + strconv.Itoa(w.nextSave)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
			return nil, err
		}
		return &dbTx{Tx: tx, savepoint: name}, nil
	}
	noteOutside(ctx)
	tx, err := s.db.BeginTxx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &dbTx{Tx: tx}, nil
}

// beginFlat is begin for a transaction that needs no savepoint in a unit
// of work: every failure its caller handles comes before its first write
// and from no statement that aborts a transaction, so there is never
// anything to undo apart from the unit. Any other failure fails the unit.
// It saves the SAVEPOINT and RELEASE round trips of the turns that
// register, screen and cancel.
func (s *Store) beginFlat(ctx context.Context) (*dbTx, error) {
	return s.beginFlatWith(ctx, (*Work).open)
}

// beginFlatSparingRecord is beginFlat for a transaction that writes
// nothing the EligibilityRecord reads: the unit keeps the record it read
// with its sender (DonorWithRecord), which a later read in the
// transaction would find unchanged.
func (s *Store) beginFlatSparingRecord(ctx context.Context) (*dbTx, error) {
	return s.beginFlatWith(ctx, (*Work).openSparingRecord)
}

// beginFlatWith joins the unit's transaction through open, or begins a
// transaction of its own outside a unit.
func (s *Store) beginFlatWith(ctx context.Context, open func(*Work, context.Context) (*sqlx.Tx, error)) (*dbTx, error) {
	if w := workFrom(ctx); w != nil && w.db == s.db {
		tx, err := open(w, ctx)
		if err != nil {
			return nil, err
		}
		return &dbTx{Tx: tx, flat: true}, nil
	}
	return s.begin(ctx, nil)
}

// Commit commits, or releases the savepoint.
func (t *dbTx) Commit() error {
	if t.finished {
		return sql.ErrTxDone
	}
	t.finished = true
	if t.flat {
		return nil
	}
	if t.savepoint == "" {
		return t.Tx.Commit()
	}
	_, err := t.Exec("RELEASE SAVEPOINT " + t.savepoint)
	return err
}

// Rollback undoes the transaction, or what was done since the savepoint;
// after Commit it does nothing.
func (t *dbTx) Rollback() error {
	if t.finished {
		return nil
	}
	t.finished = true
	if t.flat {
		return nil
	}
	if t.savepoint == "" {
		return t.Tx.Rollback()
	}
	if _, err := t.Exec("ROLLBACK TO SAVEPOINT " + t.savepoint); err != nil {
		return err
	}
	_, err := t.Exec("RELEASE SAVEPOINT " + t.savepoint)
	return err
}

// pendingConversation is the newest committed conversation write of
// userID not yet applied to Redis (its process died, or is applying it
// right now): it is newer than what Redis holds. Asked only when the
// user's pending marker is set (see convpending.go); upTo is the marker,
// the newest update that may have written one, so the lookup starts at
// that turn's row.
func (w *Work) pendingConversation(ctx context.Context, userID, upTo int64) (*conversationWrite, bool, error) {
	if cw, seen := w.pending[userID]; seen {
		return cw, cw != nil, nil
	}
	const q = `SELECT c.call->'params' AS params, get_bit(o.done, (c.pos - 1)::int) = 1 AS applied,
			o.update_id, (c.pos - 1)::int AS seq
		FROM outbox o CROSS JOIN LATERAL jsonb_array_elements(o.calls) WITH ORDINALITY AS c(call, pos)
		WHERE o.update_id <= $1 AND o.sent_at IS NULL AND o.calls @> $2::jsonb
			AND c.call @> ($2::jsonb -> 0)
		ORDER BY o.update_id DESC LIMIT 1`
	mine := `[{"chat_id":` + strconv.FormatInt(userID, 10) + `,"method":"` + MethodConversation + `"}]`
	var found struct {
		Params   []byte `db:"params"`
		Applied  bool   `db:"applied"`
		UpdateID int64  `db:"update_id"`
		Seq      int    `db:"seq"`
	}
	err := w.current().GetContext(ctx, &found, q, upTo, mine) // a plain read
	if err == nil && !found.Applied {
		// Applied by this process, its mark owed and carried by this unit.
		found.Applied = slices.ContainsFunc(w.owed, func(r OutboxRow) bool {
			return r.UpdateID == found.UpdateID && r.Seq == found.Seq
		})
	}
	if errors.Is(err, sql.ErrNoRows) || err == nil && found.Applied {
		// Applied: Redis holds this write, or a newer one.
		w.pending[userID] = nil
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("storage: pending conversation of %d: %w", userID, err)
	}
	var cw conversationWrite
	if err := json.Unmarshal(found.Params, &cw); err != nil {
		return nil, false, fmt.Errorf("storage: pending conversation of %d: %w", userID, err)
	}
	w.pending[userID] = &cw
	return &cw, true, nil
}

// guarded runs a statement whose failure the caller handles (a duplicate
// name, say): in a unit of work it runs inside a savepoint, since a failed
// statement would otherwise abort the whole transaction.
func (s *Store) guarded(ctx context.Context, fn func(q querier) error) error {
	if w := workFrom(ctx); w == nil || w.db != s.db {
		noteOutside(ctx)
		return fn(s.db)
	}
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit()
}
