package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// newBot is the real go-telegram/bot client pointed at srv.
func newBot(t *testing.T, srv *Server) *bot.Bot {
	t.Helper()
	b, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// inlineButton and inlineMarkup are what a bot must send instead of
// models.InlineKeyboardMarkup, whose buttons always carry an empty copy_text.
type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

type inlineMarkup struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

func keyboard(data ...string) inlineMarkup {
	var row []inlineButton
	for _, d := range data {
		row = append(row, inlineButton{Text: "btn " + d, CallbackData: d})
	}
	return inlineMarkup{InlineKeyboard: [][]inlineButton{row}}
}

type apiAnswer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// callJSON makes a Bot API call with a JSON body, as donorbot's own client
// does.
func callJSON(ctx context.Context, srv *Server, method string, params map[string]any) (apiAnswer, int, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return apiAnswer{}, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/bot"+srv.Token()+"/"+method, bytes.NewReader(body))
	if err != nil {
		return apiAnswer{}, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	return doAPI(req)
}

func doAPI(req *http.Request) (apiAnswer, int, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return apiAnswer{}, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return apiAnswer{}, 0, err
	}
	var a apiAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return apiAnswer{}, resp.StatusCode, fmt.Errorf("answer %s: %w", raw, err)
	}
	return a, resp.StatusCode, nil
}

func mustCall(t *testing.T, srv *Server, method string, params map[string]any) apiAnswer {
	t.Helper()
	a, _, err := callJSON(context.Background(), srv, method, params)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestGetMe(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	me, err := b.GetMe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.Username != DefaultBotUsername || !me.IsBot || me.ID != 123456789 {
		t.Fatalf("getMe = %+v", me)
	}
	calls := srv.CallsOf("getMe")
	if len(calls) != 1 || calls[0].Status != 200 {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	srv := New(t)
	b, err := bot.New("42:wrong", bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 1, Text: "hi"})
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if c := srv.Calls(); len(c) != 1 || c[0].Status != http.StatusUnauthorized {
		t.Fatalf("calls = %+v", c)
	}
	if len(srv.Messages(1)) != 0 {
		t.Fatal("message stored despite wrong token")
	}
}

func TestSendMessageStoresState(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 100, Text: fmt.Sprint("hello ", i), ReplyMarkup: keyboard("a", "b")})
		if err != nil {
			t.Fatal(err)
		}
		if msg.ID != i || msg.Chat.ID != 100 || msg.Text != fmt.Sprint("hello ", i) || msg.Date == 0 || msg.From == nil || !msg.From.IsBot {
			t.Fatalf("message %d = %+v", i, msg)
		}
		if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "b" {
			t.Fatalf("reply_markup not echoed: %+v", msg.ReplyMarkup)
		}
	}
	// Ids are per chat.
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 200, Text: "other chat"})
	if err != nil || msg.ID != 1 {
		t.Fatalf("first message in chat 200: %+v, %v", msg, err)
	}
	msgs := srv.Messages(100)
	if len(msgs) != 3 || msgs[2].Text != "hello 3" || !msgs[0].HasButton("a") || msgs[0].InlineKeyboard[0][0].Text != "btn a" {
		t.Fatalf("messages = %+v", msgs)
	}
	if last := srv.LastMessage(100); last.ID != 3 || !last.FromBot || last.Kind != "text" {
		t.Fatalf("last = %+v", last)
	}
	if srv.LastMessage(999).ID != 0 {
		t.Fatal("LastMessage of an empty chat should have ID 0")
	}
	call := srv.CallsOf("sendMessage")[0]
	var mk inlineMarkup
	if err := call.DecodeParam("reply_markup", &mk); err != nil || mk.InlineKeyboard[0][0].CallbackData != "a" {
		t.Fatalf("reply_markup param = %q, %v", call.Params["reply_markup"], err)
	}
	if call.Params["chat_id"] != "100" {
		t.Fatalf("chat_id param = %q", call.Params["chat_id"])
	}
}

