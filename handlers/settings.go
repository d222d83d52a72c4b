package handlers

import (
	"context"
	"slices"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/profile"
	"donorbot/storage"
)

// settings shows the donor's settings with a button for each.
func (h *Handlers) settings(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return t.reply(ctx, t.text("consent_needed"), nil)
	}
	text, kb, err := h.settingsView(ctx, t)
	if err != nil {
		return err
	}
	return t.reply(ctx, text, kb)
}

// settingsView renders the settings: language, recall, quiet hours, on
// call for urgent needs, units and clubs.
func (h *Handlers) settingsView(ctx context.Context, t *turn) (string, botapi.InlineKeyboard, error) {
	st, err := h.d.Store.Settings(ctx, t.userID)
	if err != nil {
		return "", botapi.InlineKeyboard{}, err
	}
	a, err := h.d.Store.Availability(ctx, t.userID)
	if err != nil {
		return "", botapi.InlineKeyboard{}, err
	}
	units, err := h.d.Store.DonorUnits(ctx, t.userID)
	if err != nil {
		return "", botapi.InlineKeyboard{}, err
	}
	names := make([]string, 0, len(units))
	for _, u := range units {
		names = append(names, u.Name)
	}
	place, err := h.donorPlace(ctx, t)
	if err != nil {
		return "", botapi.InlineKeyboard{}, err
	}
	onOff := func(on bool) string { return t.text(map[bool]string{true: "settings_on", false: "settings_off"}[on]) }
	onCall := a.OnCallOn(h.today())
	oncallText := onOff(onCall)
	if onCall && !a.Until.IsZero() {
		oncallText = t.textf("settings_oncall_until", map[string]any{"Date": t.day(a.Until)})
	}
	text := t.textf("settings_show", map[string]any{
		"Language": t.text("settings_language_name"),
		"Recall":   onOff(st.Recall),
		"Quiet":    onOff(st.QuietHours),
		"Hours":    h.d.QuietHours.String(),
		"OnCall":   oncallText,
		"Units":    orNone(strings.Join(names, ", "), t.text("value_none")),
		"Place":    orNone(place, t.text("value_none")),
	}) + "\n" + t.textf("settings_invitations", map[string]any{"State": onOff(st.Invitations)})
	toggle := func(label, action string, on bool) botapi.Button {
		return botapi.Button{Text: t.text(label + map[bool]string{true: "_off", false: "_on"}[on]),
			CallbackData: encodeCallback("set", action, map[bool]string{true: "off", false: "on"}[on])}
	}
	kb := rows(1,
		botapi.Button{Text: t.text("btn_settings_language"), CallbackData: encodeCallback("set", "lang")},
		toggle("btn_settings_recall", "recall", st.Recall),
		toggle("btn_settings_quiet", "quiet", st.QuietHours),
		toggle("btn_settings_invitations", "invite", st.Invitations),
		toggle("btn_settings_oncall", "oncall", onCall),
		botapi.Button{Text: t.text("btn_settings_units"), CallbackData: encodeCallback("set", "units")},
		botapi.Button{Text: t.text("btn_settings_place"), CallbackData: encodeCallback("set", editPlace)},
		botapi.Button{Text: t.text("btn_settings_close"), CallbackData: encodeCallback("set", "close")})
	return text, kb, nil
}

// onSettings handles the buttons of /settings: set:v1:show (a new settings
// message), lang (the language choice), setlang:vi|en, recall:on|off,
// quiet:on|off, invite:on|off, oncall:on|off, units (the profile's unit question), back
// and close. A change answers the tap and shows the settings again in the
// same message.
func (h *Handlers) onSettings(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return t.answer(ctx, t.text("consent_needed"))
	}
	on := t.cb.arg(1) == "on"
	var err error
	switch action := t.cb.arg(0); action {
	case "show":
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return h.settings(ctx, t)
	case "back":
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return h.showSettingsHere(ctx, t)
	case "close":
		return t.finishTap(ctx)
	case "lang":
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		kb := rows(2,
			botapi.Button{Text: "Tiếng Việt", CallbackData: encodeCallback("set", "setlang", "vi")},
			botapi.Button{Text: "English", CallbackData: encodeCallback("set", "setlang", "en")},
			botapi.Button{Text: t.text("btn_settings_back"), CallbackData: encodeCallback("set", "back")},
			botapi.Button{Text: t.text("btn_settings_close"), CallbackData: encodeCallback("set", "close")})
		return t.editHere(ctx, t.text("lang_choose"), kb)
	case "units", editPlace:
		if err := t.finishTap(ctx); err != nil {
			return err
		}
		field := action
		if action == "units" {
			field = string(profile.StepUnit)
		}
		return h.editFromSettings(ctx, t, field)
	case "setlang":
		lang := t.cb.arg(1)
		if !slices.Contains(languages, lang) {
			return t.answer(ctx, t.text("button_stale"))
		}
		// The stored language is read on every update before Telegram's
		// language_code (newTurn), so this choice wins from now on.
		err = h.d.Store.SetDonorLanguage(ctx, t.userID, lang)
		t.lang = lang
	case "recall":
		err = h.d.Store.SetRecall(ctx, t.userID, on)
	case "quiet":
		err = h.d.Store.SetQuietHours(ctx, t.userID, on)
	case "invite":
		err = h.d.Store.SetInvitations(ctx, t.userID, on)
	case "oncall":
		err = h.d.Store.SetOnCall(ctx, t.userID, on, time.Time{})
	default:
		return t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return err
	}
	if err := t.answer(ctx, t.text("settings_saved")); err != nil {
		return err
	}
	return h.showSettingsHere(ctx, t)
}

// showSettingsHere renders the settings in the message tapped.
func (h *Handlers) showSettingsHere(ctx context.Context, t *turn) error {
	text, kb, err := h.settingsView(ctx, t)
	if err != nil {
		return err
	}
	return t.editHere(ctx, text, kb)
}

// editHere replaces the text and buttons of the message tapped, or sends
// them anew when there is none.
func (t *turn) editHere(ctx context.Context, text string, kb botapi.InlineKeyboard) error {
	if t.messageID == 0 {
		return t.reply(ctx, text, kb)
	}
	return t.call(ctx, broadcast.MethodEditMessageText, &tg.EditMessageTextParams{
		ChatID: t.chatID, MessageID: t.messageID, Text: text, ReplyMarkup: kb})
}

// editFromSettings asks one question of the profile edit: the units and
// clubs (tick and untick), or where the donor lives (province, then ward);
// Done and Cancel come back to the settings. Its trail is empty: Back would
// lead to the profile's field list, not the settings.
func (h *Handlers) editFromSettings(ctx context.Context, t *turn, field string) error {
	f := h.profileEditFlow()
	first := field
	if field == editPlace {
		first = "province"
	}
	conv := storage.Conversation{Version: storage.ConversationVersion, Flow: f.Name, FlowVersion: f.Version, Step: first}
	return f.ask(ctx, t, conv, &profileForm{Field: field, From: fromSettings})
}

// fromSettings marks a profile edit started from /settings.
const fromSettings = "settings"
