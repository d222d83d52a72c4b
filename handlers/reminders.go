package handlers

import (
	"context"
	"slices"
	"strconv"
	"time"

	"donorbot/drive"
	"donorbot/screening"
	"donorbot/storage"
)

// SendReminders sends what is due: reminders before slots (the last one
// with the morning-of health check), thank-yous after drives, and the
// reminders donors asked for when a deferral ends; it marks who never
// came to an ended drive as a no-show; and for urgent needs, it offers to
// widen an unfilled one and covers alerts sent late. Several processes may
// call it at once: storage hands each reminder to one of them.
func (h *Handlers) SendReminders(ctx context.Context) error {
	for {
		due, err := h.d.Store.ClaimDueReminders(ctx, h.d.Now(), h.reminderOffsets(), 100)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			break
		}
		for _, r := range due {
			if err := h.sendSlotReminder(ctx, r); err != nil {
				return err
			}
		}
	}
	dated, err := h.d.Store.ClaimDueDateReminders(ctx, h.today(), 100)
	if err != nil {
		return err
	}
	for _, r := range dated {
		text := h.textIn(r.Language, "remind_due", map[string]any{"Date": displayDate(r.Day)})
		if err := h.tell(ctx, r.ChatID, text, nil); err != nil {
			return err
		}
	}
	if err := h.markNoShows(ctx); err != nil {
		return err
	}
	return h.sendUrgentDue(ctx)
}

func (h *Handlers) reminderOffsets() []time.Duration {
	if len(h.d.ReminderOffsets) == 0 {
		return drive.DefaultReminderOffsets
	}
	return h.d.ReminderOffsets
}

func (h *Handlers) sendSlotReminder(ctx context.Context, r storage.DueReminder) error {
	data := h.slotData(r.Drive, r.Slot)
	if r.Kind == drive.KindThanks {
		return h.tell(ctx, r.ChatID, h.textIn(r.Language, "thanks_after_drive", data), nil)
	}
	text := h.textIn(r.Language, "reminder_slot", data)
	var markup any
	if r.Kind == h.lastReminderKind() {
		// The morning-of check: health can change after the questionnaire.
		text += "\n\n" + h.textIn(r.Language, "recheck_ask", nil)
		regID := strconv.FormatInt(r.RegistrationID, 10)
		markup = rows(2,
			button{Text: h.textIn(r.Language, "btn_yes", nil), CallbackData: encodeCallback("rchk", regID, "y")},
			button{Text: h.textIn(r.Language, "btn_no", nil), CallbackData: encodeCallback("rchk", regID, "n")})
	}
	return h.tell(ctx, r.ChatID, text, markup)
}

// lastReminderKind is the reminder nearest to the slot.
func (h *Handlers) lastReminderKind() string {
	return drive.ReminderKind(slices.Min(h.reminderOffsets()))
}

// onRecheck answers the morning-of check: a change re-asks questions 2, 7
// and 8 of the questionnaire (ill now, last 14 days, last 7 days).
func (h *Handlers) onRecheck(ctx context.Context, t *turn) error {
	regID, err := strconv.ParseInt(t.cb.arg(0), 10, 64)
	if err != nil || t.donor == nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	reg, ok, err := h.liveRegistration(ctx, t, regID)
	if !ok || err != nil {
		return err
	}
	if err := t.closeButtons(ctx); err != nil {
		return err
	}
	if t.cb.arg(1) != "y" {
		return t.reply(ctx, t.text("recheck_ok"), nil)
	}
	return h.beginScreening(ctx, t, "recheck:"+id(regID), h.calendarDay(reg.Slot.Start),
		screening.QIllNow, screening.QWithin14Days, screening.QWithin7Days)
}
