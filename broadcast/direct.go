package broadcast

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/botapi"
)

// keyboardJSON checks buttons and encodes them as reply markup; no rows
// give nil.
func keyboardJSON(rows [][]botapi.Button) (json.RawMessage, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	for _, row := range rows {
		for _, b := range row {
			if b.Text == "" || (b.CallbackData == "") == (b.URL == "") || len(b.CallbackData) > 64 {
				return nil, fmt.Errorf("button %q: want a text and either callback data (1-64 bytes) or a URL", b.Text)
			}
		}
	}
	raw, err := json.Marshal(botapi.InlineKeyboard{InlineKeyboard: rows})
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// priorityAttempts bounds how many 429 answers SendNow and EditNow wait out.
const priorityAttempts = 5

// SendNow sends a plain-text message to one chat ahead of every broadcast,
// within the same limits, and returns its message id. Call it for what must
// reach one user in order (a reply, a reminder): it returns once Telegram
// has the message, so successive calls arrive in order, one per
// ChatInterval. It waits out Telegram's flood pauses. If the user blocked
// the bot the error wraps ErrBlocked and the donor is marked unreachable.
// It waits for Run to start, and fails with ErrNotRunning once Run ended.
func (e *Engine) SendNow(ctx context.Context, chatID int64, text string, markup any) (int, error) {
	params := &bot.SendMessageParams{ChatID: chatID, Text: text}
	if markup != nil {
		params.ReplyMarkup = markup
	}
	var id int
	err := e.priority(ctx, chatID, "send", func(ctx context.Context) error {
		m, err := e.bot.SendMessage(ctx, params)
		if err == nil {
			id = m.ID
		}
		return err
	})
	return id, err
}

// EditNow replaces the text and inline keyboard of a message the bot sent,
// like SendNow. An edit that changes nothing is not an error.
func (e *Engine) EditNow(ctx context.Context, chatID int64, messageID int, text string, markup any) error {
	params := &bot.EditMessageTextParams{ChatID: chatID, MessageID: messageID, Text: text}
	if markup != nil {
		params.ReplyMarkup = markup
	}
	err := e.priority(ctx, chatID, "edit", func(ctx context.Context) error {
		_, err := e.bot.EditMessageText(ctx, params)
		return err
	})
	if errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified") {
		return nil
	}
	return err
}

// Reserve waits until the caller may send one reply to chatID: it takes a
// token of the global rate ahead of bulk broadcasts, so replies and
// broadcasts together stay within Telegram's limit, and waits out a flood
// pause. Unlike SendNow it allows the short bursts of a conversation. The
// caller makes the Bot API call itself.
func (e *Engine) Reserve(ctx context.Context, chatID int64) error {
	if err := e.lim.waitReply(ctx, chatID); err != nil {
		return fmt.Errorf("broadcast: reserve a reply to %d: %w", chatID, err)
	}
	return nil
}

// UploadNow sends a file that is too large to keep in the outbox (an
// export) to the user whose update is being handled, as a document, read
// from its start at every attempt. It counts as a reply of the
// conversation (Reserve), not as a priority message to another user.
func (e *Engine) UploadNow(ctx context.Context, chatID int64, name string, data io.ReadSeeker, caption string) error {
	err := botapi.Retry(priorityAttempts, func() error {
		if err := e.lim.waitReply(ctx, chatID); err != nil {
			return err
		}
		if _, err := data.Seek(0, io.SeekStart); err != nil {
			return err
		}
		_, err := e.bot.SendDocument(ctx, &bot.SendDocumentParams{
			ChatID: chatID, Caption: caption,
			Document: &models.InputFileUpload{Filename: name, Data: data},
		})
		return err
	}, func(wait time.Duration) error {
		e.log.Warn("broadcast: flood wait", "chat_id", chatID, "retry_after", wait)
		e.lim.pause(context.WithoutCancel(ctx), wait)
		return nil
	})
	if err != nil {
		return fmt.Errorf("broadcast: upload %s to %d: %w", name, chatID, err)
	}
	return nil
}

// priority makes one Bot API call through the priority path of the limiter.
func (e *Engine) priority(ctx context.Context, chatID int64, what string, call func(context.Context) error) error {
	err := botapi.Retry(priorityAttempts, func() error {
		if err := e.lim.wait(ctx, chatID, true); err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, e.cfg.SendTimeout)
		defer cancel()
		return call(cctx)
	}, func(wait time.Duration) error {
		e.log.Warn("broadcast: flood wait", "chat_id", chatID, "retry_after", wait)
		e.lim.pause(context.WithoutCancel(ctx), wait)
		return nil
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bot.ErrorForbidden):
		if err := e.store.SetDonorReachable(ctx, chatID, false); err != nil {
			e.log.Error("broadcast: mark donor unreachable", "chat_id", chatID, "err", err)
		}
		return fmt.Errorf("broadcast: %s to %d: %w: %w", what, chatID, ErrBlocked, err)
	default:
		return fmt.Errorf("broadcast: %s to %d: %w", what, chatID, err)
	}
}
