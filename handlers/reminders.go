package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/screening"
	"donorbot/storage"
)

// SendReminders runs the scheduled jobs once: it queues the reminders due
// before slots (the last one with the morning-of health check), thank-yous
// after drives, recalls of donors eligible again (recall.go) and the
// reminders donors asked for when a deferral ends; it
// marks who never came to an ended drive as a no-show; and for urgent
// needs, it offers to widen an unfilled one and covers alerts sent late;
// and it publishes and announces the drives whose announcement time came.
// Reminders are queued in the transaction that marks them due and sent by
// the broadcast engine, so one chat that cannot be reached delays no other.
// In quiet hours (Deps.QuietHours) nothing but urgent needs is queued,
// except recalls and date reminders of donors who turned quiet hours off.
// Each job runs whatever happened to the others; their errors are returned
// together. Several processes may call it at once: storage hands each
// reminder to one of them.
func (h *Handlers) SendReminders(ctx context.Context) error {
	jobs := []struct {
		name string
		run  func(context.Context) error
	}{
		{"slot_reminders", h.queueSlotReminders},
		// Before date_reminders: a recall settles the reminder of its day.
		{"recalls", h.queueRecalls},
		{"date_reminders", h.queueDateReminders},
		{"no_shows", h.markNoShows},
		{"urgent_due", h.sendUrgentDue},
		{"announcements", h.queueScheduledAnnouncements},
		{"invitation_waves", h.queueInvitationWaves},
	}
	var errs []error
	for _, j := range jobs {
		if err := j.run(ctx); err != nil {
			errs = append(errs, fmt.Errorf("job %s: %w", j.name, err))
		}
	}
	return errors.Join(errs...)
}

// queueSlotReminders queues every reminder due before a slot and every
// thank-you due after a drive. In quiet hours it queues only those of
// donors who turned quiet hours off: for the others a reminder due then
// went out at their last minute (quiet.Early), a thank-you waits for their
// end (quiet.Wait).
func (h *Handlers) queueSlotReminders(ctx context.Context) error {
	now := h.d.Now()
	earlyBefore, ok := h.d.QuietHours.Horizon(now.In(h.d.Location))
	quiet := !ok
	if quiet {
		earlyBefore = now
	}
	return h.queueAll("slot_reminders", func() (map[string]int, error) {
		return h.d.Store.QueueDueReminders(ctx, now, earlyBefore, quiet, h.reminderOffsets(), 100, h.renderSlotReminder)
	})
}

// quiet says whether now is in quiet hours, when messages that would be
// meaningless early (a thank-you, "eligible again", a no-show notice) wait.
func (h *Handlers) quiet() bool {
	return h.d.QuietHours.Contains(h.d.Now().In(h.d.Location))
}

// queueDateReminders queues the reminders donors asked for ("tell me when I
// may donate again") that no recall settled; in quiet hours only those of
// donors who turned quiet hours off.
func (h *Handlers) queueDateReminders(ctx context.Context) error {
	quiet := h.quiet()
	return h.queueAll("date_reminders", func() (map[string]int, error) {
		return h.d.Store.QueueDueDateReminders(ctx, h.today(), h.d.Now(), quiet, 100,
			func(r storage.DateReminder) (storage.ScheduledMessage, error) {
				text := h.textIn(r.Language, "remind_due", map[string]any{"Date": displayDate(r.Language, r.Day)})
				markup, err := h.drivesMarkupIn(r.Language)
				return storage.ScheduledMessage{ChatID: r.ChatID, Text: text, ReplyMarkup: markup}, err
			})
	})
}

// queueAll calls queueBatch until it queues nothing more (each call takes
// one bounded batch, in its own transaction), then reports the job's total.
func (h *Handlers) queueAll(job string, queueBatch func() (map[string]int, error)) error {
	total := map[string]int{}
	defer h.reportQueued(job, total)
	for {
		queued, err := queueBatch()
		if err != nil {
			return err
		}
		if len(queued) == 0 {
			return nil
		}
		for kind, n := range queued {
			total[kind] += n
		}
	}
}

// reportQueued logs and counts what a job queued, and wakes the senders.
func (h *Handlers) reportQueued(job string, queued map[string]int) {
	n := 0
	for kind, k := range queued {
		n += k
		if h.d.OnQueued != nil {
			h.d.OnQueued(kind, k)
		}
	}
	if n == 0 {
		// Every tick of every process: worth seeing only when debugging.
		h.d.Log.Debug("scheduled job ran", "job", job, "queued", 0)
		return
	}
	h.d.Log.Info("scheduled job ran", "job", job, "queued", n)
	h.d.Broadcaster.Wake()
}

func (h *Handlers) reminderOffsets() []time.Duration {
	if len(h.d.ReminderOffsets) == 0 {
		return drive.DefaultReminderOffsets
	}
	return h.d.ReminderOffsets
}

// renderSlotReminder words a reminder for its donor.
func (h *Handlers) renderSlotReminder(r storage.DueReminder) (storage.ScheduledMessage, error) {
	data := h.slotData(r.Language, r.Drive, r.Slot)
	if r.Kind == drive.KindThanks {
		return storage.ScheduledMessage{ChatID: r.ChatID, Text: h.textIn(r.Language, "thanks_after_drive", data)}, nil
	}
	m := storage.ScheduledMessage{ChatID: r.ChatID, Text: h.textIn(r.Language, "reminder_slot", data)}
	if r.DueAt.After(h.d.Now()) {
		// Brought forward by quiet hours: say why it comes so early.
		m.Text = h.textIn(r.Language, "reminder_early", nil) + "\n" + m.Text
	}
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	if r.Kind == h.lastReminderKind() {
		// The morning-of check: health can change after the questionnaire.
		m.Text += "\n\n" + h.textIn(r.Language, "recheck_ask", nil)
		regID := strconv.FormatInt(r.RegistrationID, 10)
		kb = kb.With(
			botapi.Button{Text: h.textIn(r.Language, "btn_yes", nil), CallbackData: encodeCallback("rchk", regID, "y")},
			botapi.Button{Text: h.textIn(r.Language, "btn_no", nil), CallbackData: encodeCallback("rchk", regID, "n")})
	}
	answers := h.reminderButtons(r.Language, r.RegistrationID, r.Slot.ID)
	kb = kb.With(answers[0]).With(answers[1:]...)
	markup, err := json.Marshal(kb)
	if err != nil {
		return m, fmt.Errorf("reminder keyboard: %w", err)
	}
	m.ReplyMarkup = markup
	return m, nil
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
