package bot

import (
	"context"
	"io"
	"log/slog"
	"testing"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestObserveAllocatesNothingWithDebugOff: observe wraps every update, and
// its debug line is off in production, so with the logger at Info it
// costs no allocation beyond the metrics'.
func TestObserveAllocatesNothingWithDebugOff(t *testing.T) {
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h := observe(log, NewMetrics())(func(context.Context, *tg.Bot, *models.Update) {})
	upd := &models.Update{ID: 1007704, Message: &models.Message{
		ID: 4242, Chat: models.Chat{ID: 123456789}, From: &models.User{ID: 123456789},
		Text: "/drives", Entities: []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Length: 7}},
	}}
	ctx := context.Background()
	h(ctx, nil, upd) // the metrics' series are created on first use
	if got := testing.AllocsPerRun(100, func() { h(ctx, nil, upd) }); got != 0 {
		t.Errorf("observe with debug off: %v allocations per update, want 0", got)
	}
}
