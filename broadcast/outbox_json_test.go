package broadcast_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// storedRow is a handler's call as the outbox reads it back: marshalled as
// storage.Work.Call does, then out of the jsonb column.
func (v *env) storedRow(id, chat int64, method string, params any) storage.OutboxRow {
	v.t.Helper()
	raw, err := json.Marshal(params)
	if err != nil {
		v.t.Fatal(err)
	}
	var back []byte
	if err := v.store.DB().QueryRow(`SELECT $1::jsonb::text`, string(raw)).Scan(&back); err != nil {
		v.t.Fatal(err)
	}
	return storage.OutboxRow{UpdateID: -id, ChatID: chat, Calls: 1, Method: method, Params: back}
}

func (v *env) flush(e *broadcast.Engine, rows ...storage.OutboxRow) {
	v.t.Helper()
	if err := e.SendOutbox(context.Background(), rows); err != nil {
		v.t.Fatalf("SendOutbox: %v", err)
	}
}

// sameParams reports whether two calls' parameters are the same for the
// Bot API: equal strings, or JSON texts (reply_markup) of equal values.
func sameParams(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok {
			return false
		}
		if va == vb {
			continue
		}
		var ja, jb any
		if json.Unmarshal([]byte(va), &ja) != nil || json.Unmarshal([]byte(vb), &jb) != nil || !reflect.DeepEqual(ja, jb) {
			return false
		}
	}
	return true
}

// jsonCalls lists the calls of method that came as a JSON body, and
// checks that none came otherwise.
func (v *env) jsonCalls(method string) []telegramtest.Call {
	v.t.Helper()
	var out []telegramtest.Call
	for _, c := range v.srv.CallsOf(method) {
		if c.ContentType != "application/json" {
			v.t.Errorf("%s from the outbox arrived as %q, want application/json", method, c.ContentType)
			continue
		}
		out = append(out, c)
	}
	return out
}

var signUp = botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{
	{{Text: "Huỷ đăng ký", CallbackData: "reg:v1:cancel:7"}},
	{{Text: "Bản đồ", URL: "https://maps.example.org/?q=10.77,106.69&z=17"}},
}}

// A reply is posted as the JSON it was stored as, its chat set, and shows
// in the chat as sent.
func TestOutboxSendsStoredParamsAsJSON(t *testing.T) {
	v := newEnv(t)
	e, _ := v.engine(v.testConfig(1000))
	chat := recipients(1)[0]
	text := `<b>Đăng ký thành công</b> & "cảm ơn" bạn` + "\n" + `C:\ngày 7/12 🩸`
	v.flush(e, v.storedRow(1, chat, "sendMessage", &bot.SendMessageParams{
		ChatID: chat, Text: text, ParseMode: models.ParseModeHTML, ReplyMarkup: signUp}))

	calls := v.jsonCalls("sendMessage")
	if len(calls) != 1 {
		t.Fatalf("%d sendMessage calls as JSON, want 1", len(calls))
	}
	markup, _ := json.Marshal(signUp)
	want := map[string]string{"chat_id": fmtID(chat), "text": text, "parse_mode": "HTML", "reply_markup": string(markup)}
	if !sameParams(calls[0].Params, want) {
		t.Errorf("params = %v, want %v", calls[0].Params, want)
	}
	m := v.srv.LastMessage(chat)
	if m.Text != text || !m.HasButton("reg:v1:cancel:7") {
		t.Errorf("the chat shows %q with %v", m.Text, m.InlineKeyboard)
	}
}

// For real rows of every text method, the JSON body carries the same
// parameters as the library's multipart form made from the same row.
func TestOutboxJSONCarriesTheLibrarysFields(t *testing.T) {
	v := newEnv(t)
	e, _ := v.engine(v.testConfig(1000))
	b, _ := botClient(t, v.srv.URL(), v.srv.Token())
	ctx := context.Background()
	chat := recipients(1)[0]
	first, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "Chọn giờ"})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	rows := []struct {
		method string
		params any
		lib    func(raw []byte) error
	}{
		{"sendMessage", &bot.SendMessageParams{ChatID: chat, Text: "<i>Nhắc lịch</i>", ParseMode: models.ParseModeHTML,
			ReplyMarkup: signUp, LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: &yes}, DisableNotification: true},
			libCall[bot.SendMessageParams](chat, b.SendMessage)},
		{"sendMessage", &bot.SendMessageParams{ChatID: chat, Text: "Gửi số điện thoại?",
			ReplyMarkup: botapi.ReplyKeyboard{Keyboard: [][]botapi.KeyButton{{{Text: "📱 Gửi", RequestContact: true}}},
				ResizeKeyboard: true, OneTimeKeyboard: true}},
			libCall[bot.SendMessageParams](chat, b.SendMessage)},
		{"sendMessage", &bot.SendMessageParams{ChatID: chat, Text: "Xong", ReplyMarkup: botapi.RemoveKeyboard{RemoveKeyboard: true}},
			libCall[bot.SendMessageParams](chat, b.SendMessage)},
		{"editMessageText", &bot.EditMessageTextParams{ChatID: chat, MessageID: first.ID, Text: "Đã chọn 9:00", ReplyMarkup: signUp},
			libCall[bot.EditMessageTextParams](chat, b.EditMessageText)},
		{"editMessageReplyMarkup", &bot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: first.ID,
			ReplyMarkup: botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}},
			libCall[bot.EditMessageReplyMarkupParams](chat, b.EditMessageReplyMarkup)},
		{"answerCallbackQuery", &bot.AnswerCallbackQueryParams{CallbackQueryID: "4815162342", Text: "Đã lưu"},
			libCall[bot.AnswerCallbackQueryParams](0, b.AnswerCallbackQuery)},
	}
	for i, r := range rows {
		row := v.storedRow(int64(i+1), chat, r.method, r.params)
		v.flush(e, row)
		_ = r.lib(row.Params) // a repeated edit is "not modified": only its parameters matter here
		var asJSON, asForm *telegramtest.Call
		for _, c := range v.srv.CallsOf(r.method) {
			switch c.ContentType {
			case "application/json":
				asJSON = &c
			case "multipart/form-data":
				asForm = &c
			}
		}
		if asJSON == nil || asForm == nil {
			t.Fatalf("row %d (%s): JSON call %v, form call %v", i, r.method, asJSON != nil, asForm != nil)
		}
		if !sameParams(asJSON.Params, asForm.Params) {
			t.Errorf("row %d (%s): JSON params %v, the library's %v", i, r.method, asJSON.Params, asForm.Params)
		}
	}
}

