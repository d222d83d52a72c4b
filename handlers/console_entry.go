package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
	"donorbot/webapp"
)

// How organizers and admins reach the console: their chat's menu button
// opens it, and /help offers an "Open console" button. Neither exists
// without a console address (Deps.ConsoleURL), nor for anyone else.

// setConsoleButtons gives each of ids (organizers and admins) the console
// as their chat's menu button, labelled in their language. Telegram keeps
// one menu button per chat, with no language of its own. One chat Telegram
// refuses (an admin who never opened the bot) does not cost the others
// theirs.
func (h *Handlers) setConsoleButtons(ctx context.Context, b *tg.Bot, ids []int64) error {
	if h.d.ConsoleURL == "" {
		return nil
	}
	var errs []error
	for _, id := range ids {
		if err := h.setMenuButton(ctx, b, id, true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// setMenuButton makes chat id's menu button the console (console) or
// Telegram's default, the command list.
func (h *Handlers) setMenuButton(ctx context.Context, b *tg.Bot, id int64, console bool) error {
	var button models.InputMenuButton = &models.MenuButtonDefault{Type: models.MenuButtonTypeDefault}
	if console && h.d.ConsoleURL != "" {
		lang, err := h.consoleLang(ctx, webapp.User{ID: id})
		if err != nil {
			return fmt.Errorf("menu button of %d: %w", id, err)
		}
		button = &models.MenuButtonWebApp{Type: models.MenuButtonTypeWebApp,
			Text: h.texts.text(lang, "console_menu_button", nil), WebApp: models.WebAppInfo{URL: h.d.ConsoleURL}}
	}
	if _, err := b.SetChatMenuButton(ctx, &tg.SetChatMenuButtonParams{ChatID: id, MenuButton: button}); err != nil {
		return fmt.Errorf("setChatMenuButton of %d: %w", id, err)
	}
	return nil
}

// replyConsoleButton sends an organizer the button that opens the console,
// after /help: a message of its own, because the help keeps the home
// menu's reply keyboard and a message carries one keyboard only.
func (h *Handlers) replyConsoleButton(ctx context.Context, t *turn) error {
	if h.d.ConsoleURL == "" {
		return nil
	}
	return t.reply(ctx, t.text("console_open_text"), rows(1, botapi.Button{
		Text: t.text("console_open_button"), WebApp: &botapi.WebApp{URL: h.d.ConsoleURL}}))
}

// CheckinCode is the text of userID's /mycode QR at now, as /mycode makes
// it; ok is false for someone without a finished profile, who has none.
// The playground's simulated scanner reads it.
func (h *Handlers) CheckinCode(ctx context.Context, userID int64) (code string, ok bool, err error) {
	d, err := h.d.Store.Donor(ctx, userID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", false, err
	}
	if err != nil || !d.Onboarded() {
		return "", false, nil
	}
	code, _, err = h.checkinCode(userID)
	return code, err == nil, err
}

// checkinCode is userID's check-in code and its expiry, from now.
func (h *Handlers) checkinCode(userID int64) (string, time.Time, error) {
	if len(h.d.CheckinSecret) == 0 {
		return "", time.Time{}, errors.New("check-in code: no check-in secret configured")
	}
	until := h.d.Now().Add(drive.CheckinValidity)
	return drive.CheckinCode(h.d.CheckinSecret, userID, until), until, nil
}
