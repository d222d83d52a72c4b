package telegramtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// expectViolation asserts that err is Telegram's 400 with desc, and that
// exactly one violation mentioning detail was recorded; it consumes the
// violations so the test passes.
func expectViolation(t *testing.T, srv *Server, err error, desc, detail string) {
	t.Helper()
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), desc) {
		t.Errorf("err = %v, want bad request %q", err, desc)
	}
	v := srv.TakeViolations()
	if len(v) != 1 || !strings.Contains(v[0], detail) {
		t.Errorf("violations = %q, want one with %q", v, detail)
	}
}

func TestViolationMissingChatID(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	// go-telegram/bot sends a nil ChatID as "null".
	_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{Text: "hi"})
	expectViolation(t, srv, err, "chat_id is empty", "sendMessage: Bad Request: chat_id is empty")
	if c := srv.CallsOf("sendMessage"); len(c) != 1 || c[0].Status != http.StatusBadRequest {
		t.Fatalf("calls = %+v", c)
	}
	_, err = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 1})
	expectViolation(t, srv, err, "message text is empty", "required parameter text")
}

func TestViolationTextLength(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: strings.Repeat("a", 4097)})
	expectViolation(t, srv, err, "message is too long", "4097 characters")

	// 4096 characters are fine, even when they take more bytes or UTF-16
	// units (lengths are counted in runes, see maxTextLen).
	for _, text := range []string{strings.Repeat("a", 4096), strings.Repeat("я", 4096), strings.Repeat("🩸", 4096)} {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	// HTML tags do not count.
	html := "<b>" + strings.Repeat("a", 4090) + "</b> &lt;3"
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: html, ParseMode: models.ParseModeHTML}); err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 1, MessageID: 1, Text: strings.Repeat("b", 4097)})
	expectViolation(t, srv, err, "message is too long", "editMessageText")

	_, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 1, Document: &models.InputFileString{Data: "https://example.com/a.pdf"}, Caption: strings.Repeat("c", 1025)})
	expectViolation(t, srv, err, "message caption is too long", "1025 characters")
}

func TestViolationHTML(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	for _, bad := range []string{"Donor <Ivan>", "a < b", "<b>bold", "<b><i>x</b></i>", "<span>x</span>"} {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: bad, ParseMode: models.ParseModeHTML})
		expectViolation(t, srv, err, "can't parse entities", "text:")
	}
	for _, good := range []string{"<b>x</b> <i>y</i> <a href=\"https://t.me\">z</a>", "a &lt; b &amp; c > d", `<span class="tg-spoiler">s</span>`, "<pre><code class=\"language-go\">x</code></pre>"} {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: good, ParseMode: models.ParseModeHTML}); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	// Without parse_mode the text is literal.
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "a < b"}); err != nil {
		t.Fatal(err)
	}
}

func TestViolationCallbackData(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: keyboard(strings.Repeat("d", 65))})
	expectViolation(t, srv, err, "BUTTON_DATA_INVALID", "65 bytes")
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: keyboard(strings.Repeat("d", 64))}); err != nil {
		t.Fatal(err)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x",
		ReplyMarkup: inlineMarkup{InlineKeyboard: [][]inlineButton{{{Text: "", CallbackData: "a"}}}}})
	expectViolation(t, srv, err, "BUTTON_TEXT_INVALID", ".text is missing or empty")
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x",
		ReplyMarkup: inlineMarkup{InlineKeyboard: [][]inlineButton{{{Text: "both", CallbackData: "a", URL: "https://t.me"}}}}})
	expectViolation(t, srv, err, "exactly one", "2 action fields")
	if len(srv.Messages(1)) != 1 {
		t.Fatal("rejected messages must not be stored")
	}
}

func TestViolationLibraryEmptyCopyText(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{
		ChatID: 1, Text: "pick",
		ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Yes", CallbackData: "yes"}}}},
	})
	expectViolation(t, srv, err, "copy_text", "copy_text.text is 0 characters")
	if !strings.Contains(srv.CallsOf("sendMessage")[0].Params["reply_markup"], `"copy_text":{"text":""}`) {
		t.Fatal("expected the library to send an empty copy_text")
	}
	// A real copy_text button is fine.
	type copyButton struct {
		Text     string            `json:"text"`
		CopyText map[string]string `json:"copy_text"`
	}
	_, err = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 1, Text: "code",
		ReplyMarkup: map[string]any{"inline_keyboard": [][]copyButton{{{Text: "Copy", CopyText: map[string]string{"text": "ABC-123"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestViolationReplyKeyboard(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x",
		ReplyMarkup: models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: ""}}}}})
	expectViolation(t, srv, err, "keyboard button text is empty", "keyboard[0][0]")

	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "share",
		ReplyMarkup: models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: "Share phone", RequestContact: true}}}, ResizeKeyboard: true, OneTimeKeyboard: true}})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.LastMessage(1)
	if len(m.ReplyKeyboard) != 1 || !m.ReplyKeyboard[0][0].RequestContact || m.ReplyKeyboard[0][0].Text != "Share phone" {
		t.Fatalf("reply keyboard = %+v", m.ReplyKeyboard)
	}
	if kb := srv.ReplyKeyboard(1); len(kb) != 1 {
		t.Fatalf("current keyboard = %+v", kb)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "thanks", ReplyMarkup: models.ReplyKeyboardRemove{RemoveKeyboard: true}}); err != nil {
		t.Fatal(err)
	}
	if !srv.LastMessage(1).RemoveKeyboard || srv.ReplyKeyboard(1) != nil {
		t.Fatal("keyboard not removed")
	}
	// Edits only take inline keyboards.
	_, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: 1, MessageID: 1,
		ReplyMarkup: models.ReplyKeyboardRemove{RemoveKeyboard: true}})
	expectViolation(t, srv, err, "inline keyboard expected", "ReplyKeyboardRemove given")
}

