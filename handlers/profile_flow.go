package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"donorbot/botapi"
	"donorbot/profile"
	"donorbot/storage"
)

// profileForm is the state of the onboarding and profile edit flows. It
// holds no answer: each answer is written to the donor row as it is given,
// because the row outlives the conversation record (its TTL, a flushed
// Redis, a Cancel) and /profile and the other journeys read it, so a
// paused or lost onboarding resumes at its first unanswered question with
// the rest kept. Where the user is lives in the conversation record (step
// and trail), never derived from the row: an answer is read against the
// question it answers, not against a profile it has already changed.
type profileForm struct {
	// Field is the one field the edit flow changes.
	Field string `json:"field,omitempty"`
	// Units tells onboarding that a unit or club exists to choose from;
	// without one its last question is not asked.
	Units bool `json:"units,omitempty"`
	// Page is the offset of the page of units shown.
	Page int `json:"page,omitempty"`
	// From is where the edit began when not /profile (fromSettings): it
	// ends back there.
	From string `json:"from,omitempty"`
	// Province is the province code just chosen (editPlace), saved already.
	Province string `json:"province,omitempty"`
}

// stepField is the edit flow's first step: which field to change.
const stepField = "field"

// onboardingFlow asks the profile questions of a donor who just consented.
func (h *Handlers) onboardingFlow() *flow[profileForm] {
	return &flow[profileForm]{
		Name: flowOnboarding, Version: 1, Numbered: true,
		Steps: h.profileSteps(false),
		Done: func(ctx context.Context, t *turn, _ *profileForm) error {
			return h.finishOnboarding(ctx, t)
		},
		Cancelled: func(ctx context.Context, t *turn, _ *profileForm) error { return h.pauseOnboarding(ctx, t) },
		Restart:   h.resumeOnboarding,
		Lost:      h.onboardingLost,
		Guard:     h.consentedOnly,
	}
}

// profileEditFlow changes one field of a finished profile: the field
// chosen on /profile, or, going Back, another one.
func (h *Handlers) profileEditFlow() *flow[profileForm] {
	field := step[profileForm]{
		ID:      stepField,
		Prompt:  func(t *turn, _ *profileForm) string { return t.text("profile_edit_which") },
		Columns: 2,
		Choices: func(_ context.Context, t *turn, _ *profileForm) ([]choice, error) {
			var cs []choice
			for _, s := range profile.Steps {
				cs = append(cs, choice{Text: t.text("btn_edit_" + string(s)), Value: string(s)})
			}
			return append(cs, choice{Text: t.text("btn_edit_" + editPlace), Value: editPlace}), nil
		},
		Parse: func(_ context.Context, t *turn, s *profileForm, raw string) (string, error) {
			if !editable(raw) {
				return t.text("use_buttons"), nil
			}
			s.Field = raw
			return "", nil
		},
	}
	return &flow[profileForm]{
		Name: flowEdit, Version: 1,
		Steps: slices.Concat([]step[profileForm]{field}, h.profileSteps(true), h.placeSteps()),
		Done: func(ctx context.Context, t *turn, s *profileForm) error {
			if err := t.reply(ctx, t.text("profile_updated"), nil); err != nil {
				return err
			}
			if s.From == fromSettings {
				return h.settings(ctx, t)
			}
			return h.showProfile(ctx, t)
		},
		Cancelled: func(ctx context.Context, t *turn, s *profileForm) error {
			// The phone question's reply keyboard goes with the answer.
			if err := t.reply(ctx, t.text("profile_edit_cancelled"), t.afterReplyKeyboard()); err != nil {
				return err
			}
			if s.From == fromSettings {
				return h.settings(ctx, t)
			}
			return nil
		},
		Restart: func(ctx context.Context, t *turn) error { return h.showProfile(ctx, t) },
		Guard:   h.consentedOnly,
	}
}

// profileSteps are the profile questions, in onboarding's order; for the
// edit flow only the chosen field's is asked.
func (h *Handlers) profileSteps(edit bool) []step[profileForm] {
	ask := func(id profile.Step) func(*turn, *profileForm) string {
		return func(t *turn, _ *profileForm) string { return t.text("ask_" + string(id)) }
	}
	question := func(id profile.Step) step[profileForm] {
		return step[profileForm]{ID: string(id), Prompt: ask(id), Typed: true, Parse: h.profileAnswer(id)}
	}
	name, phone, sex, birth, weight, blood := question(profile.StepName), question(profile.StepPhone),
		question(profile.StepSex), question(profile.StepBirth), question(profile.StepWeight), question(profile.StepBlood)
	phone.Contact, phone.Markup = true, phoneKeyboard
	sex.Columns, sex.Choices = 2, sexChoices
	blood.Columns, blood.Choices = 4, bloodChoices
	steps := []step[profileForm]{name, phone, sex, birth, weight, blood, h.unitStep(edit)}
	for i := range steps {
		id := steps[i].ID
		switch {
		case edit:
			steps[i].Skip = func(s *profileForm) bool { return s.Field != id }
		case id == string(profile.StepUnit):
			steps[i].Skip = func(s *profileForm) bool { return !s.Units }
		}
	}
	return steps
}

