package broadcast_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// turnOf commits one turn of chat that sends a message, carrying the
// marks owed for the chat as handlers do, and returns its rows.
func (v *env) turnOf(e *broadcast.Engine, chat, updateID int64) []storage.OutboxRow {
	v.t.Helper()
	ctx := context.Background()
	if _, err := v.store.AcceptUpdate(ctx, updateID, chat, chat, []byte(`{"update_id":1}`)); err != nil {
		v.t.Fatal(err)
	}
	v.t.Cleanup(func() {
		if _, err := v.store.DB().Exec(`DELETE FROM outbox WHERE update_id = $1`, updateID); err != nil {
			v.t.Error(err)
		}
		if _, err := v.store.DB().Exec(`DELETE FROM updates WHERE update_id = $1`, updateID); err != nil {
			v.t.Error(err)
		}
	})
	_, w, err := v.store.BeginWork(ctx)
	if err != nil {
		v.t.Fatal(err)
	}
	defer w.Rollback()
	if err := w.Call(chat, "sendMessage", map[string]any{"chat_id": chat, "text": fmt.Sprint("Tin ", updateID)}); err != nil {
		v.t.Fatal(err)
	}
	w.Carry(e.MarksOf(chat))
	rows, err := w.Commit(ctx, updateID)
	if err != nil {
		v.t.Fatal(err)
	}
	e.MarksCarried(w.Carried())
	return rows
}

// outboxRows counts the outbox rows of an update: 0 once its calls are
// marked sent.
func (v *env) outboxRows(updateID int64) int {
	v.t.Helper()
	var n int
	if err := v.store.DB().Get(&n, `SELECT count(*) FROM outbox WHERE update_id = $1`, updateID); err != nil {
		v.t.Fatal(err)
	}
	return n
}

// TestNextTurnCarriesTheOwedMarks: a flush returns without waiting for
// the mark of its last message; the chat's next turn marks it in its own
// commit, before its reply goes out, so no mark statement of its own is
// made; a stop marks what is still owed.
func TestNextTurnCarriesTheOwedMarks(t *testing.T) {
	v := newEnv(t)
	cfg := v.testConfig(1000)
	cfg.MarkLinger = cfg.Lease / 2 // no timed mark within the test
	b, hc := botClient(t, v.srv.URL(), v.srv.Token())
	e, err := broadcast.New(cfg, broadcast.Deps{Store: v.store, Redis: v.rdb, Bot: b,
		API: botapi.NewJSONCaller(hc, v.srv.URL(), v.srv.Token()), Log: slog.New(slog.DiscardHandler), Render: render})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- e.Run(ctx) }()
	defer stop()
	chat := recipients(1)[0]
	first, second := chat*10, chat*10+1

	if err := e.SendOutbox(context.Background(), v.turnOf(e, chat, first)); err != nil {
		t.Fatal(err)
	}
	if n := v.outboxRows(first); n != 1 {
		t.Fatalf("first turn: %d outbox rows after its flush, want 1 (its mark owed)", n)
	}
	if owed := e.MarksOf(chat); len(owed) != 1 || owed[0].UpdateID != first {
		t.Fatalf("owed after the first flush: %+v, want the first turn's message", owed)
	}
	rows := v.turnOf(e, chat, second)
	if n := v.outboxRows(first); n != 0 {
		t.Errorf("first turn: %d outbox rows after the second turn committed, want 0 (carried)", n)
	}
	if owed := e.MarksOf(chat); len(owed) != 0 {
		t.Errorf("still owed after the second turn's commit: %+v", owed)
	}
	if err := e.SendOutbox(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	if n := len(v.sends([]int64{chat})); n != 2 {
		t.Errorf("%d messages arrived, want 2", n)
	}

	stop()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if n := v.outboxRows(second); n != 0 {
		t.Errorf("second turn: %d outbox rows after the engine stopped, want 0 (marked at the stop)", n)
	}
}

