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
	text, kb, err := h.myDrivesScreen(ctx, t)
	if err != nil {
		return err
	}
	return t.reply(ctx, text, kb)
}

// myDrivesScreen renders the donor's registrations and their buttons.
func (h *Handlers) myDrivesScreen(ctx context.Context, t *turn) (string, botapi.InlineKeyboard, error) {
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	regs, err := h.d.Store.MyRegistrations(ctx, t.userID, h.d.Now())
	if err != nil {
		return "", kb, err
	}
	if len(regs) == 0 {
		return t.text("mydrives_none"), kb.With(t.drivesButton()), nil
	}
	mark, err := h.driveMarker(ctx, t)
	if err != nil {
		return "", kb, err
	}
	reanswerable, err := h.screeningDeferredSet(ctx, t)
	if err != nil {
		return "", kb, err
	}
	var b strings.Builder
	b.WriteString(t.text("mydrives_header"))
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
	return b.String(), kb, nil
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

// askCancel turns the tapped list into the question whether to cancel: a
// seat given up by a slip of the finger would go to the waitlist at once.
func (h *Handlers) askCancel(ctx context.Context, t *turn, regID int64) error {
	reg, ok, err := h.liveRegistration(ctx, t, regID)
	if !ok || err != nil {
		return err
	}
	kb := rows(1,
		botapi.Button{Text: t.text("btn_cancel_yes"), CallbackData: encodeCallback("drv", "cancelok", id(regID))},
		botapi.Button{Text: t.text("btn_cancel_keep"), CallbackData: encodeCallback("drv", "keep", id(regID))})
	return t.replace(ctx, t.textf("cancel_confirm", h.slotData(t.lang, reg.Drive, reg.Slot)), kb)
}

// keepRegistration answers "Keep it": the list is shown again in place.
func (h *Handlers) keepRegistration(ctx context.Context, t *turn) error {
	text, kb, err := h.myDrivesScreen(ctx, t)
	if err != nil {
		return err
	}
	return t.replace(ctx, text, kb)
}

// cancelRegistration cancels once confirmed. The question's message becomes
// the outcome, so no message still shows the registration as confirmed,
// and it offers where the donor can go instead.
func (h *Handlers) cancelRegistration(ctx context.Context, t *turn, regID int64) error {
	c, err := h.d.Store.CancelMine(ctx, t.userID, regID, h.d.Now())
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrNotLive) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return err
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	reg := c.Registration
	next, err := h.otherDrivesKeyboard(ctx, t, reg.Drive.ID)
	if err != nil {
		return err
	}
	if err := t.replace(ctx, t.textf("registration_cancelled", h.slotData(t.lang, reg.Drive, reg.Slot)), next); err != nil {
		return err
	}
	if err := h.cancelCalendar(ctx, t, c); err != nil {
		return err
	}
	return h.announcePromotion(ctx, c.Promoted)
}

// cancelCalendar sends a cancelled registration's calendar file with
// STATUS:CANCELLED, so the event the donor added leaves their calendar;
// nothing when no file was ever sent for it (a waitlisted place).
func (h *Handlers) cancelCalendar(ctx context.Context, t *turn, c storage.Cancellation) error {
	if !c.Calendar {
		return nil
	}
	reg := c.Registration
	entry := drive.CalendarEntry{RegistrationID: reg.Registration.ID, Sequence: c.Sequence, Cancelled: true, Stamp: h.d.Now()}
	return h.sendCalendar(ctx, t, reg, entry, t.text("ics_cancel_caption"))
}

// otherDrivesToOffer bounds the drives offered after a cancel.
const otherDrivesToOffer = 3

// otherDrivesKeyboard offers the next drives open to the donor with free
// seats, other than except; when none has a seat, the waitlist of the
// first full one; and always the list of drives.
func (h *Handlers) otherDrivesKeyboard(ctx context.Context, t *turn, except int64) (botapi.InlineKeyboard, error) {
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	list, err := h.d.Store.UpcomingDrivesFor(ctx, h.d.Now(), t.userID, 0, 10)
	if err != nil {
		return kb, err
	}
	offered := 0
	var full *storage.DriveListing
	for i, l := range list {
		switch {
		case l.Drive.ID == except:
		case l.SeatsLeft > 0 && offered < otherDrivesToOffer:
			offered++
			label := t.textf("btn_register_for", map[string]any{"Title": shorten(l.Drive.Title, 40)})
			kb = kb.With(botapi.Button{Text: label, CallbackData: encodeCallback("drv", "open", id(l.Drive.ID))})
		case l.SeatsLeft == 0 && full == nil:
			full = &list[i]
		}
	}
	if offered == 0 && full != nil {
		label := t.textf("btn_waitlist_for", map[string]any{"Title": shorten(full.Drive.Title, 40)})
		kb = kb.With(botapi.Button{Text: label, CallbackData: encodeCallback("drv", "open", id(full.Drive.ID))})
	}
	return kb.With(t.drivesButton()), nil
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
	reg, seatsLeft, err := h.d.Store.RegistrationWithSeats(ctx, t.userID, moved.ID, h.d.Now())
	if err != nil {
		return err
	}
	return h.confirmRegistration(ctx, t, reg, seatsLeft)
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

// remindKeyboard offers a reminder on the day a deferred donor may donate
// again, or, without such a day, to see when they can.
func (t *turn) remindKeyboard(res screening.Result) any {
	if res.Status != screening.Deferred || res.Until.IsZero() {
		// No day to be reminded of: when they can donate is the question.
		return rows(1, t.eligibilityButton())
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
