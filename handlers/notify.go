package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"donorbot/broadcast"
	"donorbot/storage"
	"donorbot/textbound"
)

// Broadcaster is the broadcast engine as the handlers use it: fan-out to
// many donors, and single messages to other users (not the sender of the
// update) that go ahead of bulk sends.
type Broadcaster interface {
	Start(ctx context.Context, s broadcast.Spec) (int64, error)
	Cancel(ctx context.Context, broadcastID int64) (int, error)
	SendNow(ctx context.Context, chatID int64, text string, markup any) (int, error)
	EditNow(ctx context.Context, chatID int64, messageID int, text string, markup any) error
	// UploadNow sends a file too large for the outbox (an export) to the
	// chat of the update being handled.
	UploadNow(ctx context.Context, chatID int64, name string, data io.ReadSeeker, caption string) error
	// SendOutbox sends the committed effects of a turn (storage.Work).
	SendOutbox(ctx context.Context, rows []storage.OutboxRow) error
	// MarksOf lends the sent marks owed for a chat's earlier replies, for
	// the next turn's commit to carry (storage.Work.Carry); MarksCarried
	// settles them once it has.
	MarksOf(chatID int64) []storage.OutboxRow
	MarksCarried(rows []storage.OutboxRow)
	// Wake has the senders look for queued work at once.
	Wake()
	// SendETA is how long pending broadcast messages, paid of them paid
	// broadcasts, take at the configured send rates.
	SendETA(pending, paid int) time.Duration
}

// tell sends text to another user's chat, split like a reply when over
// Telegram's limit. A user who blocked the bot is skipped quietly: the
// engine already marked them unreachable.
func (h *Handlers) tell(ctx context.Context, chatID int64, text string, markup any) error {
	parts := textbound.Split(text, textbound.MaxMessage)
	for i, part := range parts {
		var m any
		if i == len(parts)-1 {
			m = markup
		}
		if _, err := h.d.Broadcaster.SendNow(ctx, chatID, part, m); err != nil {
			if errors.Is(err, broadcast.ErrBlocked) {
				return nil
			}
			return fmt.Errorf("tell chat %d: %w", chatID, err)
		}
	}
	return nil
}

// textIn renders a message in a language other than the current user's.
func (h *Handlers) textIn(lang, id string, data map[string]any) string {
	return h.texts.text(lang, id, data)
}