// TestOwedMarksAreMarkedInTime: a chat with no next turn has its last
// message marked by the timer.
func TestOwedMarksAreMarkedInTime(t *testing.T) {
	v := newEnv(t)
	cfg := v.testConfig(1000)
	cfg.MarkLinger = 10 * time.Millisecond
	e, _ := v.engine(cfg)
	chat := recipients(1)[0]
	if err := e.SendOutbox(context.Background(), v.turnOf(e, chat, chat*10)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for v.outboxRows(chat*10) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the owed mark was not made within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if owed := e.MarksOf(chat); len(owed) != 0 {
		t.Errorf("still owed after the timed mark: %+v", owed)
	}
}

// TestOwedMarksWaitOneLingerForTheNextTurn: a mark owed is left to the
// chat's next turn for at least a whole MarkLinger, even when the timer
// fires meanwhile for older marks; the turn then carries it. A timer that
// marked whatever was owed when it fired took marks owed a moment before,
// whose turns were about to carry them: a statement, and a carry that
// found nothing, for most turns under load.
func TestOwedMarksWaitOneLingerForTheNextTurn(t *testing.T) {
	v := newEnv(t)
	cfg := v.testConfig(1000)
	cfg.MarkLinger = 500 * time.Millisecond
	e, _ := v.engine(cfg)
	chat := recipients(1)[0]
	first, second := chat*10, chat*10+1
	if err := e.SendOutbox(context.Background(), v.turnOf(e, chat, first)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(cfg.MarkLinger * 6 / 5) // the timer has fired once
	if owed := e.MarksOf(chat); len(owed) != 1 || owed[0].UpdateID != first {
		t.Fatalf("owed after one linger: %+v, want the first turn's message, for the next turn", owed)
	}
	v.turnOf(e, chat, second)
	if n := v.outboxRows(first); n != 0 {
		t.Errorf("first turn: %d outbox rows after the second turn committed, want 0 (carried)", n)
	}
}

// TestSweepMarksWhatThisProcessSent: a call sent whose mark is still owed
// when its row's lease has run out (a flush slowed by an outage, a lease
// renewal lost to a deadlock) is marked by the outbox sweep, not sent a
// second time.
func TestSweepMarksWhatThisProcessSent(t *testing.T) {
	v := newEnv(t)
	cfg := v.testConfig(1000)
	cfg.MarkLinger = cfg.Lease / 2 // nothing but the sweep marks it within the test
	e, _ := v.engine(cfg)
	chat := recipients(1)[0]
	ctx := context.Background()
	updateID := chat * 10
	if err := e.SendOutbox(ctx, v.turnOf(e, chat, updateID)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.store.DB().Exec(`UPDATE outbox SET claimed_at = claimed_at - interval '1 hour'
		WHERE update_id = $1`, updateID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SweepOutbox(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := v.srv.Messages(chat); len(got) != 1 {
		t.Errorf("%d messages in the chat after the sweep, want the one sent before it", len(got))
	}
	if n := v.outboxRows(updateID); n != 0 {
		t.Errorf("%d outbox rows after the sweep, want 0 (marked)", n)
	}
	if owed := e.MarksOf(chat); len(owed) != 0 {
		t.Errorf("still owed after the sweep marked it: %+v", owed)
	}
}

// TestSweepLeavesAFlushItsCalls: a row whose lease runs out while this
// process's flush is still making its call (the answer slow to come) is
// claimed by the sweep but left to the flush: the message goes out once.
func TestSweepLeavesAFlushItsCalls(t *testing.T) {
	chat := recipients(1)[0]
	updateID := chat * 10
	var e *broadcast.Engine
	var swept sync.Once
	var v *env
	var sweepErr error
	v = newEnv(t, telegramtest.WithCallHook(func(c telegramtest.Call) {
		if c.Method != "sendMessage" {
			return
		}
		// The flush waits for this answer while the lease runs out and
		// the sweep claims the row.
		swept.Do(func() {
			if _, sweepErr = v.store.DB().Exec(`UPDATE outbox SET claimed_at = claimed_at - interval '1 hour'
				WHERE update_id = $1`, updateID); sweepErr == nil {
				_, sweepErr = e.SweepOutbox(context.Background(), time.Minute)
			}
		})
	}))
	cfg := v.testConfig(1000)
	cfg.MarkLinger = cfg.Lease / 2
	e, _ = v.engine(cfg)
	if err := e.SendOutbox(context.Background(), v.turnOf(e, chat, updateID)); err != nil {
		t.Fatal(err)
	}
	if sweepErr != nil {
		t.Fatal(sweepErr)
	}
	if got := v.srv.Messages(chat); len(got) != 1 {
		t.Errorf("%d messages in the chat, want 1: the sweep sent the flush's call again", len(got))
	}
}