func phoneKeyboard(t *turn, _ *profileForm) any {
	return botapi.ReplyKeyboard{
		Keyboard:        [][]botapi.KeyButton{{{Text: t.text("btn_share_phone"), RequestContact: true}}},
		ResizeKeyboard:  true,
		OneTimeKeyboard: true,
	}
}

func sexChoices(_ context.Context, t *turn, _ *profileForm) ([]choice, error) {
	return []choice{{Text: t.text("btn_male"), Value: string(profile.SexMale)},
		{Text: t.text("btn_female"), Value: string(profile.SexFemale)}}, nil
}

func bloodChoices(_ context.Context, t *turn, _ *profileForm) ([]choice, error) {
	var cs []choice
	for _, g := range profile.BloodGroups {
		cs = append(cs, choice{Text: string(g), Value: string(g)})
	}
	return append(cs, choice{Text: t.text("btn_blood_unknown"), Value: "unknown"}), nil
}

// profileAnswer stores the answer to question id in the donor row (see
// profileForm for why at once).
func (h *Handlers) profileAnswer(id profile.Step) func(context.Context, *turn, *profileForm, string) (string, error) {
	return func(ctx context.Context, t *turn, s *profileForm, raw string) (string, error) {
		problem, err := h.saveAnswer(ctx, t, id, raw)
		if err != nil {
			return "", err
		}
		if problem != "" {
			return t.text(problem), nil
		}
		d, err := h.d.Store.Donor(ctx, t.userID)
		if err != nil {
			return "", err
		}
		t.donor = &d
		switch id {
		case profile.StepPhone:
			saved := t.textf("phone_saved", map[string]any{"Phone": profile.LocalPhone(d.Phone)})
			return "", t.reply(ctx, saved, t.afterReplyKeyboard())
		case profile.StepBlood:
			// Units are looked at when their question comes near: one
			// may have been created since onboarding began.
			n, err := h.d.Store.CountUnits(ctx)
			s.Units = n > 0
			return "", err
		}
		return "", nil
	}
}

// unitsPerPage keeps the unit list within one phone screen.
const unitsPerPage = 8

// Values of the unit question's buttons besides a unit's id.
const (
	unitPagePrefix = "p"    // p<offset>: show the page of units at offset
	unitDone       = "done" // edit: the memberships are as wanted
)

// unitStep asks for the donor's unit or club, a page at a time. Onboarding
// takes one unit (or Skip) and ends; editing ticks and unticks units in
// place until Done.
func (h *Handlers) unitStep(edit bool) step[profileForm] {
	st := step[profileForm]{
		ID:     string(profile.StepUnit),
		Prompt: func(t *turn, _ *profileForm) string { return t.text("ask_unit") },
		Choices: func(ctx context.Context, t *turn, s *profileForm) ([]choice, error) {
			return h.unitChoices(ctx, t, s, edit)
		},
		Parse: func(ctx context.Context, t *turn, s *profileForm, raw string) (string, error) {
			if offset, ok := strings.CutPrefix(raw, unitPagePrefix); ok {
				n, err := strconv.Atoi(offset)
				if err != nil || n < 0 || n%unitsPerPage != 0 {
					return t.text("button_stale"), nil
				}
				s.Page = n
				return "", errRedraw
			}
			if raw == unitDone && edit {
				return "", nil
			}
			unitID, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return t.text("use_buttons"), nil
			}
			if _, err := h.d.Store.Unit(ctx, unitID); errors.Is(err, storage.ErrNotFound) {
				return t.text("button_stale"), nil
			} else if err != nil {
				return "", err
			}
			if !edit {
				return "", h.d.Store.JoinUnit(ctx, t.userID, unitID)
			}
			if err := h.toggleUnit(ctx, t, unitID); err != nil {
				return "", err
			}
			return "", errRedraw
		},
	}
	if !edit {
		st.Clear = func(*profileForm) {} // Skip: no unit
	}
	return st
}

// unitChoices is the page of units at s.Page, a button to the next page,
// and for an edit the donor's units ticked and a Done button.
func (h *Handlers) unitChoices(ctx context.Context, t *turn, s *profileForm, edit bool) ([]choice, error) {
	units, err := h.d.Store.Units(ctx, s.Page, unitsPerPage+1)
	if err != nil {
		return nil, err
	}
	member := map[int64]bool{}
	if edit {
		mine, err := h.d.Store.DonorUnits(ctx, t.userID)
		if err != nil {
			return nil, err
		}
		for _, u := range mine {
			member[u.ID] = true
		}
	}
	var cs []choice
	for i, u := range units {
		if i == unitsPerPage {
			cs = append(cs, choice{Text: t.text("btn_more"), Value: unitPagePrefix + strconv.Itoa(s.Page+unitsPerPage)})
			break
		}
		label := u.Name
		if member[u.ID] {
			label = "✓ " + label
		}
		cs = append(cs, choice{Text: label, Value: strconv.FormatInt(u.ID, 10)})
	}
	if edit {
		cs = append(cs, choice{Text: t.text("btn_done"), Value: unitDone})
	}
	return cs, nil
}

