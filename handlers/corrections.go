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

// fixResultButton offers to correct or undo the result of a registration
// that has one, or is nil.
func (h *Handlers) fixResultButton(t *turn, a storage.Arrival) any {
	switch drive.RegStatus(a.Status) {
	case drive.RegAttended, drive.RegDeferred:
		reg := id(a.RegistrationID)
		return rows(2, botapi.Button{Text: t.text("btn_fix_result"), CallbackData: encodeCallback("resfix", reg)},
			botapi.Button{Text: t.text("btn_undo_result"), CallbackData: encodeCallback("resundo", reg)})
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
	kb, err := h.resultButtons(ctx, t, a, true)
	if err != nil {
		return err
	}
	return t.reply(ctx, t.textf("result_fix_ask", map[string]any{"Name": a.FullName.String}), kb)
}

// correctResult replaces the registration's result (audited in storage),
// tells the donor, and shows the organizer the change.
func (h *Handlers) correctResult(ctx context.Context, t *turn, a storage.Arrival, res storage.Result) error {
	old, err := h.saveResult(ctx, t.userID, a, res, true)
	switch {
	case errors.Is(err, storage.ErrResultUnchanged):
		return t.reply(ctx, t.text("result_fix_same"), nil)
	case errors.Is(err, storage.ErrNoResult):
		return t.reply(ctx, t.text("result_none"), nil)
	case err != nil:
		return err
	}
	return t.reply(ctx, t.textf("result_fixed", map[string]any{"Name": a.FullName.String,
		"Old": h.resultWhat(t.lang, old), "New": h.resultWhat(t.lang, res)}), nil)
}

// undoResult removes the registration's result as user by (audited in
// storage) and tells the donor, for the chat desk and the console alike.
// It returns the result removed.
func (h *Handlers) undoResult(ctx context.Context, by int64, a storage.Arrival) (storage.Result, error) {
	old, rec, err := h.d.Store.UndoResult(ctx, storage.Undo{RegistrationID: a.RegistrationID, By: by, At: h.d.Now()})
	if err != nil {
		return old, err
	}
	told := h.textIn(rec.Language, "result_undone_donor", map[string]any{"What": h.resultWhat(rec.Language, old)})
	return old, h.tell(ctx, rec.ChatID, told, h.nextStepIn(rec.Language, "eligibility"))
}

// onResultUndo removes a recorded result and offers the results again.
func (h *Handlers) onResultUndo(ctx context.Context, t *turn) error {
	a, _, ok, err := h.arrivalFromButton(ctx, t)
	if !ok || err != nil {
		return err
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	old, err := h.undoResult(ctx, t.userID, a)
	if errors.Is(err, storage.ErrNoResult) {
		return t.reply(ctx, t.text("result_none"), nil)
	}
	if err != nil {
		return err
	}
	kb, err := h.resultButtons(ctx, t, a, false)
	if err != nil {
		return err
	}
	return t.reply(ctx, t.textf("result_undone", map[string]any{"Name": a.FullName.String, "What": h.resultWhat(t.lang, old)}), kb)
}

// resultButtons are the results the desk may record for the arrival: a
// bag per volume the donor may give, and the deferral; with fix, each
// corrects the recorded result.
func (h *Handlers) resultButtons(ctx context.Context, t *turn, a storage.Arrival, fix bool) (botapi.InlineKeyboard, error) {
	volumes, _, err := h.donorBags(ctx, a)
	if err != nil {
		return botapi.InlineKeyboard{}, err
	}
	reg := id(a.RegistrationID)
	var extra []string
	if fix {
		extra = []string{fixArg}
	}
	var bs []botapi.Button
	for _, v := range volumes {
		bs = append(bs, botapi.Button{Text: t.textf("btn_donated", map[string]any{"Volume": v}),
			CallbackData: encodeCallback("res", append([]string{reg, strconv.Itoa(v)}, extra...)...)})
	}
	return rows(3, bs...).With(botapi.Button{Text: t.text("btn_deferred"),
		CallbackData: encodeCallback("resd", append([]string{reg}, extra...)...)}), nil
}
