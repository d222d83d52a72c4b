package bot

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/storage"
)

// Responder speaks to a user on the runtime's behalf; the handlers package
// implements it so that every text comes from the locale files.
type Responder interface {
	// Apologize tells the user their last action failed on our side.
	Apologize(ctx context.Context, b *tg.Bot, upd *models.Update)
	// SlowDown asks a flooding user to wait.
	SlowDown(ctx context.Context, b *tg.Bot, upd *models.Update)
}

// observe logs and measures every update. Only ids and kinds are logged:
// message texts may hold phone numbers or health answers.
func observe(log *slog.Logger, m *Metrics) tg.Middleware {
	return func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			start := time.Now()
			kind := updateType(upd)
			next(ctx, b, upd)
			took := time.Since(start)
			m.Updates.WithLabelValues(kind).Inc()
			m.HandlerLatency.WithLabelValues(kind).Observe(took.Seconds())
			// Asked first: the arguments alone cost an update 6 allocations
			// (and command's rune slice) when debug logging is off.
			if !log.Enabled(ctx, slog.LevelDebug) {
				return
			}
			chatID, userID := Route(upd)
			log.Debug("update", "update_id", upd.ID, "type", kind, "chat_id", chatID,
				"user_id", userID, "command", command(upd), "took", took)
		}
	}
}

// recoverPanics keeps one faulty handler from taking the process down: the
// panic is logged with the update id and the user gets an apology.
func recoverPanics(log *slog.Logger, m *Metrics, r Responder) tg.Middleware {
	return func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			defer func() {
				if p := recover(); p != nil {
					m.Errors.WithLabelValues("panic").Inc()
					log.Error("handler panic", "update_id", upd.ID, "type", updateType(upd),
						"panic", p, "stack", string(debug.Stack()))
					r.Apologize(ctx, b, upd)
				}
			}()
			next(ctx, b, upd)
		}
	}
}

// limitFlood caps each user's updates per minute in Redis, shared by every
// process. Past the limit the update is dropped and the user is told once a
// minute; a Redis failure lets the update through rather than lock users out.
// The same round trip reads the user's conversation for the turn
// (storage.State.AllowTurn).
func limitFlood(log *slog.Logger, state *storage.State, perMinute int, r Responder) tg.Middleware {
	limit := storage.FloodLimit{Rate: perMinute, Burst: max(perMinute/2, 1), Period: time.Minute}
	return func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			_, userID := Route(upd)
			if userID == 0 {
				next(ctx, b, upd)
				return
			}
			turnCtx, allowed, err := state.AllowTurn(ctx, userID, limit)
			if err != nil {
				log.Warn("flood limit unavailable", "user_id", userID, "err", err)
				next(ctx, b, upd)
				return
			}
			if allowed {
				next(turnCtx, b, upd)
				return
			}
			log.Info("flood limited", "user_id", userID, "update_id", upd.ID)
			first, err := state.Once(ctx, userID, "flood_warned", time.Minute)
			if err != nil {
				log.Warn("flood warning mark", "user_id", userID, "err", err)
			}
			if first || upd.CallbackQuery != nil {
				r.SlowDown(ctx, b, upd)
			}
		}
	}
}

// command returns the bot command an update carries, without arguments, or
// "" — the only part of a message text that is safe to log.
func command(upd *models.Update) string {
	if upd.Message == nil {
		return ""
	}
	for _, e := range upd.Message.Entities {
		if e.Type == models.MessageEntityTypeBotCommand && e.Offset == 0 {
			runes := []rune(upd.Message.Text)
			if e.Length <= len(runes) {
				return string(runes[:e.Length])
			}
		}
	}
	return ""
}
