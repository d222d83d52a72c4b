package botapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/botapi"
	"donorbot/telegramtest"
)

// callers are both ways of calling the fake Bot API at url: the library,
// and JSONCaller through the same client.
func callers(t *testing.T, url, token string) (*bot.Bot, *botapi.JSONCaller) {
	t.Helper()
	hc := &http.Client{}
	b, err := bot.New(token, bot.WithServerURL(url), bot.WithSkipGetMe(), bot.WithHTTPClient(0, hc))
	if err != nil {
		t.Fatal(err)
	}
	return b, botapi.NewJSONCaller(hc, url, token)
}

// Every refusal comes back as the library's own value, word for word, so
// that the outbox's classification (a flood wait, a blocked user, a 400
// treated as done) sees the same thing on either path.
func TestJSONCallerErrorsAreTheLibrarys(t *testing.T) {
	srv := telegramtest.New(t)
	b, api := callers(t, srv.URL(), srv.Token())
	ctx := context.Background()
	const chat = 4242
	for _, code := range []int{400, 401, 403, 404, 409, 429, 500, 502} {
		srv.FailNext("sendMessage", 2, code, 7)
		_, want := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "Xin chào"})
		got := api.Call(ctx, "sendMessage", []byte(`{"chat_id":4242,"text":"Xin chào"}`), nil)
		if got == nil || want == nil || got.Error() != want.Error() {
			t.Errorf("HTTP %d: JSONCaller's error %v, the library's %v", code, got, want)
			continue
		}
		for _, sentinel := range []error{bot.ErrorBadRequest, bot.ErrorUnauthorized, bot.ErrorForbidden,
			bot.ErrorNotFound, bot.ErrorConflict} {
			if errors.Is(got, sentinel) != errors.Is(want, sentinel) {
				t.Errorf("HTTP %d: errors.Is(err, %v) differs from the library's (%v)", code, sentinel, want)
			}
		}
		gotWait, gotFlood := botapi.FloodWait(got)
		wantWait, wantFlood := botapi.FloodWait(want)
		if gotWait != wantWait || gotFlood != wantFlood {
			t.Errorf("HTTP %d: FloodWait = %v %v, the library's %v %v", code, gotWait, gotFlood, wantWait, wantFlood)
		}
	}
	n := 0
	for _, c := range srv.CallsOf("sendMessage") {
		if c.ContentType == "application/json" {
			n++
		}
	}
	if n != 8 {
		t.Errorf("%d of JSONCaller's 8 calls arrived as application/json", n)
	}
}

// A wrong token and a server that is gone: the same errors, and the token
// never in them (they are logged).
func TestJSONCallerTransportErrors(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := context.Background()
	b, api := callers(t, srv.URL(), "123:wrong")
	_, want := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"})
	got := api.Call(ctx, "sendMessage", []byte(`{"chat_id":1,"text":"x"}`), nil)
	if got == nil || want == nil || got.Error() != want.Error() || !errors.Is(got, bot.ErrorUnauthorized) {
		t.Errorf("wrong token: JSONCaller's error %v, the library's %v", got, want)
	}

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	b, api = callers(t, gone.URL, srv.Token())
	_, want = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"})
	got = api.Call(ctx, "sendMessage", []byte(`{"chat_id":1,"text":"x"}`), nil)
	if got == nil || want == nil || got.Error() != want.Error() {
		t.Errorf("server gone: JSONCaller's error %v, the library's %v", got, want)
	}
	if strings.Contains(got.Error(), srv.Token()) {
		t.Errorf("the token is in the error: %v", got)
	}
}

// A caller that wants the result (the sent message's id) gets it from the
// one decoding of the answer.
func TestJSONCallerResult(t *testing.T) {
	srv := telegramtest.New(t)
	_, api := callers(t, srv.URL(), srv.Token())
	var sent models.Message
	if err := api.Call(context.Background(), "sendMessage", []byte(`{"chat_id":77,"text":"Lịch hiến máu"}`), &sent); err != nil {
		t.Fatal(err)
	}
	last := srv.LastMessage(77)
	if sent.ID == 0 || sent.ID != last.ID || sent.Text != "Lịch hiến máu" {
		t.Errorf("result = id %d %q, the chat's message id %d", sent.ID, sent.Text, last.ID)
	}
}
