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

// Conversation flows kept in Redis.
const (
	flowOnboarding = "onboarding" // answering the profile questions for the first time
	flowEdit       = "edit"       // changing one profile field from /profile
	flowIdle       = "idle"       // onboarding paused with /cancel; /start resumes
)

// consentVersion names the text the donor agreed to; bump it when
// start_intro changes what is kept or why.
const consentVersion = "2026-11"

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
		return t.reply(ctx, t.textf("welcome_back", map[string]any{"Name": shorten(t.donor.FullName, profile.MaxNameLen)}), nil)
	default:
		return h.ask(ctx, t, flowOnboarding, t.donor.NextStep())
	}
}

// onConsent handles the consent buttons. The donor row, the first record of
// the person, is created only here.
func (h *Handlers) onConsent(ctx context.Context, t *turn) error {
	agreed := t.cb.arg(0) == "yes"
	if t.cb.arg(0) != "yes" && t.cb.arg(0) != "no" || (!agreed && t.donor != nil) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	if !agreed {
		return t.reply(ctx, t.text("consent_declined"), nil)
	}
	if t.donor == nil {
		d, err := h.d.Store.CreateDonor(ctx, t.userID, t.chatID, t.lang, consentVersion)
		if err != nil {
			return err
		}
		t.donor = &d
	}
	if t.donor.Onboarded() {
		return t.reply(ctx, t.textf("welcome_back", map[string]any{"Name": shorten(t.donor.FullName, profile.MaxNameLen)}), nil)
	}
	return h.ask(ctx, t, flowOnboarding, t.donor.NextStep())
}

// ask poses the question of step and remembers that the answer is awaited.
func (h *Handlers) ask(ctx context.Context, t *turn, flow string, step profile.Step) error {
	if step == profile.StepDone {
		return h.finishOnboarding(ctx, t)
	}
	if step == profile.StepUnit && flow == flowOnboarding {
		n, err := h.d.Store.CountUnits(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return h.finishOnboarding(ctx, t) // nothing to choose from
		}
	}
	conv := storage.Conversation{Flow: flow, Step: string(step)}
	if err := h.d.State.SaveConversation(ctx, t.userID, conv); err != nil {
		return err
	}
	text := t.text("ask_" + string(step))
	if flow == flowOnboarding {
		n := 1
		for i, s := range profile.Steps {
			if s == step {
				n = i + 1
			}
		}
		text = t.textf("step_prefix", map[string]any{"N": n, "Total": len(profile.Steps)}) + " " + text
	}
	markup, err := h.stepKeyboard(ctx, t, flow, step, 0)
	if err != nil {
		return err
	}
	return t.reply(ctx, text, markup)
}

// stepKeyboard is the keyboard offered with a question; nil for typed answers.
func (h *Handlers) stepKeyboard(ctx context.Context, t *turn, flow string, step profile.Step, offset int) (any, error) {
	switch step {
	case profile.StepPhone:
		return botapi.ReplyKeyboard{
			Keyboard:        [][]botapi.KeyButton{{{Text: t.text("btn_share_phone"), RequestContact: true}}},
			ResizeKeyboard:  true,
			OneTimeKeyboard: true,
		}, nil
	case profile.StepSex:
		return rows(2,
			botapi.Button{Text: t.text("btn_male"), CallbackData: encodeCallback("step", "sex", string(profile.SexMale))},
			botapi.Button{Text: t.text("btn_female"), CallbackData: encodeCallback("step", "sex", string(profile.SexFemale))}), nil
	case profile.StepBlood:
		var bs []botapi.Button
		for _, g := range profile.BloodGroups {
			bs = append(bs, botapi.Button{Text: string(g), CallbackData: encodeCallback("step", "blood", string(g))})
		}
		unknown := botapi.Button{Text: t.text("btn_blood_unknown"), CallbackData: encodeCallback("step", "blood", "unknown")}
		return rows(4, bs...).With(unknown), nil
	case profile.StepUnit:
		return h.unitKeyboard(ctx, t, flow, offset)
	}
	return nil, nil
}

// unitsPerPage keeps the unit list within one phone screen.
const unitsPerPage = 8

