package telegramtest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

var ann = User{ID: 501, FirstName: "Ann", LastName: "Lee", Username: "ann", LanguageCode: "vi"}

func decodeUpdates(t *testing.T, a apiAnswer) []models.Update {
	t.Helper()
	if !a.OK {
		t.Fatalf("getUpdates failed: %+v", a)
	}
	var ups []models.Update
	if err := json.Unmarshal(a.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func getUpdates(t *testing.T, srv *Server, params map[string]any) []models.Update {
	t.Helper()
	return decodeUpdates(t, mustCall(t, srv, "getUpdates", params))
}

func TestGetUpdatesOffsets(t *testing.T) {
	srv := New(t, WithFirstUpdateID(1000))
	id1 := srv.SendText(ann, "/start ref42")
	id2 := srv.SendText(ann, "hello")
	id3 := srv.SendContact(ann, "+84901234567", ann.ID)
	if id1 != 1000 || id2 != 1001 || id3 != 1002 {
		t.Fatalf("ids %d %d %d", id1, id2, id3)
	}
	ups := getUpdates(t, srv, map[string]any{"offset": 0})
	if len(ups) != 3 || ups[0].ID != id1 || ups[2].ID != id3 {
		t.Fatalf("updates = %+v", ups)
	}
	m := ups[0].Message
	if m.Text != "/start ref42" || m.From.ID != ann.ID || m.From.Username != "ann" || m.From.LanguageCode != "vi" || m.Chat.ID != ann.ID || m.Chat.Type != "private" {
		t.Fatalf("message = %+v", m)
	}
	if len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Offset != 0 || m.Entities[0].Length != 6 {
		t.Fatalf("entities = %+v", m.Entities)
	}
	if len(ups[1].Message.Entities) != 0 {
		t.Fatal("plain text got entities")
	}
	if c := ups[2].Message.Contact; c == nil || c.PhoneNumber != "+84901234567" || c.UserID != ann.ID {
		t.Fatalf("contact = %+v", c)
	}
	// Not confirmed yet: the same updates again.
	if ups := getUpdates(t, srv, nil); len(ups) != 3 {
		t.Fatalf("again: %d", len(ups))
	}
	// limit
	if ups := getUpdates(t, srv, map[string]any{"limit": 1}); len(ups) != 1 || ups[0].ID != id1 {
		t.Fatalf("limit: %+v", ups)
	}
	// offset confirms everything below it.
	if ups := getUpdates(t, srv, map[string]any{"offset": id2}); len(ups) != 2 || ups[0].ID != id2 {
		t.Fatalf("offset id2: %+v", ups)
	}
	if ups := getUpdates(t, srv, map[string]any{"offset": 0}); len(ups) != 2 {
		t.Fatalf("id1 was confirmed, got %+v", ups)
	}
	if ups := getUpdates(t, srv, map[string]any{"offset": id3 + 1}); len(ups) != 0 {
		t.Fatalf("all confirmed, got %+v", ups)
	}
	if srv.PendingUpdates() != 0 {
		t.Fatal("pending left")
	}
	// Negative offset keeps the last -offset updates.
	srv.SendText(ann, "a")
	srv.SendText(ann, "b")
	last := srv.SendText(ann, "c")
	if ups := getUpdates(t, srv, map[string]any{"offset": -1}); len(ups) != 1 || ups[0].ID != last {
		t.Fatalf("offset -1: %+v", ups)
	}
	// The user's messages share the chat's message ids with the bot's.
	if conv := srv.Conversation(ann.ID); len(conv) != 6 || conv[5].ID != 6 || conv[5].FromBot {
		t.Fatalf("conversation = %+v", conv)
	}
	if len(srv.Messages(ann.ID)) != 0 {
		t.Fatal("Messages must list only the bot's messages")
	}
}

func TestGetUpdatesLongPoll(t *testing.T) {
	srv := New(t)
	type result struct {
		a   apiAnswer
		err error
		d   time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		a, _, err := callJSON(context.Background(), srv, "getUpdates", map[string]any{"timeout": 10})
		done <- result{a, err, time.Since(start)}
	}()
	srv.WaitUntil(t, "the long poll to start", func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.pollGen == 1
	})
	id := srv.SendText(ann, "wake up")
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	ups := decodeUpdates(t, r.a)
	if len(ups) != 1 || ups[0].ID != id || r.d > 5*time.Second {
		t.Fatalf("updates %+v after %v", ups, r.d)
	}

	// Nothing arrives: the poll ends after its timeout with no updates.
	start := time.Now()
	ups = getUpdates(t, srv, map[string]any{"offset": id + 1, "timeout": 1})
	if d := time.Since(start); len(ups) != 0 || d < 900*time.Millisecond || d > 3*time.Second {
		t.Fatalf("empty poll: %d updates after %v", len(ups), d)
	}

	// The client giving up ends the poll at once.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, _, err := callJSON(ctx, srv, "getUpdates", map[string]any{"timeout": 30}); err == nil {
		t.Fatal("want a context error")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancelled poll took %v", d)
	}
}

