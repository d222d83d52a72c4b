package telegramtest

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// startEchoBot runs a small go-telegram/bot bot: /start offers two buttons,
// a tap is answered and the message edited. mode "poll" uses the library's
// getUpdates loop, "webhook" its webhook handler behind an httptest server.
func startEchoBot(t *testing.T, srv *Server, mode string) {
	t.Helper()
	handler := func(ctx context.Context, b *bot.Bot, u *models.Update) {
		switch {
		case u.Message != nil && strings.HasPrefix(u.Message.Text, "/start"):
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID,
				Text: "Hello, " + u.Message.From.FirstName + "! Donate?", ReplyMarkup: keyboard("yes", "no")})
		case u.CallbackQuery != nil:
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "Noted"})
			m := u.CallbackQuery.Message.Message
			_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: m.Chat.ID, MessageID: m.ID, Text: "You said " + u.CallbackQuery.Data})
		}
	}
	opts := []bot.Option{bot.WithServerURL(srv.URL()), bot.WithDefaultHandler(handler), bot.WithNotAsyncHandlers()}
	if mode == "webhook" {
		opts = append(opts, bot.WithWebhookSecretToken("hook-secret"))
	}
	b, err := bot.New(srv.Token(), opts...) // calls getMe
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // runs before the server's cleanup
	if mode == "poll" {
		go b.Start(ctx)
		return
	}
	hs := httptest.NewServer(b.WebhookHandler())
	t.Cleanup(hs.Close)
	go b.StartWebhook(ctx)
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hs.URL, SecretToken: "hook-secret"}); err != nil {
		t.Fatal(err)
	}
}

func TestEndToEnd(t *testing.T) {
	for _, mode := range []string{"poll", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			srv := New(t)
			startEchoBot(t, srv, mode)
			srv.SendText(ann, "/start")
			greeting := srv.WaitText(t, ann.ID, "Hello, Ann!")
			tap := srv.TapButton(ann, greeting.ID, "yes")
			edited := srv.WaitMessage(t, ann.ID, func(m Message) bool { return m.Edited })
			if edited.ID != greeting.ID || edited.Text != "You said yes" || edited.InlineKeyboard != nil {
				t.Fatalf("edited = %+v", edited)
			}
			srv.WaitUntil(t, "the callback answer", func() bool { _, ok := srv.CallbackAnswer(tap); return ok })
			if a, _ := srv.CallbackAnswer(tap); a.Text != "Noted" {
				t.Fatalf("answer = %+v", a)
			}
			srv.WaitIdle(t)
		})
	}
}

// BenchmarkSendMessage measures the fake's own throughput, the ceiling for
// benchmarks of the bot built on it.
func BenchmarkSendMessage(b *testing.B) {
	srv := New(b)
	client, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: keyboard("a")}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
