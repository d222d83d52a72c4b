package migrations_test

import (
	"context"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/migrations"
	"donorbot/storage"
)

// TestOutboxTurnsCarryUnsentCalls: the calls a running system left in the
// outbox of one row per call (migration 00011) carry over to the outbox
// of one row per turn (00032): those unsent stay to be made, in order and
// with their attempts, those sent stay done; a turn sent entirely is gone.
func TestOutboxTurnsCarryUnsentCalls(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	p, err := migrations.Provider(db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, 32, false); err != nil {
		t.Fatalf("down 00032: %v", err)
	}
	chat := testenv.TelegramID()
	turn, sent, single := chat*10, chat*10+1, chat*10+2
	const insert = `INSERT INTO outbox (update_id, chat_id, seq, method, params, claimed_at, sent_at, attempts, last_error)
		VALUES ($1, $4, 0, 'conv', '{"user_id":1,"conv":null}', now() - interval '1 hour', now(), 0, NULL),
			($1, $4, 1, 'sendMessage', '{"text":"Câu 3/8"}', now() - interval '1 hour', NULL, 2, 'Bad Gateway'),
			($1, $4 + 1, 2, 'sendMessage', '{"text":"Người hiến mới"}', now() - interval '1 hour', NULL, 0, NULL),
			($2, $4, 0, 'sendMessage', '{"text":"Đã gửi"}', now() - interval '1 hour', now(), 0, NULL),
			($3, $4, 0, 'answerCallbackQuery', '{"callback_query_id":"7"}', now() - interval '1 hour', NULL, 0, NULL)`
	if _, err := db.Exec(insert, turn, sent, single, chat); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, 32, true); err != nil {
		t.Fatalf("up 00032: %v", err)
	}
	var rows int
	if err := db.Get(&rows, `SELECT count(*) FROM outbox WHERE update_id IN ($1, $2, $3)`, turn, sent, single); err != nil || rows != 2 {
		t.Fatalf("%d outbox rows carried over, %v; want the 2 turns with calls left", rows, err)
	}
	left, err := storage.New(db).ClaimStaleOutbox(ctx, time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	type call struct {
		update       int64
		seq, tries   int
		chat         int64
		method, text string
	}
	var got []call
	for _, r := range left {
		if r.UpdateID == turn || r.UpdateID == single {
			got = append(got, call{r.UpdateID, r.Seq, r.Attempts, r.ChatID, r.Method, string(r.Params)})
		}
	}
	want := []call{
		{turn, 1, 2, chat, "sendMessage", `{"text": "Câu 3/8"}`},
		{single, 0, 0, chat, "answerCallbackQuery", `{"callback_query_id": "7"}`},
		{turn, 2, 0, chat + 1, "sendMessage", `{"text": "Người hiến mới"}`},
	}
	if len(got) != len(want) {
		t.Fatalf("calls left after the migration: %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("call %d left after the migration: %+v, want %+v", i, got[i], want[i])
		}
	}
}
