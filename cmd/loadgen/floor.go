package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/bot"
	"donorbot/storage"
)

// serveFloor is the work every donorbot update costs, whatever its journey,
// and nothing else: the update is stored in PostgreSQL before the webhook
// answers 200 (so that none is lost), answered with the Bot API calls a
// donorbot update makes (a tap: answerCallbackQuery, editMessageReplyMarkup
// to close the question, sendMessage with the next one; a message: one
// sendMessage), and marked handled. No Redis, no donor record, no journey.
// What donorbot does beyond it is its own cost; what the floor itself costs
// bounds any bot that keeps the inbox's promise on this machine. As
// -target calls it skips PostgreSQL: the Bot API calls alone.
func serveFloor(getenv func(string) string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var store *storage.Store // nil for -target calls: the Bot API calls alone
	if url := getenv("DATABASE_URL"); url != "" {
		var err error
		if store, err = storage.Open(ctx, url); err != nil {
			return err
		}
		defer store.Close()
		if err := store.Migrate(ctx); err != nil {
			return err
		}
	}
	b, err := tg.New(getenv("TELEGRAM_BOT_TOKEN"), tg.WithServerURL(getenv("TELEGRAM_API_URL")), tg.WithSkipGetMe())
	if err != nil {
		return err
	}
	answer := func(ctx context.Context, upd *models.Update) error {
		if cq := upd.CallbackQuery; cq != nil {
			// The driver makes its query ids up, so the fake answers 400, as
			// it does to donorbot.
			_, err := b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID})
			if err != nil && !errors.Is(err, tg.ErrorBadRequest) {
				return err
			}
			if m := cq.Message.Message; m != nil {
				_, err := b.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: m.Chat.ID, MessageID: m.ID,
					ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}})
				if err != nil && !errors.Is(err, tg.ErrorBadRequest) {
					return err
				}
			}
			_, err = b.SendMessage(ctx, &tg.SendMessageParams{ChatID: cq.From.ID, Text: cq.Data})
			return err
		}
		if m := upd.Message; m != nil {
			_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: m.Chat.ID, Text: m.Text})
			return err
		}
		return nil
	}
	secret := []byte(getenv("WEBHOOK_SECRET"))
	webhook := func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")), secret) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		var upd models.Update
		if err != nil || json.Unmarshal(body, &upd) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		fresh := true
		if store != nil {
			chat, user := bot.Route(&upd)
			if fresh, err = store.AcceptUpdate(r.Context(), upd.ID, chat, user, body); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
		if !fresh {
			return
		}
		go func() {
			if err := answer(ctx, &upd); err != nil && ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "floor:", err)
			}
			if store == nil {
				return
			}
			if err := store.MarkUpdateHandled(ctx, upd.ID); err != nil && ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "floor:", err)
			}
		}()
	}
	return serveWebhook(ctx, getenv, b, http.HandlerFunc(webhook))
}