func TestGetUpdatesConflicts(t *testing.T) {
	srv := New(t)
	first := make(chan apiAnswer, 1)
	go func() {
		a, _, _ := callJSON(context.Background(), srv, "getUpdates", map[string]any{"timeout": 10})
		first <- a
	}()
	srv.WaitUntil(t, "the first poll", func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.pollGen == 1
	})
	// A second poller (a second bot instance) ends the first with 409.
	if ups := getUpdates(t, srv, nil); len(ups) != 0 {
		t.Fatal(ups)
	}
	if a := <-first; a.OK || a.ErrorCode != 409 || !strings.Contains(a.Description, "terminated by other getUpdates request") {
		t.Fatalf("first poll = %+v", a)
	}

	b := newBot(t, srv)
	if _, err := b.SetWebhook(context.Background(), &bot.SetWebhookParams{URL: "http://127.0.0.1:1/hook"}); err != nil {
		t.Fatal(err)
	}
	a := mustCall(t, srv, "getUpdates", nil)
	if a.OK || a.ErrorCode != 409 || a.Description != conflictWebhook {
		t.Fatalf("with webhook = %+v", a)
	}
	if _, err := b.DeleteWebhook(context.Background(), &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	if a := mustCall(t, srv, "getUpdates", nil); !a.OK {
		t.Fatalf("after deleteWebhook = %+v", a)
	}
}

func TestAllowedUpdates(t *testing.T) {
	srv := New(t)
	hi := srv.SendText(ann, "hi")
	// chat_member is not delivered by default.
	srv.SendUpdate(map[string]any{"chat_member": map[string]any{"chat": map[string]any{"id": -1, "type": "group"}}})
	if ups := getUpdates(t, srv, nil); len(ups) != 1 || ups[0].Message == nil {
		t.Fatalf("default: %+v", ups)
	}
	// allowed_updates applies to updates created after the call.
	if ups := getUpdates(t, srv, map[string]any{"offset": hi + 1, "allowed_updates": []string{"callback_query"}}); len(ups) != 0 {
		t.Fatalf("after confirming: %+v", ups)
	}
	srv.SendText(ann, "again")
	tap := srv.SendUpdate(&models.Update{CallbackQuery: &models.CallbackQuery{ID: "q1", From: models.User{ID: ann.ID}, Data: "x"}})
	ups := getUpdates(t, srv, nil) // the setting persists
	if len(ups) != 1 || ups[0].ID != tap || ups[0].CallbackQuery.ID != "q1" {
		t.Fatalf("callback_query only: %+v", ups)
	}
	// An empty list restores the default.
	getUpdates(t, srv, map[string]any{"offset": tap + 1, "allowed_updates": []string{}})
	if id := srv.SendText(ann, "back"); len(getUpdates(t, srv, nil)) != 1 {
		t.Fatalf("message %d not delivered after reset", id)
	}
}

