package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// serveEcho is the ceiling: a bare go-telegram/bot in webhook mode, as its
// README shows it, that answers every message and tap with one sendMessage.
// It runs as its own process, like donorbot, so that its CPU and memory are
// measured the same way.
func serveEcho(getenv func(string) string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	echo := func(ctx context.Context, b *tg.Bot, upd *models.Update) {
		var chat int64
		var text string
		switch {
		case upd.Message != nil:
			chat, text = upd.Message.Chat.ID, upd.Message.Text
		case upd.CallbackQuery != nil:
			chat, text = upd.CallbackQuery.From.ID, upd.CallbackQuery.Data
		default:
			return
		}
		if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: text}); err != nil {
			fmt.Fprintln(os.Stderr, "echo:", err)
		}
	}
	b, err := tg.New(getenv("TELEGRAM_BOT_TOKEN"), tg.WithServerURL(getenv("TELEGRAM_API_URL")),
		tg.WithSkipGetMe(), tg.WithDefaultHandler(echo), tg.WithWebhookSecretToken(getenv("WEBHOOK_SECRET")))
	if err != nil {
		return err
	}
	go b.StartWebhook(ctx)
	return serveWebhook(ctx, getenv, b, b.WebhookHandler())
}

// serveWebhook listens on LISTEN_ADDR, registers WEBHOOK_URL with the fake
// (the driver waits for that call) and serves h until ctx ends.
func serveWebhook(ctx context.Context, getenv func(string) string, b *tg.Bot, h http.Handler) error {
	ln, err := net.Listen("tcp", getenv("LISTEN_ADDR"))
	if err != nil {
		return err
	}
	if _, err := b.SetWebhook(ctx, &tg.SetWebhookParams{URL: getenv("WEBHOOK_URL"), SecretToken: getenv("WEBHOOK_SECRET")}); err != nil {
		return err
	}
	srv := &http.Server{Handler: h}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
