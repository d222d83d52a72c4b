package handlers

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
)

// referralPayloadPrefix starts the /start parameter of a donor's invite
// link, t.me/<bot>?start=r_<code>, beside clubs' c_ and drives' d_.
const referralPayloadPrefix = "r_"

// parseReferralPayload returns the invite code of a /start parameter.
// Codes have the form of drive codes (drive.NewCode makes both).
func parseReferralPayload(s string) (string, bool) {
	code, ok := strings.CutPrefix(s, referralPayloadPrefix)
	if !ok || !drive.ValidCode(code) {
		return "", false
	}
	return code, true
}

// referralTries bounds the fresh codes tried when one is taken (50 random
// bits each: a second try is already unlikely).
const referralTries = 5

var errTooManyCollisions = errors.New("referral: every fresh code was taken")

// referralLink returns the donor's invite link, making their code the
// first time.
func (h *Handlers) referralLink(ctx context.Context, t *turn) (string, error) {
	for range referralTries {
		code, ok, err := h.d.Store.ReferralCode(ctx, t.userID, drive.NewCode())
		if err != nil || ok {
			return "https://t.me/" + url.PathEscape(h.d.BotUsername) + "?start=" + referralPayloadPrefix + code, err
		}
	}
	return "", errTooManyCollisions
}

// inviteFriend shows the donor's invite link with a text ready to forward
// and a button that opens Telegram's share screen with it.
func (h *Handlers) inviteFriend(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return t.reply(ctx, t.text("consent_needed"), nil)
	}
	link, err := h.referralLink(ctx, t)
	if err != nil {
		return err
	}
	share := t.textf("invite_share_text", map[string]any{"Link": link})
	shareURL := "https://t.me/share/url?url=" + url.QueryEscape(link) + "&text=" + url.QueryEscape(t.text("invite_share_short"))
	if err := t.reply(ctx, t.text("invite_intro"), nil); err != nil {
		return err
	}
	return t.reply(ctx, share, rows(1,
		botapi.Button{Text: t.text("btn_invite_share"), URL: shareURL},
		botapi.Button{Text: t.text("btn_history_card"), CallbackData: encodeCallback("hist", "card")}))
}

// startFromReferral handles /start r_<code>: a new user onboards with the
// inviter remembered, credited when onboarding ends (creditReferral).
func (h *Handlers) startFromReferral(ctx context.Context, t *turn, code string) error {
	if t.donor != nil && t.donor.Onboarded() {
		if err := t.reply(ctx, t.text("invite_already_donor"), nil); err != nil {
			return err
		}
		return h.start(ctx, t)
	}
	if err := h.d.State.Remember(ctx, t.userID, "pending_referral", code, 72*time.Hour); err != nil {
		return err
	}
	return h.start(ctx, t)
}

// creditReferral credits a donor who just finished onboarding to whoever
// invited them, once, and tells the inviter.
func (h *Handlers) creditReferral(ctx context.Context, t *turn) error {
	code, err := h.d.State.Recall(ctx, t.userID, "pending_referral")
	if err != nil || code == "" {
		return err
	}
	inviter, ok, err := h.d.Store.CreditReferral(ctx, t.userID, code)
	if err != nil || !ok {
		return err
	}
	n, err := h.d.Store.ReferralCount(ctx, inviter.TelegramID)
	if err != nil {
		return err
	}
	text := h.textIn(inviter.Language, "invite_friend_joined", map[string]any{"Count": n})
	return h.tell(ctx, inviter.ChatID, text, rows(1,
		botapi.Button{Text: h.textIn(inviter.Language, "btn_history_open", nil), CallbackData: encodeCallback("hist", "open")}))
}
