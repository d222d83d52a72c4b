package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"donorbot/botapi"
	"donorbot/profile"
	"donorbot/screening"
	"donorbot/storage"
)

// purposeRedo is the purpose kind of a questionnaire answered again for a
// registration that screening deferred: "redo:<registration>".
const purposeRedo = "redo"

// screeningDonorBeforeAnswers is what the rules know of the donor without
// their screening answers: the deferrals their earlier answers caused are
// left out, because the answers being judged replace those answers.
func (h *Handlers) screeningDonorBeforeAnswers(ctx context.Context, d *profile.Donor) (screening.Donor, error) {
	return h.screeningDonorWith(ctx, d, func(f storage.Deferral) bool { return f.Source != "screening" })
}

// storeScreening keeps the donor's answers in place of their earlier ones
// (changes audited at the handlers' clock) and replaces the deferrals the
// earlier answers caused with this result's. Not-eligible answers are not
// stored as a permanent mark: only the medical staff can decide that; the
// donation interval and age come from the history and profile, not from an
// answer.
func (h *Handlers) storeScreening(ctx context.Context, t *turn, regID int64, st screeningState, res screening.Result) error {
	var deferrals []screening.Reason
	if res.Status == screening.Deferred {
		for _, r := range res.Reasons {
			if r.Code != screening.CodeDonationInterval && r.Code != screening.CodeUnder18 {
				deferrals = append(deferrals, r)
			}
		}
	}
	return h.d.Store.SaveScreening(ctx, t.userID, regID, screeningAnswersOf(st), deferrals, h.d.Now())
}

// screeningAnswersOf is the answers of a finished screening as they are
// kept, with their "no date" marks.
func screeningAnswersOf(st screeningState) []storage.ScreeningAnswer {
	answers := make([]storage.ScreeningAnswer, 0, len(st.Answers))
	for _, a := range st.Answers {
		answers = append(answers, storage.ScreeningAnswer{Answer: a, NoDate: slices.Contains(st.NoDate, a.Question)})
	}
	return answers
}

// screeningDeferredSet is the donor's registrations that answering the
// screening again may reopen, for /mydrives' buttons.
func (h *Handlers) screeningDeferredSet(ctx context.Context, t *turn) (map[int64]bool, error) {
	ids, err := h.d.Store.ScreeningDeferred(ctx, t.userID, h.d.Now())
	if err != nil {
		return nil, err
	}
	set := make(map[int64]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// reanswerButton offers a donor deferred by their answers to answer again:
// a mistaken tap is corrected that way.
func (t *turn) reanswerButton(title string, regID int64) botapi.Button {
	return botapi.Button{Text: t.textf("btn_reanswer", map[string]any{"Title": shorten(title, 24)}),
		CallbackData: encodeCallback("drv", "reanswer", id(regID))}
}

// reanswer starts the questionnaire again for a registration its answers
// deferred.
func (h *Handlers) reanswer(ctx context.Context, t *turn, regID int64) error {
	ids, err := h.d.Store.ScreeningDeferred(ctx, t.userID, h.d.Now())
	if err != nil {
		return err
	}
	if !slices.Contains(ids, regID) {
		return t.reply(ctx, t.text("registration_gone"), nil)
	}
	reg, err := h.d.Store.Registration(ctx, t.userID, regID)
	if err != nil {
		return err
	}
	if err := t.reply(ctx, t.text("reanswer_intro"), nil); err != nil {
		return err
	}
	return h.beginScreening(ctx, t, purposeRedo+":"+id(regID), h.calendarDay(reg.Slot.Start))
}

// redoScreened settles a questionnaire answered again: the new answers
// replace the earlier ones; eligible gives the registration its place back
// (a seat, or the waitlist when the seat went meanwhile), still deferred
// says why and until when.
func (h *Handlers) redoScreened(ctx context.Context, t *turn, regID int64, st screeningState, res screening.Result) error {
	if err := h.storeScreening(ctx, t, regID, st, res); err != nil {
		return err
	}
	reg, err := h.d.Store.Registration(ctx, t.userID, regID)
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply(ctx, t.text("registration_gone"), nil)
	}
	if err != nil {
		return err
	}
	day := h.calendarDay(reg.Slot.Start)
	if res.Status != screening.Eligible {
		return t.reply(ctx, t.screeningResultText(res, day), t.remindKeyboard(res))
	}
	answers, err := json.Marshal(st.Answers)
	if err != nil {
		return fmt.Errorf("encode answers: %w", err)
	}
	err = h.d.Store.ReopenScreened(ctx, t.userID, regID, answers, res.MaxVolumeML, h.d.Now())
	switch {
	case errors.Is(err, storage.ErrAlreadyRegistered):
		return t.reply(ctx, t.text("already_registered"), rows(1, t.myDrivesButton()))
	case errors.Is(err, storage.ErrNotLive), errors.Is(err, storage.ErrNotFound):
		return t.reply(ctx, t.text("registration_gone"), nil)
	case err != nil:
		return err
	}
	if err := t.reply(ctx, t.screeningResultText(res, day), nil); err != nil {
		return err
	}
	reg, seatsLeft, err := h.d.Store.RegistrationWithSeats(ctx, t.userID, regID, h.d.Now())
	if err != nil {
		return err
	}
	return h.confirmRegistration(ctx, t, reg, seatsLeft)
}