func TestSendUpdate(t *testing.T) {
	srv := New(t, WithFirstUpdateID(50))
	id := srv.SendUpdate(&models.Update{ID: 999, MyChatMember: &models.ChatMemberUpdated{
		Chat: models.Chat{ID: ann.ID, Type: "private"}, From: models.User{ID: ann.ID, FirstName: "Ann"}, Date: 1,
		OldChatMember: models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &models.User{ID: 1}}},
		NewChatMember: models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &models.User{ID: 1}}},
	}})
	if id != 50 {
		t.Fatalf("id = %d", id)
	}
	raw, ok := srv.Update(id)
	var u models.Update
	if !ok || json.Unmarshal(raw, &u) != nil || u.ID != 50 || u.MyChatMember == nil || u.MyChatMember.NewChatMember.Type != models.ChatMemberTypeBanned {
		t.Fatalf("stored update = %s", raw)
	}
	if id := srv.SendUpdate(`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"raw"}}`); id != 51 {
		t.Fatalf("json id = %d", id)
	}
	if _, err := srv.TrySendUpdate(map[string]any{"message": 1, "edited_message": 2}); err == nil {
		t.Fatal("two kinds in one update must fail")
	}
}

func TestTapButton(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SendText(ann, "/donate")
	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "Which day?", ReplyMarkup: keyboard("mon", "tue")})
	if err != nil {
		t.Fatal(err)
	}
	id := srv.TapButton(ann, sent.ID, "tue")
	raw, _ := srv.Update(id)
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatal(err)
	}
	cq := u.CallbackQuery
	if cq == nil || cq.ID == "" || cq.Data != "tue" || cq.From.ID != ann.ID || cq.ChatInstance == "" {
		t.Fatalf("callback_query = %+v", cq)
	}
	if cq.Message.Message == nil || cq.Message.Message.ID != sent.ID || cq.Message.Message.Text != "Which day?" || cq.Message.Message.ReplyMarkup == nil {
		t.Fatalf("callback message = %+v", cq.Message.Message)
	}

	if ok, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Booked", ShowAlert: true}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ans, ok := srv.CallbackAnswer(id); !ok || ans.Text != "Booked" || !ans.ShowAlert {
		t.Fatalf("answer = %+v %v", ans, ok)
	}
	_, err = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID})
	if err == nil || !strings.Contains(err.Error(), "query is too old") {
		t.Fatalf("second answer: %v", err)
	}

	// A user can only tap what is shown.
	if _, err := srv.TryTapButton(ann, sent.ID, "wed"); err == nil || !strings.Contains(err.Error(), `no inline button with callback_data "wed"`) {
		t.Fatalf("tap missing button: %v", err)
	}
	if _, err := srv.TryTapButton(ann, 1, "mon"); err == nil {
		t.Fatal("tapping the user's own message must fail")
	}
	ft := &fakeTB{}
	fake := New(ft)
	if id := fake.TapButton(ann, 1, "x"); id != 0 || len(ft.errors) != 1 {
		t.Fatalf("TapButton on a fake test: id %d, errors %q", id, ft.errors)
	}
	ft.cleanup()

	// After an edit removes the keyboard the old button is gone.
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: ann.ID, MessageID: sent.ID, Text: "Booked for Tuesday"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.TryTapButton(ann, sent.ID, "tue"); err == nil {
		t.Fatal("tapped a removed button")
	}
}

func TestRedeliverPolling(t *testing.T) {
	srv := New(t)
	id := srv.SendText(ann, "x")
	if ups := getUpdates(t, srv, map[string]any{"offset": id + 1}); len(ups) != 0 {
		t.Fatal(ups)
	}
	if err := srv.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	// Returned once even though its id is below the offset...
	if ups := getUpdates(t, srv, map[string]any{"offset": id + 1}); len(ups) != 1 || ups[0].ID != id {
		t.Fatalf("redelivered: %+v", ups)
	}
	// ...and confirmed by the next offset.
	if ups := getUpdates(t, srv, map[string]any{"offset": id + 1}); len(ups) != 0 {
		t.Fatalf("after confirmation: %+v", ups)
	}
	if err := srv.Redeliver(12345); err == nil {
		t.Fatal("unknown update")
	}
}
