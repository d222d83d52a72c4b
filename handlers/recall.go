package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/screening"
	"donorbot/storage"
	"donorbot/urgent"
)

const (
	// recallWindow is how late, in days, a donor is still recalled after
	// becoming eligible: the scheduler was down, or recall was off then.
	recallWindow = 7
	// recallDrives is how many drives a recall offers.
	recallDrives = 3
	// recallLookAhead is how many upcoming drives are looked at to find
	// recallDrives with free seats.
	recallLookAhead = 20
)

// queueRecalls tells each donor who became eligible again, once per day
// they became eligible (storage.Recall's key), with the nearest drives
// open to them. Becoming eligible happens at a day's start, so each day is
// scanned once by day and, for donors who turned quiet hours off, once at
// night; in quiet hours only they are looked at.
func (h *Handlers) queueRecalls(ctx context.Context) error {
	quiet := h.quiet()
	scope := storage.RecallScopeDay
	if quiet {
		scope = storage.RecallScopeNight
	}
	today := h.today()
	if done, err := h.d.Store.RecallScanDone(ctx, today, scope); err != nil || done {
		return err
	}
	since := today.AddDate(0, 0, -recallWindow)
	cfg := screening.DefaultConfig()
	horizon := since.AddDate(0, 0, -max(cfg.WholeBloodDays, cfg.ApheresisDays))
	candidates, err := h.d.Store.RecallCandidates(ctx, since, today, horizon, quiet)
	if err != nil {
		return err
	}
	queued := map[string]int{}
	defer h.reportQueued("recall", queued)
	skipped := 0
	defer func() { h.reportSkipped("recall", skipped) }()
	// One donor who cannot be recalled holds up no other; the day is
	// scanned again at the next run, and those recalled are not told twice.
	var errs []error
	for _, c := range candidates {
		recalled, err := h.recall(ctx, c, since, today)
		if errors.Is(err, storage.ErrAtContactCap) {
			skipped++
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("recall of %d: %w", c.TelegramID, err))
			continue
		}
		if recalled {
			queued["recall"]++
			if h.d.OnRecall != nil {
				h.d.OnRecall("recalled")
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return h.d.Store.MarkRecallScan(ctx, today, scope)
}

// recall tells the candidate, if they became eligible again after since,
// once for that day.
func (h *Handlers) recall(ctx context.Context, c urgent.Candidate, since, today time.Time) (bool, error) {
	from, ok := h.eligibleAgainOn(donorFacts{donor: c.Donor}, since, today)
	if !ok {
		return false, nil
	}
	msg, driveIDs, err := h.renderRecall(ctx, c, from)
	if err != nil {
		return false, err
	}
	return h.d.Store.Recall(ctx, c.TelegramID, from, today, driveIDs, h.d.Now(), h.d.ContactCap, msg)
}

// eligibleAgainOn is the day in (since, today] from which the donor may
// donate again, by statusOn: deferred on since until that day, and
// eligible today. The facts are those of since (deferrals open then).
func (h *Handlers) eligibleAgainOn(f donorFacts, since, today time.Time) (time.Time, bool) {
	before := h.statusOn(f, since, nil)
	if before.Status != screening.Deferred || before.Until.IsZero() || before.Until.After(today) {
		return time.Time{}, false
	}
	if h.statusOn(f, today, nil).Status != screening.Eligible {
		return time.Time{}, false
	}
	return before.Until, true
}

// renderRecall words the recall of a donor eligible again from day: the
// nearest drives open to them with free seats, each with a button taking
// the first free slot (the drive buttons' "slot" path), and a button to
// stop recalls. It returns the drives offered.
func (h *Handlers) renderRecall(ctx context.Context, c urgent.Candidate, day time.Time) (storage.ScheduledMessage, []int64, error) {
	t := h.as(c.Language)
	units, err := h.d.Store.DonorUnits(ctx, c.TelegramID)
	if err != nil {
		return storage.ScheduledMessage{}, nil, err
	}
	unitIDs := make([]int64, 0, len(units))
	for _, u := range units {
		unitIDs = append(unitIDs, u.ID)
	}
	list, err := h.d.Store.UpcomingDrives(ctx, h.d.Now(), unitIDs, 0, recallLookAhead)
	if err != nil {
		return storage.ScheduledMessage{}, nil, err
	}
	// A drive they are registered for already needs no button.
	regs, err := h.d.Store.MyRegistrations(ctx, c.TelegramID, h.d.Now())
	if err != nil {
		return storage.ScheduledMessage{}, nil, err
	}
	booked := map[int64]bool{}
	for _, r := range regs {
		booked[r.Drive.ID] = booked[r.Drive.ID] || r.Registration.Status.Live()
	}
	var b strings.Builder
	b.WriteString(t.textf("recall_intro", map[string]any{"Date": t.day(day)}))
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	driveIDs := []int64{}
	for _, l := range list {
		if len(driveIDs) == recallDrives {
			break
		}
		if l.SeatsLeft == 0 || booked[l.Drive.ID] {
			continue
		}
		slots, err := h.d.Store.DriveSlots(ctx, l.Drive.ID)
		if err != nil {
			return storage.ScheduledMessage{}, nil, err
		}
		for _, s := range slots {
			if !s.Start.After(h.d.Now()) || s.SeatsLeft() == 0 {
				continue
			}
			if len(driveIDs) == 0 {
				b.WriteString(" " + t.text("recall_drives"))
			}
			b.WriteString("\n\n" + t.driveCard(l.Drive, l.SeatsLeft))
			label := t.textf("btn_recall_register", map[string]any{
				"Title": shorten(l.Drive.Title, 24), "Date": t.date(s.Start), "From": t.clock(s.Start)})
			kb = kb.With(botapi.Button{Text: label, CallbackData: encodeCallback("drv", "slot", id(l.Drive.ID), id(s.ID))})
			driveIDs = append(driveIDs, l.Drive.ID)
			break
		}
	}
	if len(driveIDs) == 0 {
		b.WriteString("\n\n" + t.text("recall_no_drives"))
		kb = kb.With(botapi.Button{Text: t.text("btn_recall_drives"), CallbackData: encodeCallback("drvpg", "0")})
	}
	kb = kb.With(botapi.Button{Text: t.text("btn_recall_stop"), CallbackData: encodeCallback("rcl", "off")})
	markup, err := json.Marshal(kb)
	if err != nil {
		return storage.ScheduledMessage{}, nil, fmt.Errorf("recall keyboard: %w", err)
	}
	return storage.ScheduledMessage{ChatID: c.ChatID, Text: b.String(), ReplyMarkup: markup}, driveIDs, nil
}

// as renders texts in lang outside a user's turn (scheduled messages).
func (h *Handlers) as(lang string) *turn { return &turn{h: h, lang: lang} }

// onRecallButton answers "Stop these reminders" under a recall.
func (h *Handlers) onRecallButton(ctx context.Context, t *turn) error {
	if t.cb.arg(0) != "off" || t.donor == nil || !t.donor.Onboarded() {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := h.d.Store.SetRecall(ctx, t.userID, false); err != nil {
		return err
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	return t.reply(ctx, t.text("recall_stopped"),
		rows(1, botapi.Button{Text: t.text("btn_settings"), CallbackData: encodeCallback("set", "show")}))
}

// countRecallDonation counts in /metrics a donation at a registration a
// recall led to.
func (h *Handlers) countRecallDonation(ctx context.Context, regID int64) error {
	if h.d.OnRecall == nil {
		return nil
	}
	recalled, err := h.d.Store.RegistrationRecalled(ctx, regID)
	if err != nil {
		return err
	}
	if recalled {
		h.d.OnRecall("donated")
	}
	return nil
}
