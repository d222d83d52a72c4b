package handlers

import (
	"context"
	"errors"
	"strconv"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
)

// The answers a slot reminder offers: rmd:v1:<registration>:<slot>:<op>.
// The slot is the one the reminder was about, so a reminder of a slot the
// donor has since left is told apart from the current one.
const (
	rmdHere   = "here"   // I'll be there
	rmdMove   = "move"   // Change slot: the move journey of /mydrives
	rmdCant   = "cant"   // I can't come: asks to confirm
	rmdCancel = "cancel" // confirmed: cancels as /mydrives does
	rmdKeep   = "keep"   // not cancelled after all
)

// reminderButtons are the answers a slot reminder carries.
func (h *Handlers) reminderButtons(lang string, regID, slotID int64) []botapi.Button {
	data := func(op string) string { return encodeCallback("rmd", id(regID), id(slotID), op) }
	return []botapi.Button{
		{Text: h.textIn(lang, "btn_reminder_here", nil), CallbackData: data(rmdHere)},
		{Text: h.textIn(lang, "btn_reminder_move", nil), CallbackData: data(rmdMove)},
		{Text: h.textIn(lang, "btn_reminder_cant", nil), CallbackData: data(rmdCant)},
	}
}

// onReminderAnswer handles the buttons of a slot reminder.
func (h *Handlers) onReminderAnswer(ctx context.Context, t *turn) error {
	regID, err1 := strconv.ParseInt(t.cb.arg(0), 10, 64)
	slotID, err2 := strconv.ParseInt(t.cb.arg(1), 10, 64)
	if err1 != nil || err2 != nil || t.donor == nil || !t.donor.Onboarded() {
		return t.answer(ctx, t.text("button_stale"))
	}
	reg, ok, err := h.reminderRegistration(ctx, t, regID, slotID)
	if !ok || err != nil {
		return err
	}
	data := h.slotData(t.lang, reg.Drive, reg.Slot)
	switch op := t.cb.arg(2); op {
	case rmdHere:
		err := h.d.Store.ConfirmAttendance(ctx, t.userID, regID, h.d.Now())
		if errors.Is(err, storage.ErrNotFound) {
			return t.answer(ctx, t.text("reminder_stale_gone"))
		}
		if err != nil {
			return err
		}
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return t.reply(ctx, t.textf("reminder_here_thanks", data), directionsButton(t, reg.Drive))
	case rmdMove:
		return h.offerMove(ctx, t, regID)
	case rmdCant:
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return t.reply(ctx, t.textf("reminder_cant_confirm", data), rows(2,
			botapi.Button{Text: t.text("btn_reminder_cancel_yes"), CallbackData: encodeCallback("rmd", id(regID), id(slotID), rmdCancel)},
			botapi.Button{Text: t.text("btn_reminder_keep"), CallbackData: encodeCallback("rmd", id(regID), id(slotID), rmdKeep)}))
	case rmdCancel:
		return h.cancelRegistration(ctx, t, regID)
	case rmdKeep:
		if err := t.finishTap(ctx); err != nil {
			return err
		}
		return t.reply(ctx, t.textf("reminder_kept", data), directionsButton(t, reg.Drive))
	}
	return t.answer(ctx, t.text("button_stale"))
}

// reminderRegistration loads the registration a reminder's button is about
// and, when the reminder no longer applies (the registration was cancelled,
// moved to another slot, or its slot has started), says so and takes the
// reminder's buttons away.
func (h *Handlers) reminderRegistration(ctx context.Context, t *turn, regID, slotID int64) (storage.MyRegistration, bool, error) {
	reg, err := h.d.Store.Registration(ctx, t.userID, regID)
	if errors.Is(err, storage.ErrNotFound) {
		return reg, false, t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return reg, false, err
	}
	var stale string
	switch {
	case !reg.Registration.Status.Live() || reg.Drive.Status != drive.StatusPublished:
		stale = t.text("reminder_stale_gone")
	case reg.Slot.ID != slotID:
		stale = t.textf("reminder_stale_moved", h.slotData(t.lang, reg.Drive, reg.Slot))
	case !reg.Slot.Start.After(h.d.Now()):
		stale = t.text("reminder_stale_past")
	default:
		return reg, true, nil
	}
	if err := t.answer(ctx, stale); err != nil {
		return reg, false, err
	}
	return reg, false, t.closeButtons(ctx)
}

// directionsButton opens the venue on a map; nil when the drive has no place.
func directionsButton(t *turn, d drive.Drive) any {
	u := drive.MapURL(d)
	if u == "" {
		return nil
	}
	return rows(1, botapi.Button{Text: t.text("btn_directions"), URL: u})
}
