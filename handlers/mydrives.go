package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/screening"
	"donorbot/storage"
)

// myDrives lists the donor's registrations with what can be done to each.
func (h *Handlers) myDrives(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return h.needProfileFirst(ctx, t)
	}
	regs, err := h.d.Store.MyRegistrations(ctx, t.userID, h.d.Now())
	if err != nil {
		return err
	}
	if len(regs) == 0 {
		return t.reply(ctx, t.text("mydrives_none"), nil)
	}
	mark, err := h.driveMarker(ctx, t)
	if err != nil {
		return err
	}
	reanswerable, err := h.screeningDeferredSet(ctx, t)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(t.text("mydrives_header"))
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	for _, r := range regs {
		b.WriteString("\n\n")
		data := h.slotData(t.lang, r.Drive, r.Slot)
		data["Status"] = t.text("reg_" + string(r.Registration.Status))
		data["Position"] = r.Registration.WaitlistPosition
		b.WriteString(t.textf("mydrives_item", data))
		if r.Drive.Status == drive.StatusCancelled {
			b.WriteString("\n")
			b.WriteString(t.text("mydrives_drive_cancelled"))
		}
		if r.Drive.Status == drive.StatusPublished && r.Slot.Start.After(h.d.Now()) &&
			(r.Registration.Status.Live() || r.Registration.Status == drive.RegDeferred) {
			b.WriteString(mark(r.Slot.Start))
		}
		if reanswerable[r.Registration.ID] {
			kb = kb.With(t.reanswerButton(r.Drive.Title, r.Registration.ID))
		}
		if !r.Registration.Status.Live() || !r.Slot.Start.After(h.d.Now()) || r.Drive.Status != drive.StatusPublished {
			continue
		}
		title := shorten(r.Drive.Title, 24)
		row := []botapi.Button{
			{Text: t.textf("btn_cancel_reg", map[string]any{"Title": title}), CallbackData: encodeCallback("drv", "cancel", id(r.Registration.ID))},
			{Text: t.text("btn_move_reg"), CallbackData: encodeCallback("drv", "move", id(r.Registration.ID))},
		}
		if r.Registration.AllowedVolumeML == 0 {
			row = append(row, botapi.Button{Text: t.text("btn_finish_screening"), CallbackData: encodeCallback("drv", "screen", id(r.Registration.ID))})
		}
		kb = kb.With(row...)
	}
	return t.reply(ctx, b.String(), kb)
}

// liveRegistration loads one of the donor's live registrations, answering
// a stale button when it is gone.
func (h *Handlers) liveRegistration(ctx context.Context, t *turn, regID int64) (storage.MyRegistration, bool, error) {
	reg, err := h.d.Store.Registration(ctx, t.userID, regID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !reg.Registration.Status.Live()) {
		return storage.MyRegistration{}, false, t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return storage.MyRegistration{}, false, err
	}
	return reg, true, t.answer(ctx, "")
}

func (h *Handlers) cancelRegistration(ctx context.Context, t *turn, regID int64) error {
	if _, ok, err := h.liveRegistration(ctx, t, regID); !ok || err != nil {
		return err
	}
	promoted, err := h.d.Store.Cancel(ctx, t.userID, regID, h.d.Now())
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrNotLive) {
		return t.reply(ctx, t.text("registration_gone"), nil)
	}
	if err != nil {
		return err
	}
	if err := t.closeButtons(ctx); err != nil {
		return err
	}
	if err := t.reply(ctx, t.text("registration_cancelled"), nil); err != nil {
		return err
	}
	return h.announcePromotion(ctx, promoted)
}

// offerMove shows the other slots of the registration's drive.
func (h *Handlers) offerMove(ctx context.Context, t *turn, regID int64) error {
	reg, ok, err := h.liveRegistration(ctx, t, regID)
	if !ok || err != nil {
		return err
	}
	slots, err := h.d.Store.DriveSlots(ctx, reg.Drive.ID)
	if err != nil {
		return err
	}
	var bs []botapi.Button
	for _, s := range slots {
		if s.ID == reg.Slot.ID || s.SeatsLeft() == 0 || !s.Start.After(h.d.Now()) {
			continue
		}
		bs = append(bs, botapi.Button{Text: t.slotLabel(s), CallbackData: encodeCallback("drv", "moveto", id(regID), id(s.ID))})
	}
	if len(bs) == 0 {
		return t.reply(ctx, t.text("move_none"), nil)
	}
	return t.reply(ctx, t.text("move_choose"), rows(2, bs...))
}

