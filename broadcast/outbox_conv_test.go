package broadcast_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// A turn's flush applies its conversation in the script that takes its
// message's tokens: one EVALSHA (MGET, TIME, the conversation's SET, the
// two tokens' SETs), not a script of its own before it. A write applied
// late still leaves a newer one in place, and both messages arrive. With
// Redis gone, the message waits with its conversation for the sweep.
func TestFlushAppliesItsConversationWithItsTokens(t *testing.T) {
	v := newEnv(t)
	srv := testenv.StartRedis(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.MaxRetries = -1
	v.rdb = redis.NewClient(opt)
	t.Cleanup(func() { _ = v.rdb.Close() })
	st := storage.NewState(v.rdb, v.prefix, time.Hour)
	b, hc := botClient(t, v.srv.URL(), v.srv.Token())
	e, err := broadcast.New(v.testConfig(1000), broadcast.Deps{Store: v.store, State: st, Redis: v.rdb, Bot: b,
		API: botapi.NewJSONCaller(hc, v.srv.URL(), v.srv.Token()), Log: slog.New(slog.DiscardHandler), Render: render})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	chats := recipients(3)
	send := func(chat, updateID int64, step string) error {
		conv := fmt.Sprintf(`{"user_id":%d,"conv":{"flow":"screening","step":%q}}`, chat, step)
		return e.SendOutbox(context.Background(), []storage.OutboxRow{
			{UpdateID: updateID, ChatID: chat, Calls: 2, Method: storage.MethodConversation, Params: []byte(conv)},
			{UpdateID: updateID, ChatID: chat, Seq: 1, Calls: 2, Method: "sendMessage",
				Params: []byte(fmt.Sprintf(`{"chat_id":%d,"text":"Câu tiếp theo"}`, chat))},
		})
	}
	flush := func(chat, updateID int64, step string) {
		t.Helper()
		if err := send(chat, updateID, step); err != nil {
			t.Fatal(err)
		}
	}
	step := func(chat int64) string {
		t.Helper()
		c, _, err := st.Conversation(context.Background(), chat)
		if err != nil {
			t.Fatal(err)
		}
		return c.Step
	}
	flush(chats[0], 100, "q2") // loads the script
	got := testenv.CommandsIn(t, v.rdb, func() { flush(chats[1], 200, "q2") })
	want := map[string]int64{"evalsha": 1, "mget": 1, "time": 1, "set": 3}
	if !maps.Equal(got, want) {
		t.Errorf("Redis commands of a flush of a conversation and a message: %v, want %v", got, want)
	}
	if s := step(chats[1]); s != "q2" {
		t.Fatalf("conversation after the flush: step %q, want q2", s)
	}
	flush(chats[1], 199, "q1")
	if s := step(chats[1]); s != "q2" {
		t.Errorf("an older write applied late left step %q, want the newer q2", s)
	}
	if n := len(v.sends(chats)); n != 3 {
		t.Errorf("%d messages arrived, want 3", n)
	}

	// Committed rows, so that their attempts are counted.
	rows := commitTurn(t, v.store, st, chats[2], "q2")
	srv.Stop()
	if err := e.SendOutbox(context.Background(), rows); err == nil {
		t.Error("a flush whose conversation could not be applied reported no error")
	}
	if n := len(v.sends(chats[2:])); n != 0 {
		t.Errorf("%d messages went out before their conversation was applied, want 0", n)
	}
	for _, r := range rows {
		var attempts int
		if err := v.store.DB().Get(&attempts,
			`SELECT coalesce(attempts[$2 + 1], 0) FROM outbox WHERE update_id = $1`, r.UpdateID, r.Seq); err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{storage.MethodConversation: 1}[r.Method]; attempts != want {
			t.Errorf("%s row: %d failed attempts, want %d (the message waits for its conversation)", r.Method, attempts, want)
		}
	}
}

// commitTurn commits a unit of work of the user's private chat that moves
// their conversation to step and sends a message, and returns its outbox
// rows.
func commitTurn(t *testing.T, s *storage.Store, st *storage.State, userID int64, step string) []storage.OutboxRow {
	t.Helper()
	ctx := context.Background()
	updateID := userID
	if _, err := s.AcceptUpdate(ctx, updateID, userID, userID, []byte(`{"update_id":1}`)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := s.DB().Exec(`DELETE FROM outbox WHERE update_id = $1`, updateID); err != nil {
			t.Error(err)
		}
		if _, err := s.DB().Exec(`DELETE FROM updates WHERE update_id = $1`, updateID); err != nil {
			t.Error(err)
		}
	})
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if err := st.SaveConversation(wctx, userID, storage.Conversation{Flow: "screening", Step: step}); err != nil {
		t.Fatal(err)
	}
	if err := w.Call(userID, "sendMessage", map[string]string{"text": "Câu tiếp theo"}); err != nil {
		t.Fatal(err)
	}
	rows, err := w.Commit(ctx, updateID)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