func TestRequestEncodings(t *testing.T) {
	srv := New(t)
	markup := `{"inline_keyboard":[[{"text":"Yes","callback_data":"yes"}]]}`
	base := srv.URL() + "/bot" + srv.Token() + "/sendMessage"

	form := url.Values{"chat_id": {"7"}, "text": {"form"}, "reply_markup": {markup}}
	req, _ := http.NewRequest(http.MethodPost, base, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a, _, err := doAPI(req); err != nil || !a.OK {
		t.Fatalf("urlencoded: %+v %v", a, err)
	}

	req, _ = http.NewRequest(http.MethodGet, base+"?"+url.Values{"chat_id": {"7"}, "text": {"query"}}.Encode(), nil)
	if a, _, err := doAPI(req); err != nil || !a.OK {
		t.Fatalf("query: %+v %v", a, err)
	}

	a := mustCall(t, srv, "sendMessage", map[string]any{
		"chat_id": 7, "text": "json",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "Yes", "callback_data": "yes"}}}},
	})
	if !a.OK {
		t.Fatalf("json: %+v", a)
	}
	calls := srv.CallsOf("sendMessage")
	if len(calls) != 3 {
		t.Fatalf("%d calls", len(calls))
	}
	// Objects stay JSON text whatever the encoding.
	if calls[0].Params["reply_markup"] != markup || string(canonicalJSON(calls[2].Params["reply_markup"])) != string(canonicalJSON(markup)) {
		t.Fatalf("reply_markup params: %q / %q", calls[0].Params["reply_markup"], calls[2].Params["reply_markup"])
	}
	if calls[2].Params["chat_id"] != "7" || calls[1].Params["text"] != "query" {
		t.Fatalf("params: %+v %+v", calls[1].Params, calls[2].Params)
	}
	msgs := srv.Messages(7)
	if len(msgs) != 3 || !msgs[0].HasButton("yes") || !msgs[2].HasButton("yes") {
		t.Fatalf("messages = %+v", msgs)
	}
}

func TestConcurrentSendsAreSafe(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			chat := int64(i%6 + 1)
			if _, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chat, Text: "x"}); err != nil {
				t.Error(err)
			}
			srv.Messages(chat)
			srv.Calls()
		})
	}
	wg.Wait()
	for chat := int64(1); chat <= 6; chat++ {
		msgs := srv.Messages(chat)
		if len(msgs) != 10 {
			t.Fatalf("chat %d has %d messages", chat, len(msgs))
		}
		for i, m := range msgs {
			if m.ID != i+1 {
				t.Fatalf("chat %d message ids not sequential: %d at %d", chat, m.ID, i)
			}
		}
	}
}

func TestWaitHelpers(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	go func() {
		for i := range 3 {
			_, _ = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 5, Text: fmt.Sprint("step ", i)})
		}
	}()
	m := srv.WaitText(t, 5, "step 2")
	if m.ID != 3 {
		t.Fatalf("got %+v", m)
	}
	if calls := srv.WaitCalls(t, "sendMessage", 3); len(calls) != 3 {
		t.Fatalf("%d calls", len(calls))
	}

	// A wait that cannot succeed fails the test after the timeout.
	short := New(t, WithWaitTimeout(50*time.Millisecond))
	ft := &fakeTB{}
	func() {
		defer func() { _ = recover() }()
		short.WaitMessage(ft, 5, nil)
	}()
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "no matching bot message") {
		t.Fatalf("fake test errors = %q", ft.errors)
	}
}

// TestSpecGivenReplacesEmbedded: a spec passed with WithSpecJSON is the one
// requests are checked against, and a broken one is refused up front.
func TestSpecGivenReplacesEmbedded(t *testing.T) {
	if _, err := NewServer(WithSpecJSON([]byte(`{"methods": {}}`))); err == nil || !strings.Contains(err.Error(), "spec given") {
		t.Fatalf("NewServer with a spec of no methods: err = %v", err)
	}
	tiny := []byte(`{"version": "Bot API test", "methods": {"getMe": {"name": "getMe", "returns": ["User"], "fields": []}}, "types": {}}`)
	srv, err := NewServer(WithSpecJSON(tiny))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	mustCall(t, srv, "getMe", nil)
	mustCall(t, srv, "sendMessage", map[string]any{"chat_id": 1, "text": "x"})
	if v := srv.Violations(); len(v) != 1 || !strings.Contains(v[0], "sendMessage") {
		t.Fatalf("violations = %q, want sendMessage unknown to the given spec", v)
	}
}

func TestNewServerWithoutTest(t *testing.T) {
	srv, err := NewServer(WithToken("777:abc"), WithBotUser("Bench", "bench_bot"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	defer srv.Close() // idempotent
	a := mustCall(t, srv, "getMe", nil)
	var u models.User
	_ = json.Unmarshal(a.Result, &u)
	if u.ID != 777 || u.Username != "bench_bot" {
		t.Fatalf("getMe = %s", a.Result)
	}
	mustCall(t, srv, "sendMesage", map[string]any{"chat_id": 1, "text": "x"})
	if v := srv.Violations(); len(v) != 1 || !strings.Contains(v[0], "sendMesage") {
		t.Fatalf("violations = %q", v)
	}
	// Without a test, misuse is recorded as a violation too.
	srv.TapButton(User{ID: 1}, 99, "x")
	if v := srv.Violations(); len(v) != 2 || !strings.Contains(v[1], "TapButton") {
		t.Fatalf("violations = %q", v)
	}
}

// fakeTB records what New and the Wait helpers report.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	panic("fatal")
}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) cleanup() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}
