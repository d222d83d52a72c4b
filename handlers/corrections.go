package handlers

import (
	"context"
	"errors"
	"strconv"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
)

// fixArg marks result buttons that correct a recorded result rather than
// record a first one.
const fixArg = "fix"

// fixResultButton offers to correct the result of a registration that has
// one, or is nil.
func (h *Handlers) fixResultButton(t *turn, a storage.Arrival) any {
	switch drive.RegStatus(a.Status) {
	case drive.RegAttended, drive.RegDeferred:
		return rows(1, botapi.Button{Text: t.text("btn_fix_result"), CallbackData: encodeCallback("resfix", id(a.RegistrationID))})
	}
	return nil
}

// checkinDay is the calendar day the donor of a registration arrived: the
// day a donation recorded for it took place, whenever it is recorded.
func (h *Handlers) checkinDay(a storage.Arrival) time.Time {
	if a.CheckedInAt.Valid {
		return h.calendarDay(a.CheckedInAt.Time)
	}
	return h.today()
}

// onResultFix offers the results again to replace a recorded one: the
// volume buttons and the deferral, each marked as a correction.
func (h *Handlers) onResultFix(ctx context.Context, t *turn) error {
	a, _, ok, err := h.arrivalFromButton(ctx, t)
	if !ok || err != nil {
		return err
	}
	if h.fixResultButton(t, a) == nil {
		return t.answer(ctx, t.text("result_none"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	volumes, _, err := h.donorBags(ctx, a)
	if err != nil {
		return err
	}
	reg := id(a.RegistrationID)
	var bs []botapi.Button
	for _, v := range volumes {
		bs = append(bs, botapi.Button{Text: t.textf("btn_donated", map[string]any{"Volume": v}),
			CallbackData: encodeCallback("res", reg, strconv.Itoa(v), fixArg)})
	}
	kb := rows(3, bs...).With(botapi.Button{Text: t.text("btn_deferred"), CallbackData: encodeCallback("resd", reg, fixArg)})
	return t.reply(ctx, t.textf("result_fix_ask", map[string]any{"Name": a.FullName.String}), kb)
}

// correctResult replaces the registration's result (audited in storage),
// tells the donor, and shows the organizer the change.
func (h *Handlers) correctResult(ctx context.Context, t *turn, a storage.Arrival, res storage.Result) error {
	old, rec, err := h.d.Store.CorrectResult(ctx, storage.Correction{RegistrationID: a.RegistrationID, New: res,
		On: h.checkinDay(a), By: t.userID, At: h.d.Now()})
	switch {
	case errors.Is(err, storage.ErrResultUnchanged):
		return t.reply(ctx, t.text("result_fix_same"), nil)
	case errors.Is(err, storage.ErrNoResult):
		return t.reply(ctx, t.text("result_none"), nil)
	case err != nil:
		return err
	}
	what := func(lang string, r storage.Result) string {
		if r.Donated {
			return h.textIn(lang, "result_what_donated", map[string]any{"Volume": r.VolumeML,
				"Kind": h.textIn(lang, "kind_"+r.Kind, nil)})
		}
		until := "?"
		if !r.Until.IsZero() {
			until = displayDate(lang, r.Until)
		}
		return h.textIn(lang, "result_what_deferred", map[string]any{"Until": until, "Reason": h.deferralReasonIn(lang, r.Reason)})
	}
	told := h.textIn(rec.Language, "result_corrected_donor", map[string]any{"What": what(rec.Language, res)})
	if err := h.tell(ctx, rec.ChatID, told, h.nextStepIn(rec.Language, "eligibility")); err != nil {
		return err
	}
	return t.reply(ctx, t.textf("result_fixed", map[string]any{"Name": a.FullName.String,
		"Old": what(t.lang, old), "New": what(t.lang, res)}), nil)
}