func TestViolationUnknownFieldAndMethod(t *testing.T) {
	srv := New(t)
	a := mustCall(t, srv, "sendMessage", map[string]any{"chat_id": 1, "text": "x", "disable_web_page_preview": true})
	if a.OK || a.ErrorCode != 400 || !strings.Contains(a.Description, `unknown parameter "disable_web_page_preview"`) {
		t.Fatalf("answer = %+v", a)
	}
	a = mustCall(t, srv, "sendmessage", map[string]any{"chat_id": 1, "text": "x"})
	if a.OK || a.ErrorCode != 404 || a.Description != "Not Found" {
		t.Fatalf("answer = %+v", a)
	}
	a = mustCall(t, srv, "sendMessage", map[string]any{"chat_id": 1, "text": "x", "disable_notification": "maybe"})
	if a.OK || !strings.Contains(a.Description, "wrong parameter disable_notification") {
		t.Fatalf("answer = %+v", a)
	}
	// go-telegram/bot's EditMessageCaptionParams tags ShowCaptionAboveMedia as "k".
	b := newBot(t, srv)
	_, err := b.EditMessageCaption(context.Background(), &bot.EditMessageCaptionParams{ChatID: 1, MessageID: 1, Caption: "c", ShowCaptionAboveMedia: true})
	if err == nil {
		t.Fatal("want an error")
	}
	v := srv.TakeViolations()
	if len(v) != 4 || !strings.Contains(v[1], "sendmessage") || !strings.Contains(v[3], `unknown parameter "k"`) {
		t.Fatalf("violations = %q", v)
	}
}

func TestViolationsOtherChecks(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	_, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "go"}}})
	expectViolation(t, srv, err, "BOT_COMMAND_INVALID", `"Start"`)
	_, err = b.SetWebhook(ctx, &bot.SetWebhookParams{URL: "http://127.0.0.1:1/hook", SecretToken: "bad secret!"})
	expectViolation(t, srv, err, "secret token contains unallowed characters", "secret_token")
	_, err = b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: 1, Action: "dancing"})
	expectViolation(t, srv, err, "wrong parameter action", "dancing")
	_, err = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "1", Text: strings.Repeat("x", 201)})
	expectViolation(t, srv, err, "MESSAGE_TOO_LONG", "201 characters")
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{MessageID: 1, Text: "x"})
	expectViolation(t, srv, err, "chat_id is empty", "inline_message_id")
	if srv.WebhookURL() != "" {
		t.Fatal("rejected setWebhook must not set the webhook")
	}
}

func TestNewFailsTheTestForViolations(t *testing.T) {
	ft := &fakeTB{}
	srv := New(ft)
	mustCall(t, srv, "sendMessage", map[string]any{"text": "no chat"})
	mustCall(t, srv, "sendMessage", map[string]any{"chat_id": 1, "text": strings.Repeat("x", 5000)})
	ft.cleanup()
	if len(ft.errors) != 2 || !strings.Contains(ft.errors[0], "chat_id is empty") || !strings.Contains(ft.errors[1], "message is too long") {
		t.Fatalf("errors = %q", ft.errors)
	}
	// After TakeViolations nothing is left to report.
	ft2 := &fakeTB{}
	srv2 := New(ft2)
	mustCall(t, srv2, "sendMessage", map[string]any{"text": "no chat"})
	srv2.TakeViolations()
	ft2.cleanup()
	if len(ft2.errors) != 0 {
		t.Fatalf("errors = %q", ft2.errors)
	}
}

// A client that dies mid-request (a test SIGKILLs the bot while it sends)
// leaves a body shorter than its Content-Length. The real server never
// sees that request, so it is no call and no violation; a complete body
// whose multipart is broken still is one.
func TestClientGoneMidBodyIsNoViolation(t *testing.T) {
	srv := New(t)
	form := "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n1\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello"
	send := func(declared int, body string) string {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /bot%s/sendMessage HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"+
			"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n%s", srv.Token(), declared, body)
		if c, ok := conn.(*net.TCPConn); ok && declared > len(body) {
			c.CloseWrite() // the client is gone: no more bytes will come
		}
		reply, _ := io.ReadAll(conn)
		return string(reply)
	}

	send(len(form)+100, form)
	if calls, v := srv.Calls(), srv.Violations(); len(calls) != 0 || len(v) != 0 {
		t.Fatalf("truncated body: calls %v, violations %q; want none", calls, v)
	}

	// Same parts, every byte announced, but no closing boundary: a client bug.
	reply := send(len(form), form)
	if !strings.Contains(reply, "400 Bad Request") {
		t.Errorf("broken multipart answered %q, want 400", reply)
	}
	if v := srv.TakeViolations(); len(v) != 1 || !strings.Contains(v[0], "can't parse request") {
		t.Errorf("broken multipart: violations %q, want one", v)
	}
}