func (h *Handlers) unitKeyboard(ctx context.Context, t *turn, flow string, offset int) (botapi.InlineKeyboard, error) {
	units, err := h.d.Store.Units(ctx, offset, unitsPerPage+1)
	if err != nil {
		return botapi.InlineKeyboard{}, err
	}
	member := map[int64]bool{}
	if flow == flowEdit {
		mine, err := h.d.Store.DonorUnits(ctx, t.userID)
		if err != nil {
			return botapi.InlineKeyboard{}, err
		}
		for _, u := range mine {
			member[u.ID] = true
		}
	}
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	for i, u := range units {
		if i == unitsPerPage {
			kb = kb.With(botapi.Button{Text: t.text("btn_more"), CallbackData: encodeCallback("unitpg", strconv.Itoa(offset+unitsPerPage))})
			break
		}
		label := u.Name
		if member[u.ID] {
			label = "✓ " + label
		}
		kb = kb.With(botapi.Button{Text: label, CallbackData: encodeCallback("step", "unit", strconv.FormatInt(u.ID, 10))})
	}
	last := botapi.Button{Text: t.text("btn_unit_skip"), CallbackData: encodeCallback("step", "unit", "skip")}
	if flow == flowEdit {
		last = botapi.Button{Text: t.text("btn_done"), CallbackData: encodeCallback("step", "unit", "skip")}
	}
	return kb.With(last), nil
}

// activeStep is the question whose answer is awaited. For onboarding the
// stored profile decides, so a conversation lost from Redis resumes where
// the answers stop.
func (h *Handlers) activeStep(ctx context.Context, t *turn) (flow string, step profile.Step, lost bool, err error) {
	conv, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return "", "", false, err
	}
	onboarding := t.donor != nil && !t.donor.Onboarded()
	switch {
	case ok && conv.Flow == flowEdit && t.donor != nil && t.donor.Onboarded():
		return flowEdit, profile.Step(conv.Step), false, nil
	case ok && conv.Flow == flowOnboarding && onboarding:
		return flowOnboarding, t.donor.NextStep(), false, nil
	case !ok && onboarding:
		return flowOnboarding, t.donor.NextStep(), true, nil
	}
	return "", "", false, nil
}

// onText handles a typed answer.
func (h *Handlers) onText(ctx context.Context, t *turn) error {
	if handled, err := h.flowInput(ctx, t); handled || err != nil {
		return err
	}
	conv, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return err
	}
	if ok && conv.Flow == flowScreening && t.donor != nil {
		return h.screeningText(ctx, t, conv)
	}
	if ok && conv.Flow == flowCheckin {
		return h.checkinText(ctx, t, conv)
	}
	if ok && conv.Flow == flowUrgent {
		return h.urgentText(ctx, t, conv)
	}
	flow, step, lost, err := h.activeStep(ctx, t)
	if err != nil {
		return err
	}
	switch {
	case t.donor == nil:
		return t.reply(ctx, t.text("consent_needed"), nil)
	case flow == "":
		return t.reply(ctx, t.text("not_understood"), nil)
	case lost:
		if err := t.reply(ctx, t.text("step_lost"), nil); err != nil {
			return err
		}
		return h.ask(ctx, t, flow, step)
	case t.upd.Message.Text == "":
		if err := t.reply(ctx, t.text("use_text"), nil); err != nil {
			return err
		}
		return h.ask(ctx, t, flow, step)
	}
	return h.answerStep(ctx, t, flow, step, t.upd.Message.Text)
}

// onContact handles a shared contact, accepted only as the user's own phone.
func (h *Handlers) onContact(ctx context.Context, t *turn) error {
	if handled, err := h.flowInput(ctx, t); handled || err != nil {
		return err
	}
	flow, step, _, err := h.activeStep(ctx, t)
	if err != nil {
		return err
	}
	if t.donor == nil {
		return t.reply(ctx, t.text("consent_needed"), nil)
	}
	if step != profile.StepPhone {
		return t.reply(ctx, t.text("not_understood"), nil)
	}
	if c := t.upd.Message.Contact; c.UserID != t.userID {
		if err := t.reply(ctx, t.text("err_phone_not_own"), nil); err != nil {
			return err
		}
		return h.ask(ctx, t, flow, step)
	}
	return h.answerStep(ctx, t, flow, step, t.upd.Message.Contact.PhoneNumber)
}

