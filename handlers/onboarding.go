package handlers

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/profile"
	"donorbot/storage"
)

// Conversation flows of the profile (see profile_flow.go).
const (
	flowOnboarding = "onboarding" // answering the profile questions for the first time
	flowEdit       = "edit"       // changing one profile field from /profile
	// flowIdle marks onboarding paused with Cancel or /cancel: text typed
	// then is not an answer, nor the sign of a conversation lost with
	// Redis; /start resumes.
	flowIdle = "idle"
)

// consentVersion names the text the donor agreed to; bump it when
// start_intro changes what is kept or why.
const consentVersion = "2026-12"

// start greets a new user with what donorbot keeps and asks for consent, or
// resumes an unfinished profile.
func (h *Handlers) start(ctx context.Context, t *turn) error {
	if t.args != "" {
		return h.startFromLink(ctx, t)
	}
	switch {
	case t.donor == nil:
		kb := rows(2,
			botapi.Button{Text: t.text("btn_consent_yes"), CallbackData: encodeCallback("consent", "yes")},
			botapi.Button{Text: t.text("btn_consent_no"), CallbackData: encodeCallback("consent", "no")})
		return t.reply(ctx, t.text("start_intro"), kb)
	case t.donor.Onboarded():
		return h.welcomeBack(ctx, t)
	default:
		return h.resumeOnboarding(ctx, t)
	}
}

// welcomeBack greets an onboarded donor with the home menu.
func (h *Handlers) welcomeBack(ctx context.Context, t *turn) error {
	return t.reply(ctx, t.textf("welcome_back", map[string]any{"Name": t.greetingName()}), t.homeKeyboard())
}

// onConsent handles the consent buttons. The donor row, the first record of
// the person, is created only here. "Yes" from a donor who already agreed
// resumes their onboarding: it is the Continue button of a paused one.
func (h *Handlers) onConsent(ctx context.Context, t *turn) error {
	agreed := t.cb.arg(0) == "yes"
	if t.cb.arg(0) != "yes" && t.cb.arg(0) != "no" || (!agreed && t.donor != nil) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	if !agreed {
		return t.reply(ctx, t.text("consent_declined"), rows(1, t.startButton()))
	}
	if t.donor == nil {
		d, err := h.d.Store.CreateDonor(ctx, t.userID, t.chatID, t.lang, consentVersion)
		if err != nil {
			return err
		}
		t.donor = &d
	}
	if t.donor.Onboarded() {
		return h.welcomeBack(ctx, t)
	}
	return h.resumeOnboarding(ctx, t)
}

// onText handles typed text that no flow of the engine took.
func (h *Handlers) onText(ctx context.Context, t *turn) error {
	if command, ok := h.menu[strings.TrimSpace(t.upd.Message.Text)]; ok {
		return h.onMenu(ctx, t, command)
	}
	if handled, err := h.flowInput(ctx, t); handled || err != nil {
		return err
	}
	_, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return err
	}
	return h.noFlowInput(ctx, t, ok)
}

// onContact handles a shared contact, accepted only as the user's own phone
// and only by a flow's phone question.
func (h *Handlers) onContact(ctx context.Context, t *turn) error {
	if handled, err := h.flowInput(ctx, t); handled || err != nil {
		return err
	}
	_, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return err
	}
	return h.noFlowInput(ctx, t, ok)
}

// noFlowInput answers a message that is no flow's answer. A donor
// mid-onboarding without any conversation record lost it (its TTL, a
// flushed Redis): their answers are in the donor row, so onboarding resumes
// at the first unanswered question.
func (h *Handlers) noFlowInput(ctx context.Context, t *turn, hasConversation bool) error {
	switch {
	case t.donor == nil:
		return h.needConsent(ctx, t)
	case !hasConversation && !t.donor.Onboarded():
		if err := t.reply(ctx, t.text("step_lost"), nil); err != nil {
			return err
		}
		return h.resumeOnboarding(ctx, t)
	}
	return h.notUnderstood(ctx, t)
}

// greetingName is what a greeting calls the donor: the given name, as
// Vietnamese addresses people ("Chào Lan", not "Chào Nguyễn Thị Lan").
func (t *turn) greetingName() string {
	return shorten(profile.GivenName(t.donor.FullName, t.lang), profile.MaxNameLen)
}

func (h *Handlers) finishOnboarding(ctx context.Context, t *turn) error {
	if err := h.d.Store.CompleteOnboarding(ctx, t.userID); err != nil {
		return err
	}
	t.donor.OnboardedAt = h.d.Now()
	if err := t.reply(ctx, t.textf("onboarding_done", map[string]any{"Name": t.greetingName()}), t.homeKeyboard()); err != nil {
		return err
	}
	// A new donor who came through a friend's link is credited to them.
	if err := h.creditReferral(ctx, t); err != nil {
		return err
	}
	// A new donor who came through a club's invite link joins it.
	if err := h.joinPendingClub(ctx, t); err != nil {
		return err
	}
	// A new donor who came through a drive's QR code lands on that drive.
	pending, err := h.d.State.Recall(ctx, t.userID, "pending_drive")
	if err != nil || pending == "" {
		return err
	}
	driveID, err := strconv.ParseInt(pending, 10, 64)
	if err != nil {
		return nil // not written by us: ignore
	}
	return h.showDrive(ctx, t, driveID)
}

// startFromLink handles /start <payload> from a deep link or QR code:
// t.me/<bot>?start=d_<code> opens a drive, after onboarding if needed.
func (h *Handlers) startFromLink(ctx context.Context, t *turn) error {
	args := t.args
	t.args = ""
	if code, ok := parseClubPayload(args); ok {
		return h.joinClubFromLink(ctx, t, code)
	}
	if code, ok := parseReferralPayload(args); ok {
		return h.startFromReferral(ctx, t, code)
	}
	kind, code, err := drive.ParseDeepLinkPayload(args)
	if err != nil || kind != drive.KindDrive {
		return h.start(ctx, t)
	}
	d, err := h.d.Store.DriveByCode(ctx, code)
	if errors.Is(err, storage.ErrNotFound) {
		if err := t.reply(ctx, t.text("drive_gone"), nil); err != nil {
			return err
		}
		return h.start(ctx, t)
	}
	if err != nil {
		return err
	}
	if t.donor != nil && t.donor.Onboarded() {
		return h.showDrive(ctx, t, d.ID)
	}
	if err := h.d.State.Remember(ctx, t.userID, "pending_drive", id(d.ID), 72*time.Hour); err != nil {
		return err
	}
	return h.start(ctx, t)
}
