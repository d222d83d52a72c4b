package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	tg "github.com/go-telegram/bot"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/textbound"
)

// menuItems are the home menu's buttons, in order: the text of each, and
// the command it runs.
var menuItems = []struct{ label, command string }{
	{"menu_drives", "drives"},
	{"menu_mydrives", "mydrives"},
	{"menu_eligibility", "eligibility"},
	{"menu_history", "history"},
	{"menu_settings", "settings"},
}

// menuCommands maps every menu label, in every language, to its command:
// a donor who switched language may still tap, or type, the other's.
func (h *Handlers) menuCommands() map[string]string {
	m := map[string]string{}
	for _, lang := range languages {
		for _, item := range menuItems {
			m[h.texts.text(lang, item.label, nil)] = item.command
		}
	}
	return m
}

// homeKeyboard is the persistent menu of an onboarded donor, in their
// language.
func (t *turn) homeKeyboard() botapi.ReplyKeyboard {
	b := func(i int) botapi.KeyButton { return botapi.KeyButton{Text: t.text(menuItems[i].label)} }
	return botapi.ReplyKeyboard{
		Keyboard:       [][]botapi.KeyButton{{b(0), b(1)}, {b(2)}, {b(3), b(4)}},
		ResizeKeyboard: true,
		IsPersistent:   true,
	}
}

// afterReplyKeyboard is the markup of a message that ends a question asked
// with a reply keyboard (the phone's contact button): the home menu takes
// its place for an onboarded donor, nothing for anyone else.
func (t *turn) afterReplyKeyboard() any {
	if t.donor != nil && t.donor.Onboarded() {
		return t.homeKeyboard()
	}
	return botapi.RemoveKeyboard{RemoveKeyboard: true}
}

// onMenu runs the command of a menu button.
//
// The menu stays on screen during every guided flow, so a tap on it while a
// flow waits for typed input is the donor going elsewhere, not an answer:
// stored, it would make "📋 Lịch của tôi" someone's name or a hospital;
// refused, it would trap the donor in the flow. So it leaves the flow as
// /cancel does (an onboarding is paused with its answers kept, and offers
// Continue, since no menu command works before the profile is done), then
// runs the button's command.
func (h *Handlers) onMenu(ctx context.Context, t *turn, command string) error {
	conv, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return err
	}
	if ok && conv.Flow != flowIdle {
		if conv.Flow == flowOnboarding && t.donor != nil && !t.donor.Onboarded() {
			return h.pauseOnboarding(ctx, t)
		}
		if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
			return err
		}
		if err := t.reply(ctx, t.text("menu_left_flow"), nil); err != nil {
			return err
		}
	}
	fn, ok := h.commands[command]
	if !ok {
		return fmt.Errorf("menu: %q has no route", command)
	}
	return fn(ctx, t)
}

// drivesMarkupIn is the markup of a scheduled message to a donor reading
// lang whose next step is the list of drives (a no-show notice, a date
// reminder).
func (h *Handlers) drivesMarkupIn(lang string) (json.RawMessage, error) {
	kb := rows(1, botapi.Button{Text: h.textIn(lang, "menu_drives", nil), CallbackData: encodeCallback("drvpg", "0")})
	raw, err := json.Marshal(kb)
	if err != nil {
		return nil, fmt.Errorf("drives markup: %w", err)
	}
	return raw, nil
}

// drivesButton opens the list of upcoming drives: the next step of a
// journey that ends without a drive to go to.
func (t *turn) drivesButton() botapi.Button {
	return botapi.Button{Text: t.text("menu_drives"), CallbackData: encodeCallback("drvpg", "0")}
}

// myDrivesButton opens the donor's registrations.
func (t *turn) myDrivesButton() botapi.Button {
	return botapi.Button{Text: t.text("menu_mydrives"), CallbackData: encodeCallback("home", "mydrives")}
}

// eligibilityButton tells the donor when they may donate.
func (t *turn) eligibilityButton() botapi.Button {
	return botapi.Button{Text: t.text("menu_eligibility"), CallbackData: encodeCallback("home", "eligibility")}
}

// onHomeButton runs a menu command from an inline button at the end of a
// journey (home:v1:<command>), for the commands a journey leads on to.
func (h *Handlers) onHomeButton(ctx context.Context, t *turn) error {
	command := t.cb.arg(0)
	fn, ok := h.commands[command]
	if !ok || (command != "mydrives" && command != "eligibility" && command != "start") {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	return fn(ctx, t)
}

// replace rewrites the message whose button was tapped, so what it said
// before (a registration shown as confirmed) is not left on screen. A text
// over one message's limit, or no tapped message, is sent anew.
func (t *turn) replace(ctx context.Context, text string, kb botapi.InlineKeyboard) error {
	if t.messageID == 0 || len(textbound.Split(text, textbound.MaxMessage)) > 1 {
		if err := t.closeButtons(ctx); err != nil {
			return err
		}
		return t.reply(ctx, text, kb)
	}
	return t.call(ctx, broadcast.MethodEditMessageText, &tg.EditMessageTextParams{
		ChatID: t.chatID, MessageID: t.messageID, Text: text, ReplyMarkup: kb})
}

// nextStepIn is one inline button to a menu command, in lang: the next step
// of a message to another user than the turn's (a promotion, a result).
func (h *Handlers) nextStepIn(lang, command string) botapi.InlineKeyboard {
	label := map[string]string{"mydrives": "menu_mydrives", "eligibility": "menu_eligibility"}[command]
	return rows(1, botapi.Button{Text: h.textIn(lang, label, nil), CallbackData: encodeCallback("home", command)})
}

// startButton shows what donorbot keeps and asks for consent, as /start.
func (t *turn) startButton() botapi.Button {
	return botapi.Button{Text: t.text("btn_start"), CallbackData: encodeCallback("home", "start")}
}

// needConsent answers someone who has not agreed to donorbot keeping their
// data, with the way to do so.
func (h *Handlers) needConsent(ctx context.Context, t *turn) error {
	return t.reply(ctx, t.text("consent_needed"), rows(1, t.startButton()))
}

// notUnderstood answers a message that fits nothing: briefly, with where
// to go from here.
func (h *Handlers) notUnderstood(ctx context.Context, t *turn) error {
	switch {
	case t.donor == nil:
		return h.needConsent(ctx, t)
	case !t.donor.Onboarded():
		return t.reply(ctx, t.text("not_understood_profile"), rows(1, t.profileFirstButton()))
	}
	return t.reply(ctx, t.text("not_understood"), t.homeKeyboard())
}

// menuIfOnboarded is the home menu for an onboarded donor, nothing for
// anyone else (no menu command works before the profile is done).
func (t *turn) menuIfOnboarded() any {
	if t.donor != nil && t.donor.Onboarded() {
		return t.homeKeyboard()
	}
	return nil
}

// profileFirstButton leads someone without a finished profile to it:
// the consent question, or Continue.
func (t *turn) profileFirstButton() botapi.Button {
	if t.donor == nil {
		return t.startButton()
	}
	return botapi.Button{Text: t.text("btn_onboarding_continue"), CallbackData: encodeCallback("consent", "yes")}
}