// onStepButton handles a button answer (sex, blood group, unit).
func (h *Handlers) onStepButton(ctx context.Context, t *turn) error {
	flow, step, _, err := h.activeStep(ctx, t)
	if err != nil {
		return err
	}
	if flow == "" || string(step) != t.cb.arg(0) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	if step == profile.StepUnit {
		return h.answerUnit(ctx, t, flow, t.cb.arg(1))
	}
	if err := t.closeButtons(ctx); err != nil {
		return err
	}
	return h.answerStep(ctx, t, flow, step, t.cb.arg(1))
}

// onUnitPage shows the next page of units in place.
func (h *Handlers) onUnitPage(ctx context.Context, t *turn) error {
	flow, step, _, err := h.activeStep(ctx, t)
	offset, perr := strconv.Atoi(t.cb.arg(0))
	if err != nil {
		return err
	}
	if flow == "" || step != profile.StepUnit || perr != nil || offset < 0 || offset%unitsPerPage != 0 {
		return t.answer(ctx, t.text("button_stale"))
	}
	kb, err := h.unitKeyboard(ctx, t, flow, offset)
	if err != nil {
		return err
	}
	return t.editButtons(ctx, kb)
}

// answerStep validates and stores one answer, then moves on. A bad answer is
// explained and the same question asked again.
func (h *Handlers) answerStep(ctx context.Context, t *turn, flow string, step profile.Step, raw string) error {
	problem, err := h.saveAnswer(ctx, t, step, strings.TrimSpace(raw))
	if err != nil {
		return err
	}
	if problem != "" {
		if err := t.reply(ctx, t.text(problem), nil); err != nil {
			return err
		}
		return h.ask(ctx, t, flow, step)
	}
	d, err := h.d.Store.Donor(ctx, t.userID)
	if err != nil {
		return err
	}
	t.donor = &d
	if step == profile.StepPhone {
		saved := t.textf("phone_saved", map[string]any{"Phone": d.Phone})
		if err := t.reply(ctx, saved, botapi.RemoveKeyboard{RemoveKeyboard: true}); err != nil {
			return err
		}
	}
	return h.next(ctx, t, flow)
}

// next asks the following onboarding question, or ends an edit.
func (h *Handlers) next(ctx context.Context, t *turn, flow string) error {
	if flow == flowOnboarding {
		return h.ask(ctx, t, flowOnboarding, t.donor.NextStep())
	}
	if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
		return err
	}
	if err := t.reply(ctx, t.text("profile_updated"), nil); err != nil {
		return err
	}
	return h.showProfile(ctx, t)
}

// answerUnit joins (or, when editing, toggles) a unit, or skips the step.
func (h *Handlers) answerUnit(ctx context.Context, t *turn, flow, value string) error {
	if value != "skip" {
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return t.reply(ctx, t.text("button_stale"), nil)
		}
		if _, err := h.d.Store.Unit(ctx, id); errors.Is(err, storage.ErrNotFound) {
			return t.reply(ctx, t.text("button_stale"), nil)
		} else if err != nil {
			return err
		}
		if err := h.toggleUnit(ctx, t, flow, id); err != nil {
			return err
		}
		if flow == flowEdit {
			kb, err := h.unitKeyboard(ctx, t, flow, 0)
			if err != nil {
				return err
			}
			return t.editButtons(ctx, kb)
		}
	}
	if err := t.closeButtons(ctx); err != nil {
		return err
	}
	if flow == flowOnboarding {
		return h.finishOnboarding(ctx, t)
	}
	return h.next(ctx, t, flow)
}

func (h *Handlers) toggleUnit(ctx context.Context, t *turn, flow string, unitID int64) error {
	if flow == flowEdit {
		mine, err := h.d.Store.DonorUnits(ctx, t.userID)
		if err != nil {
			return err
		}
		for _, u := range mine {
			if u.ID == unitID {
				return h.d.Store.LeaveUnit(ctx, t.userID, unitID)
			}
		}
	}
	return h.d.Store.JoinUnit(ctx, t.userID, unitID)
}

func (h *Handlers) finishOnboarding(ctx context.Context, t *turn) error {
	if err := h.d.Store.CompleteOnboarding(ctx, t.userID); err != nil {
		return err
	}
	if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
		return err
	}
	t.donor.OnboardedAt = h.d.Now()
	if err := t.reply(ctx, t.textf("onboarding_done", map[string]any{"Name": t.donor.FullName}), nil); err != nil {
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