func (h *Handlers) moveRegistration(ctx context.Context, t *turn, regID, slotID int64) error {
	if _, ok, err := h.liveRegistration(ctx, t, regID); !ok || err != nil {
		return err
	}
	moved, promoted, err := h.d.Store.Move(ctx, t.userID, regID, slotID, h.d.Now())
	switch {
	case errors.Is(err, storage.ErrSlotFull):
		return t.reply(ctx, t.text("move_full"), nil)
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrNotLive),
		errors.Is(err, storage.ErrOtherDrive), errors.Is(err, storage.ErrDriveNotOpen):
		return t.reply(ctx, t.text("registration_gone"), nil)
	case err != nil:
		return err
	}
	if err := t.closeButtons(ctx); err != nil {
		return err
	}
	if err := h.announcePromotion(ctx, promoted); err != nil {
		return err
	}
	reg, err := h.d.Store.Registration(ctx, t.userID, moved.ID)
	if err != nil {
		return err
	}
	return h.confirmRegistration(ctx, t, reg)
}

// resumeScreening restarts the questionnaire of a registration whose
// screening was left unfinished.
func (h *Handlers) resumeScreening(ctx context.Context, t *turn, regID int64) error {
	reg, ok, err := h.liveRegistration(ctx, t, regID)
	if !ok || err != nil {
		return err
	}
	return h.beginScreening(ctx, t, "reg:"+id(regID), h.calendarDay(reg.Slot.Start))
}

// remindKeyboard offers a reminder on the day a deferred donor may donate again.
func (t *turn) remindKeyboard(res screening.Result) any {
	if res.Status != screening.Deferred || res.Until.IsZero() {
		return nil
	}
	label := t.textf("btn_remind_me", map[string]any{"Date": t.day(res.Until)})
	return rows(1, botapi.Button{Text: label, CallbackData: encodeCallback("remind", res.Until.Format("20060102"))})
}

// onRemind stores a reminder for the day a deferral ends.
func (h *Handlers) onRemind(ctx context.Context, t *turn) error {
	day, err := time.Parse("20060102", t.cb.arg(0))
	if err != nil || t.donor == nil || !day.After(h.today()) || day.After(h.today().AddDate(2, 0, 0)) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := h.d.Store.AddDateReminder(ctx, t.userID, day, "eligible_again"); err != nil {
		return err
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	return t.reply(ctx, t.textf("remind_set", map[string]any{"Date": t.day(day)}), nil)
}

// recheckScreened ends the morning-of check. The new answers replace the
// same questions' earlier ones and the whole set is judged again, so an
// earlier deferral-relevant answer (a tattoo last month) still counts:
// eligible keeps the registration, a deferral frees the seat.
func (h *Handlers) recheckScreened(ctx context.Context, t *turn, regID int64, st screeningState, res screening.Result) error {
	raw, err := h.d.Store.ScreeningAnswers(ctx, t.userID, regID)
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply(ctx, t.text("registration_gone"), nil)
	}
	if err != nil {
		return err
	}
	var earlier []screening.Answer
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &earlier); err != nil {
			return fmt.Errorf("stored answers of registration %d: %w", regID, err)
		}
	}
	merged := slices.DeleteFunc(earlier, func(a screening.Answer) bool { return slices.Contains(st.Only, a.Question) })
	st.Answers = append(merged, st.Answers...)
	if res, err = h.evaluate(ctx, t, st); err != nil {
		return err
	}
	if res.Status == screening.Eligible {
		if err := h.storeScreening(ctx, t, regID, st, res); err != nil {
			return err
		}
		return t.reply(ctx, t.text("recheck_ok"), nil)
	}
	return h.registrationScreened(ctx, t, regID, st, res)
}

// screeningPurposes maps a questionnaire's purpose to what settles it.
func (h *Handlers) screeningPurposes() map[string]screeningDone {
	return map[string]screeningDone{
		"reg":       h.registrationScreened,
		"recheck":   h.recheckScreened,
		purposeRedo: h.redoScreened,
	}
}
