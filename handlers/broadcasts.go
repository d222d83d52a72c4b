package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/storage"
)

// NewProgressRenderer returns the broadcast engine's progress message for
// the admin or organizer who started a broadcast, in their language, with a
// Stop button while messages are still going out. It needs nothing of the
// handlers, so the engine is built with it before the handlers that send
// through the engine.
func NewProgressRenderer(tx *Texts) broadcast.Renderer {
	return func(p broadcast.Progress) (string, any) { return renderProgress(tx.t, p) }
}

func renderProgress(tx *texts, p broadcast.Progress) (string, any) {
	id := "bcast_progress"
	switch {
	case p.Stopped:
		id = "bcast_stopped"
	case p.Done:
		id = "bcast_done"
	}
	text := tx.text(p.Lang, id, map[string]any{
		"Sent": p.Sent, "Total": p.Total, "Failed": p.Failed, "Blocked": p.Blocked,
		"Cancelled": p.Cancelled, "ETA": p.ETA.Round(time.Second).String(),
	})
	if p.Done || p.Stopped {
		return text, botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	}
	stop := botapi.Button{Text: tx.text(p.Lang, "btn_stop_broadcast", nil), CallbackData: encodeCallback("bcx", strconv.FormatInt(p.BroadcastID, 10))}
	return text, rows(1, stop)
}

// onStopBroadcast cancels what is left of a broadcast. Broadcast ids are
// sequential, so the data of a forged tap is easy to guess: only whoever
// started the broadcast, or an admin, may stop it.
func (h *Handlers) onStopBroadcast(ctx context.Context, t *turn) error {
	broadcastID, err := strconv.ParseInt(t.cb.arg(0), 10, 64)
	if err != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	b, err := h.d.Store.Broadcast(ctx, broadcastID)
	if errors.Is(err, storage.ErrNotFound) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return err
	}
	if b.CreatedBy != t.userID {
		admin, err := h.d.IsAdmin(ctx, t.userID)
		if err != nil {
			return fmt.Errorf("check admin %d: %w", t.userID, err)
		}
		if !admin {
			return t.refuse(ctx, "bcast_not_yours")
		}
	}
	n, err := h.d.Broadcaster.Cancel(ctx, broadcastID)
	if err != nil {
		return err
	}
	return t.answer(ctx, t.textf("bcast_cancelled", map[string]any{"Count": n}))
}
