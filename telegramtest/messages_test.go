package telegramtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestEditMessage(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 9, Text: "Come on Monday?", ReplyMarkup: keyboard("yes", "no")})
	if err != nil {
		t.Fatal(err)
	}
	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 9, MessageID: sent.ID, Text: "See you Monday", ReplyMarkup: keyboard("cancel")})
	if err != nil {
		t.Fatal(err)
	}
	if edited.ID != sent.ID || edited.Text != "See you Monday" || edited.EditDate == 0 || edited.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "cancel" {
		t.Fatalf("edited = %+v", edited)
	}
	m := srv.Messages(9)
	if len(m) != 1 || m[0].Text != "See you Monday" || !m[0].Edited || !m[0].HasButton("cancel") || m[0].HasButton("yes") {
		t.Fatalf("state = %+v", m)
	}

	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 9, MessageID: sent.ID, Text: "See you Monday", ReplyMarkup: keyboard("cancel")})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("same edit: %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 9, MessageID: 42, Text: "x"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("unknown id: %v", err)
	}

	// An edit without reply_markup drops the keyboard, like Telegram.
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 9, MessageID: sent.ID, Text: "See you Monday"}); err != nil {
		t.Fatal(err)
	}
	if srv.LastMessage(9).InlineKeyboard != nil {
		t.Fatal("keyboard kept")
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: 9, MessageID: sent.ID, ReplyMarkup: keyboard("again")}); err != nil {
		t.Fatal(err)
	}
	if !srv.LastMessage(9).HasButton("again") {
		t.Fatal("markup not replaced")
	}
	_, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: 9, MessageID: sent.ID, ReplyMarkup: keyboard("again")})
	if err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("same markup: %v", err)
	}
	_, err = b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: 9, MessageID: sent.ID, Caption: "c"})
	if err == nil || !strings.Contains(err.Error(), "no caption") {
		t.Fatalf("caption of a text message: %v", err)
	}

	// Users' messages cannot be edited by the bot.
	srv.SendText(User{ID: 9, FirstName: "Ann"}, "hi")
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 9, MessageID: 2, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message can't be edited") {
		t.Fatalf("edit user message: %v", err)
	}
}

func TestDeleteMessage(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	for range 3 {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 3, Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: 3, MessageID: 2}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if m := srv.Messages(3); len(m) != 2 || m[0].ID != 1 || m[1].ID != 3 {
		t.Fatalf("messages = %+v", m)
	}
	_, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: 3, MessageID: 2})
	if err == nil || !strings.Contains(err.Error(), "message to delete not found") {
		t.Fatalf("second delete: %v", err)
	}
	// Ids keep growing after a deletion.
	if m, _ := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 3, Text: "x"}); m.ID != 4 {
		t.Fatalf("id after delete = %d", m.ID)
	}
}

func TestMultipartUpload(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	pdf := []byte("%PDF-1.4 donor certificate")
	msg, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:      11,
		Document:    &models.InputFileUpload{Filename: "certificate.pdf", Data: bytes.NewReader(pdf)},
		Caption:     "Your certificate",
		ReplyMarkup: keyboard("ok"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Document == nil || msg.Document.FileName != "certificate.pdf" || msg.Document.FileID == "" || msg.Document.MimeType != "application/pdf" ||
		msg.Document.FileSize != int64(len(pdf)) || msg.Caption != "Your certificate" {
		t.Fatalf("message = %+v, document = %+v", msg, msg.Document)
	}
	call := srv.CallsOf("sendDocument")[0]
	if f := call.Files["document"]; f.Name != "certificate.pdf" || !bytes.Equal(f.Data, pdf) {
		t.Fatalf("recorded file = %q %q", f.Name, f.Data)
	}
	if call.Params["caption"] != "Your certificate" {
		t.Fatalf("params = %+v", call.Params)
	}
	stored := srv.LastMessage(11)
	if stored.Kind != "document" || stored.Document == nil || !bytes.Equal(stored.Document.Data, pdf) || stored.Caption != "Your certificate" {
		t.Fatalf("stored = %+v", stored)
	}

	// getFile and the download URL serve the upload.
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: msg.Document.FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, pdf) {
		t.Fatalf("download: %d %q", resp.StatusCode, body)
	}

	// The file_id can be sent again; an unknown one is rejected.
	again, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 12, Document: &models.InputFileString{Data: msg.Document.FileID}})
	if err != nil || again.Document.FileID != msg.Document.FileID || srv.LastMessage(12).Document.Name != "certificate.pdf" {
		t.Fatalf("resend: %+v %v", again, err)
	}
	_, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 12, Document: &models.InputFileString{Data: "nonexistent"}})
	if err == nil || !strings.Contains(err.Error(), "wrong file identifier") {
		t.Fatalf("unknown file_id: %v", err)
	}

	// Photos come back in several sizes.
	photo, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 11, Photo: &models.InputFileUpload{Filename: "qr.png", Data: bytes.NewReader([]byte("PNG"))}})
	if err != nil {
		t.Fatal(err)
	}
	if len(photo.Photo) != 3 || photo.Photo[2].Width != 800 {
		t.Fatalf("photo = %+v", photo.Photo)
	}
	if p := srv.LastMessage(11).Photo; p == nil || p.Name != "qr.png" || string(p.Data) != "PNG" {
		t.Fatalf("stored photo = %+v", p)
	}
	// Editing the caption of a media message works.
	if _, err := b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: 11, MessageID: photo.ID, Caption: "scan me"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.LastMessage(11); m.Caption != "scan me" || !m.Edited {
		t.Fatalf("caption edit: %+v", m)
	}
}

func TestOtherMethods(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	if ok, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: 1, Action: models.ChatActionTyping}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	scope := &models.BotCommandScopeAllPrivateChats{}
	cmds := []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "donate", Description: "Book a donation"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, Scope: scope, LanguageCode: "vi"}); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{Scope: scope, LanguageCode: "vi"})
	if err != nil || len(got) != 2 || got[1].Command != "donate" {
		t.Fatalf("getMyCommands = %+v %v", got, err)
	}
	if got, _ := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{}); len(got) != 0 {
		t.Fatalf("default scope = %+v", got)
	}
	if c := srv.MyCommands(scope, "vi"); len(c) != 2 {
		t.Fatalf("MyCommands = %+v", c)
	}
	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{Scope: scope, LanguageCode: "vi"}); err != nil {
		t.Fatal(err)
	}
	if c := srv.MyCommands(scope, "vi"); len(c) != 0 {
		t.Fatalf("after delete = %+v", c)
	}
	// Methods the fake does not model answer with the documented type.
	if _, err := b.SetMyDescription(ctx, &bot.SetMyDescriptionParams{Description: "Blood donation bot"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: 5}); err != nil {
		t.Fatal(err)
	}
	if m, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: -100123, UserID: 5}); err != nil || m.Member == nil {
		t.Fatalf("getChatMember: %+v %v", m, err)
	}
	if _, err := b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: 2, FromChatID: 1, MessageID: 77}); err == nil {
		t.Fatal("copying a missing message must fail")
	}
}