// toggleUnit leaves a unit the donor is in, or joins it.
func (h *Handlers) toggleUnit(ctx context.Context, t *turn, unitID int64) error {
	mine, err := h.d.Store.DonorUnits(ctx, t.userID)
	if err != nil {
		return err
	}
	for _, u := range mine {
		if u.ID == unitID {
			return h.d.Store.LeaveUnit(ctx, t.userID, unitID)
		}
	}
	return h.d.Store.JoinUnit(ctx, t.userID, unitID)
}

// resumeOnboarding asks the donor's first unanswered question.
func (h *Handlers) resumeOnboarding(ctx context.Context, t *turn) error {
	if t.donor == nil || t.donor.Onboarded() {
		return h.start(ctx, t)
	}
	f, conv, s, err := h.onboardingResumed(ctx, t)
	if err != nil {
		return err
	}
	if conv.Step == string(profile.StepUnit) && !s.Units {
		return f.finish(ctx, t, conv, &s) // every question answered
	}
	return f.ask(ctx, t, conv, &s)
}

// onboardingResumed is the onboarding conversation of a donor at their
// first unanswered question. The questions answered before (in a
// conversation paused, or lost with Redis) make the trail, so Back reaches
// them as if they had just been answered.
func (h *Handlers) onboardingResumed(ctx context.Context, t *turn) (*flow[profileForm], storage.Conversation, profileForm, error) {
	n, err := h.d.Store.CountUnits(ctx)
	if err != nil {
		return nil, storage.Conversation{}, profileForm{}, err
	}
	f, s := h.onboardingFlow(), profileForm{Units: n > 0}
	next := t.donor.NextStep()
	conv := storage.Conversation{Version: storage.ConversationVersion, Flow: f.Name, FlowVersion: f.Version, Step: string(next)}
	for _, st := range profile.Steps[:slices.Index(profile.Steps, next)] {
		conv.Trail = append(conv.Trail, string(st))
	}
	if conv.State, err = json.Marshal(s); err != nil {
		return nil, storage.Conversation{}, profileForm{}, fmt.Errorf("onboarding of %d: encode state: %w", t.userID, err)
	}
	return f, conv, s, nil
}

// pauseOnboarding answers Cancel during onboarding: consent and answers are
// kept, and a button (or /start) continues.
func (h *Handlers) pauseOnboarding(ctx context.Context, t *turn) error {
	if err := h.d.State.SaveConversation(ctx, t.userID, storage.Conversation{Flow: flowIdle}); err != nil {
		return err
	}
	cont := rows(1, botapi.Button{Text: t.text("btn_onboarding_continue"), CallbackData: encodeCallback("consent", "yes")})
	if t.donor.Phone != "" {
		return t.reply(ctx, t.text("onboarding_paused"), cont)
	}
	// The phone question's reply keyboard may be up, and only a message
	// of its own can take it down.
	if err := t.reply(ctx, t.text("onboarding_paused"), botapi.RemoveKeyboard{RemoveKeyboard: true}); err != nil {
		return err
	}
	return t.reply(ctx, t.text("onboarding_continue"), cont)
}

// onboardingLost answers a tap on an onboarding button whose conversation
// is gone. The donor row knows the answers: a tap on the first unanswered
// question is its answer; any other is followed by that question.
func (h *Handlers) onboardingLost(ctx context.Context, t *turn) (bool, error) {
	if t.donor == nil || t.donor.Onboarded() {
		return false, nil
	}
	f, conv, _, err := h.onboardingResumed(ctx, t)
	if err != nil {
		return true, err
	}
	if t.cb.arg(1) == conv.Step {
		return true, f.onButton(ctx, t, conv)
	}
	if err := t.finishTap(ctx); err != nil {
		return true, err
	}
	if err := t.reply(ctx, t.text("step_lost"), nil); err != nil {
		return true, err
	}
	return true, h.resumeOnboarding(ctx, t)
}

// consentedOnly refuses a profile flow's answer from a user without a donor
// row (one who used /forget while Redis kept their conversation).
func (h *Handlers) consentedOnly(fn handlerFunc) handlerFunc {
	return func(ctx context.Context, t *turn) error {
		if t.donor == nil {
			return t.refuse(ctx, "consent_needed")
		}
		return fn(ctx, t)
	}
}

// onEditButton starts editing the profile field of a /profile button. The
// profile's buttons stay, so another field can be chosen later.
func (h *Handlers) onEditButton(ctx context.Context, t *turn) error {
	field := profile.Step(t.cb.arg(0))
	if !editable(string(field)) || t.donor == nil || !t.donor.Onboarded() {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	f := h.profileEditFlow()
	first := string(field)
	if first == editPlace {
		first = "province"
	}
	conv := storage.Conversation{Version: storage.ConversationVersion, Flow: f.Name, FlowVersion: f.Version,
		Step: first, Trail: []string{stepField}}
	return f.ask(ctx, t, conv, &profileForm{Field: string(field)})
}
