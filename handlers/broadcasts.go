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

// RenderProgress is the broadcast engine's progress message for the admin or
// organizer who started a broadcast, in their language, with a Cancel button
// while messages are still going out.
func (h *Handlers) RenderProgress(p broadcast.Progress) (string, any) {
	t := &turn{h: h, lang: p.Lang}
	id := "bcast_progress"
	switch {
	case p.Stopped:
		id = "bcast_stopped"
	case p.Done:
		id = "bcast_done"
	}
	text := t.textf(id, map[string]any{
		"Sent": p.Sent, "Total": p.Total, "Failed": p.Failed, "Blocked": p.Blocked,
		"Cancelled": p.Cancelled, "ETA": p.ETA.Round(time.Second).String(),
	})
	if p.Done || p.Stopped {
		return text, botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	}
	cancel := botapi.Button{Text: t.text("btn_stop_broadcast"), CallbackData: encodeCallback("bcx", strconv.FormatInt(p.BroadcastID, 10))}
	return text, rows(1, cancel)
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
	n, err := h.bcast.Cancel(ctx, broadcastID)
	if err != nil {
		return err
	}
	return t.answer(ctx, t.textf("bcast_cancelled", map[string]any{"Count": n}))
}