// libCall makes a row's call through go-telegram/bot, as the outbox did:
// decoded into the library's parameters, its chat set (0: it names none).
func libCall[P any, R any](chat int64, call func(context.Context, *P) (R, error)) func([]byte) error {
	return func(raw []byte) error {
		var p P
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		if chat != 0 {
			reflect.ValueOf(&p).Elem().FieldByName("ChatID").Set(reflect.ValueOf(any(chat)))
		}
		_, err := call(context.Background(), &p)
		return err
	}
}

// A 429 on a JSON call is a flood wait: every sender pauses for its
// retry_after, then the reply goes out.
func TestOutboxJSONFloodWait(t *testing.T) {
	v := newEnv(t)
	e, _ := v.engine(v.testConfig(1000))
	chat := recipients(1)[0]
	v.srv.FailNext("sendMessage", 1, http.StatusTooManyRequests, 1)
	v.flush(e, v.storedRow(1, chat, "sendMessage", &bot.SendMessageParams{ChatID: chat, Text: "Cảm ơn bạn"}))
	calls := v.jsonCalls("sendMessage")
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || !calls[1].OK() {
		t.Fatalf("calls = %+v, want a 429 then the reply", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < 900*time.Millisecond {
		t.Errorf("retried %v after a 429 with retry_after 1", gap)
	}
}

// A 403 on a JSON call is a user who blocked the bot: marked unreachable,
// the row done.
func TestOutboxJSONBlocked(t *testing.T) {
	v := newEnv(t)
	e, _ := v.engine(v.testConfig(1000))
	ctx := context.Background()
	user := recipients(1)[0]
	if _, err := v.store.CreateDonor(ctx, user, user, "vi", "v1"); err != nil {
		t.Fatal(err)
	}
	v.srv.Block(user)
	v.flush(e, v.storedRow(1, user, "sendMessage", &bot.SendMessageParams{ChatID: user, Text: "Nhắc lịch"}))
	if calls := v.jsonCalls("sendMessage"); len(calls) != 1 || calls[0].Status != http.StatusForbidden {
		t.Fatalf("calls = %+v, want one 403", calls)
	}
	if d, err := v.store.Donor(ctx, user); err != nil || d.UnreachableAt.IsZero() {
		t.Errorf("donor not marked unreachable (%v)", err)
	}
}

// A 400 on a JSON edit (not modified, message gone) is done, and the
// chat's next reply still goes out; a button answered too late becomes its
// notice as a message.
func TestOutboxJSONBadRequests(t *testing.T) {
	v := newEnv(t)
	e, _ := v.engine(v.testConfig(1000))
	chat := recipients(1)[0]
	v.flush(e, v.storedRow(1, chat, "sendMessage", &bot.SendMessageParams{ChatID: chat, Text: "Chọn giờ"}))
	id := v.srv.LastMessage(chat).ID
	v.flush(e,
		v.storedRow(2, chat, "editMessageText", &bot.EditMessageTextParams{ChatID: chat, MessageID: id, Text: "Chọn giờ"}),
		v.storedRow(3, chat, "editMessageReplyMarkup", &bot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: id + 100,
			ReplyMarkup: signUp}),
		v.storedRow(4, chat, "answerCallbackQuery", &bot.AnswerCallbackQueryParams{CallbackQueryID: "12345", Text: "Đã huỷ"}),
		v.storedRow(5, chat, "sendMessage", &bot.SendMessageParams{ChatID: chat, Text: "Hẹn gặp bạn"}))
	for method, want := range map[string]string{
		"editMessageText":        "message is not modified",
		"editMessageReplyMarkup": "message to edit not found",
		"answerCallbackQuery":    "query is too old",
	} {
		calls := v.jsonCalls(method)
		if len(calls) != 1 || calls[0].Status != http.StatusBadRequest || !strings.Contains(calls[0].Description, want) {
			t.Errorf("%s calls = %+v, want one 400 %q", method, calls, want)
		}
	}
	var texts []string
	for _, m := range v.srv.Messages(chat) {
		texts = append(texts, m.Text)
	}
	if want := []string{"Chọn giờ", "Đã huỷ", "Hẹn gặp bạn"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("the chat shows %q, want %q", texts, want)
	}
	if n := len(v.jsonCalls("sendMessage")); n != 3 {
		t.Errorf("%d sendMessage calls as JSON, want 3", n)
	}
}
