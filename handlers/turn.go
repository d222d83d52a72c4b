package handlers

import (
	"context"
	"errors"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/personref"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/textbound"
)

// turn is one update being handled: who sent it, in which language, with
// their donor record if they consented.
type turn struct {
	h          *Handlers
	upd        *models.Update
	userID     int64
	chatID     int64
	lang       string
	donor      *profile.Donor // nil before consent
	args       string         // command arguments
	cb         callback       // decoded callback data
	callbackID string
	messageID  int // the message a tapped button belongs to
	answered   bool
	bot        *tg.Bot // the client the update came through, for calls after commit
}

// newTurn loads what every handler needs. ok is false for updates donorbot
// ignores: anything outside private chats, and kinds it does not handle.
func (h *Handlers) newTurn(ctx context.Context, upd *models.Update) (*turn, bool, error) {
	from, chatID := sender(upd)
	if from == nil || from.IsBot || chatID != from.ID {
		return nil, false, nil
	}
	if upd.Message == nil && upd.CallbackQuery == nil && upd.MyChatMember == nil {
		return nil, false, nil
	}
	if upd.Message != nil {
		// One form for all user text: what is stored, searched and
		// measured is NFC, however the keyboard composed it.
		upd.Message.Text = textbound.Normalize(upd.Message.Text)
	}
	t := &turn{h: h, upd: upd, userID: from.ID, chatID: chatID}
	if cq := upd.CallbackQuery; cq != nil {
		t.callbackID = cq.ID
		if cq.Message.Message != nil {
			t.messageID = cq.Message.Message.ID
		}
	}
	// With the record the eligibility rules judge: most screens a donor
	// sees need it, and it costs no statement of its own.
	d, err := h.d.Store.DonorWithRecord(ctx, from.ID, h.today())
	switch {
	case err == nil:
		t.donor = &d
		t.lang = d.Language
		// Kept so that an admin can name them by @username in /grant;
		// written only when it changed, so that a turn that only reads
		// begins no transaction.
		if u := personref.Username(from.Username); u != d.Username {
			if err := h.d.Store.NoteUsername(ctx, from.ID, u); err != nil {
				return nil, false, err
			}
		}
		if !d.UnreachableAt.IsZero() && upd.MyChatMember == nil {
			// They wrote to the bot again, so it may message them again.
			if err := h.d.Store.SetDonorReachable(ctx, from.ID, true); err != nil {
				return nil, false, err
			}
		}
	case errors.Is(err, storage.ErrNotFound):
		lang, err := h.d.State.Language(ctx, from.ID)
		if err != nil {
			h.d.Log.Warn("language from redis", "user_id", from.ID, "err", err)
		}
		t.lang = lang
	default:
		return nil, false, err
	}
	if t.lang == "" {
		t.lang = languageFor(from.LanguageCode)
	}
	return t, true, nil
}

// sender returns who sent an update and the chat to answer in.
func sender(upd *models.Update) (*models.User, int64) {
	switch {
	case upd.Message != nil:
		return upd.Message.From, upd.Message.Chat.ID
	case upd.CallbackQuery != nil:
		chatID := upd.CallbackQuery.From.ID
		if m := upd.CallbackQuery.Message.Message; m != nil {
			chatID = m.Chat.ID
		}
		return &upd.CallbackQuery.From, chatID
	case upd.MyChatMember != nil:
		return &upd.MyChatMember.From, upd.MyChatMember.Chat.ID
	}
	return nil, 0
}

// text renders a message in the user's language.
func (t *turn) text(id string) string { return t.h.texts.text(t.lang, id, nil) }

// textf renders a message with template data.
func (t *turn) textf(id string, data map[string]any) string { return t.h.texts.text(t.lang, id, data) }

// reply sends a message to the user's chat: several, the buttons under the
// last, when the text is over Telegram's limit (a long list, or user text
// echoed back), which Telegram would refuse whole.
func (t *turn) reply(ctx context.Context, text string, markup any) error {
	parts := textbound.Split(text, textbound.MaxMessage)
	for _, part := range parts[:len(parts)-1] {
		if err := t.replyOne(ctx, part, nil); err != nil {
			return err
		}
	}
	return t.replyOne(ctx, parts[len(parts)-1], markup)
}

func (t *turn) replyOne(ctx context.Context, text string, markup any) error {
	params := &tg.SendMessageParams{ChatID: t.chatID, Text: text}
	if markup != nil {
		params.ReplyMarkup = markup
	}
	return t.call(ctx, broadcast.MethodSendMessage, params)
}

// call buffers a Bot API call in the user's chat in the turn's unit of
// work (see Handle): it is sent once the turn has committed.
func (t *turn) call(ctx context.Context, method string, params any) error {
	w := storage.WorkOf(ctx)
	if w == nil {
		return fmt.Errorf("%s to %d outside a unit of work", method, t.chatID)
	}
	return w.Call(t.chatID, method, params)
}

// closeButtons removes the buttons of the message a button was tapped in, so
// a finished question cannot be answered twice.
func (t *turn) closeButtons(ctx context.Context) error {
	if t.messageID == 0 {
		return nil
	}
	return t.call(ctx, broadcast.MethodEditReplyMarkup, &tg.EditMessageReplyMarkupParams{
		ChatID: t.chatID, MessageID: t.messageID, ReplyMarkup: botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}})
}

// finishTap answers the tapped button without a notice and removes the
// buttons of its message: the question it asked is settled.
func (t *turn) finishTap(ctx context.Context) error {
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	return t.closeButtons(ctx)
}

// answer answers the tapped button, with an optional short notice. A
// notice after the button was already answered goes out as a message, so it
// is never lost.
func (t *turn) answer(ctx context.Context, text string) error {
	if t.callbackID == "" || t.answered {
		if text != "" {
			return t.reply(ctx, text, nil)
		}
		return nil
	}
	t.answered = true
	// Refused for being too old, a notice turns into a message when sent.
	return t.call(ctx, broadcast.MethodAnswerCallback,
		&tg.AnswerCallbackQueryParams{CallbackQueryID: t.callbackID, Text: text})
}

// editButtons replaces the buttons of the message a button was tapped in.
func (t *turn) editButtons(ctx context.Context, kb botapi.InlineKeyboard) error {
	return t.call(ctx, broadcast.MethodEditReplyMarkup,
		&tg.EditMessageReplyMarkupParams{ChatID: t.chatID, MessageID: t.messageID, ReplyMarkup: kb})
}
