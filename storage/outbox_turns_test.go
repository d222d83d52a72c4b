package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// outboxTuples counts the outbox tuples this database's statements
// inserted, and those the marks updated or deleted, during fn, as
// pg_stat_statements sees them.
func outboxTuples(t *testing.T, s *storage.Store, fn func()) (inserted, marked int64) {
	t.Helper()
	// Not anchored: a statement first run through PREPARE (a plan test)
	// keeps that text in pg_stat_statements.
	got := statsDuring(t, s, fn, `sum(rows) FILTER (WHERE query ~ 'INSERT INTO outbox\M')`,
		`sum(rows) FILTER (WHERE query ~ 'MERGE INTO outbox\M')`)
	return got[0], got[1]
}

// turnUpdate is workUpdate forgotten after the test: tests share the
// package database, and a later one prunes every handled update and
// counts them.
func turnUpdate(t *testing.T, s *storage.Store) (updateID, chatID int64) {
	t.Helper()
	updateID, chatID = workUpdate(t, s)
	t.Cleanup(func() {
		if _, err := s.DB().Exec(`DELETE FROM updates WHERE update_id = $1`, updateID); err != nil {
			t.Error(err)
		}
	})
	return updateID, chatID
}

// TestTurnWritesOneOutboxRow: a screening tap's turn (its conversation,
// the answer to the button, the edited question and the next one) is one
// outbox row, written once by the commit; a mark of some of its calls
// changes it, the mark of its last ones deletes it. A row per call wrote
// four tuples, each into five indexes, and updated the four again; a row
// per turn kept its finished row, updated once more by each mark.
func TestTurnWritesOneOutboxRow(t *testing.T) {
	s := storage.New(testenv.DB(t))
	rdb, prefix := testenv.Redis(t)
	st := storage.NewState(rdb, prefix, time.Hour)
	ctx := context.Background()
	updateID, chatID := turnUpdate(t, s)
	inserted, marked := outboxTuples(t, s, func() {
		wctx, w, err := s.BeginWork(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Rollback()
		if err := st.SaveConversation(wctx, chatID, storage.Conversation{Flow: "screening", Step: "q3"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			method string
			params map[string]any
		}{
			{"answerCallbackQuery", map[string]any{"callback_query_id": "42"}},
			{"editMessageText", map[string]any{"message_id": 7, "text": "Câu 2/8: Có ✅"}},
			{"sendMessage", map[string]any{"text": "Câu 3/8: Trong 7 ngày qua bạn có dùng thuốc kháng sinh không?"}},
		} {
			if err := w.Call(chatID, c.method, c.params); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := w.Commit(ctx, updateID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 {
			t.Fatalf("%d calls committed, want 4", len(rows))
		}
		// The conversation and the answer first: the edit and the
		// next question are visible, marked after them.
		if err := s.MarkOutboxSent(ctx, rows[:2]); err != nil {
			t.Fatal(err)
		}
		var done string
		if err := s.DB().Get(&done, `SELECT done::text FROM outbox WHERE update_id = $1`, updateID); err != nil || done != "1100" {
			t.Errorf("after the first mark: done %q, want 1100 (%v)", done, err)
		}
		if err := s.MarkOutboxSent(ctx, rows[2:]); err != nil {
			t.Fatal(err)
		}
	})
	if inserted != 1 || marked != 2 {
		t.Errorf("one turn of 4 calls marked in two: %d outbox tuples inserted, %d marked; want 1, and 2 (updated, then deleted)", inserted, marked)
	}
	var left int
	if err := s.DB().Get(&left, `SELECT count(*) FROM outbox WHERE update_id = $1`, updateID); err != nil || left != 0 {
		t.Fatalf("%d outbox rows left after every call was marked, want none (%v)", left, err)
	}
}

// TestOutboxTurnCallsFinishApart: the calls of one turn to two chats
// finish apart. A call that fails stops only its own chat: the other
// chat's call, marked sent, is not made again by the sweeper, while the
// failed one and its chat's later call are, in order, until the failed
// one is given up; the turn is done with its last call.
func TestOutboxTurnCallsFinishApart(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	updateID, donor := turnUpdate(t, s)
	admin := donor + 1
	_, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, chat := range []int64{donor, admin, donor} {
		if err := w.Call(chat, "sendMessage", map[string]any{"text": fmt.Sprint("Tin ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := w.Commit(ctx, updateID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkOutboxSent(ctx, rows[1:2]); err != nil {
		t.Fatal(err)
	}
	const maxAttempts = 3
	if err := s.OutboxFailed(ctx, rows[0], "Bad Gateway", maxAttempts); err != nil {
		t.Fatal(err)
	}
	stale := func() []storage.OutboxRow {
		t.Helper()
		all, err := s.ClaimStaleOutbox(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var mine []storage.OutboxRow
		for _, r := range all {
			if r.UpdateID == updateID {
				mine = append(mine, r)
			}
		}
		return mine
	}
	got := stale()
	if len(got) != 2 || got[0].Seq != 0 || got[0].Attempts != 1 || got[1].Seq != 2 || got[1].Attempts != 0 ||
		got[0].ChatID != donor || got[1].ChatID != donor || got[0].Calls != 3 {
		t.Fatalf("swept after the donor's first message failed: %+v; want calls 0 (tried once) and 2", got)
	}
	for range maxAttempts - 1 {
		if err := s.OutboxFailed(ctx, got[0], "Bad Gateway", maxAttempts); err != nil {
			t.Fatal(err)
		}
	}
	got = stale()
	if len(got) != 1 || got[0].Seq != 2 {
		t.Fatalf("swept after the failed message was given up: %+v; want call 2 alone", got)
	}
	var lastError string
	var done bool
	check := `SELECT coalesce(last_error, ''), sent_at IS NOT NULL FROM outbox WHERE update_id = $1`
	if err := s.DB().QueryRow(check, updateID).Scan(&lastError, &done); err != nil || lastError != "Bad Gateway" || done {
		t.Fatalf("turn with a call left: last error %q, done %t, %v", lastError, done, err)
	}
	if err := s.MarkOutboxSent(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRow(check, updateID).Scan(&lastError, &done); err != nil || !done {
		t.Fatalf("turn with every call made or given up: done %t, %v", done, err)
	}
	if got := stale(); len(got) != 0 {
		t.Fatalf("a done turn swept again: %+v", got)
	}
}
