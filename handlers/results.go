package handlers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
)

// onResultVolume takes "donated <volume>" (or, after "correct", the
// corrected volume) and asks for the component.
func (h *Handlers) onResultVolume(ctx context.Context, t *turn) error {
	a, _, ok, err := h.arrivalFromButton(ctx, t)
	if !ok || err != nil {
		return err
	}
	volumes, kinds, err := h.donorBags(ctx, a)
	if err != nil {
		return err
	}
	volume, err := strconv.Atoi(t.cb.arg(1))
	if err != nil || !slices.Contains(volumes, volume) {
		return t.answer(ctx, t.text("button_stale"))
	}
	fix := t.cb.arg(2) == fixArg
	if !a.CheckedInAt.Valid {
		return t.answer(ctx, t.text("result_needs_checkin"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	var bs []botapi.Button
	for _, k := range kinds {
		args := []string{id(a.RegistrationID), strconv.Itoa(volume), k}
		if fix {
			args = append(args, fixArg)
		}
		bs = append(bs, botapi.Button{Text: t.text("kind_" + k), CallbackData: encodeCallback("resk", args...)})
	}
	return t.reply(ctx, t.textf("result_choose_component", map[string]any{"Volume": volume}), rows(2, bs...))
}

// onResultKind records the donation and thanks the donor.
func (h *Handlers) onResultKind(ctx context.Context, t *turn) error {
	a, _, ok, err := h.arrivalFromButton(ctx, t)
	if !ok || err != nil {
		return err
	}
	volumes, kinds, err := h.donorBags(ctx, a)
	if err != nil {
		return err
	}
	volume, err := strconv.Atoi(t.cb.arg(1))
	kind := t.cb.arg(2)
	if err != nil || !slices.Contains(volumes, volume) || !slices.Contains(kinds, kind) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if !a.CheckedInAt.Valid {
		return t.answer(ctx, t.text("result_needs_checkin"))
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	if t.cb.arg(3) == fixArg {
		return h.correctResult(ctx, t, a, storage.Result{Donated: true, VolumeML: volume, Kind: kind})
	}
	in := storage.DonationInput{RegistrationID: a.RegistrationID, On: h.checkinDay(a), Kind: kind, VolumeML: volume,
		Source: "drive", RecordedBy: t.userID}
	rec, err := h.d.Store.RecordDonation(ctx, in)
	if err != nil {
		return h.resultNotRecorded(ctx, t, a, err)
	}
	if err := h.countRecallDonation(ctx, a.RegistrationID); err != nil {
		return err
	}
	if err := h.thankDonor(ctx, rec, in); err != nil {
		return err
	}
	what := t.textf("result_what_donated", map[string]any{"Volume": volume, "Kind": t.text("kind_" + kind)})
	a.Status = string(drive.RegAttended)
	return t.reply(ctx, t.textf("result_recorded", map[string]any{"Name": a.FullName.String, "What": what}),
		h.fixResultButton(t, a))
}

// thankDonor thanks a donor for a donation just recorded (at a drive or for
// an urgent need) with the day they may donate again, and congratulates a
// milestone count. Every journey that records a donation calls it after
// storage.RecordDonation.
func (h *Handlers) thankDonor(ctx context.Context, rec storage.RecordedResult, in storage.DonationInput) error {
	donor, err := h.d.Store.Donor(ctx, rec.TelegramID)
	if err != nil {
		return err
	}
	f, err := h.donorFacts(ctx, &donor)
	if err != nil {
		return err
	}
	count, err := h.donationCount(ctx, rec.TelegramID)
	if err != nil {
		return err
	}
	// From the day after: on the day of a donation, "eligible today" is moot.
	from := in.On.AddDate(0, 0, 1)
	next := firstDay(h.statusOn(f, from, nil), from)
	data := map[string]any{"Volume": in.VolumeML, "Kind": h.textIn(rec.Language, "kind_"+in.Kind, nil),
		"Count": count}
	msg := "donation_thanks_no_date"
	if !next.IsZero() {
		msg, data["Next"] = "donation_thanks", displayDate(rec.Language, next)
	}
	if err := h.tell(ctx, rec.ChatID, h.textIn(rec.Language, msg, data), h.nextStepIn(rec.Language, "eligibility")); err != nil {
		return err
	}
	if drive.Milestone(count) {
		return h.tell(ctx, rec.ChatID, h.textIn(rec.Language, "milestone", data), nil)
	}
	return nil
}

// onResultDeferred starts recording an on-site deferral: reason, then until.
func (h *Handlers) onResultDeferred(ctx context.Context, t *turn) error {
	a, d, ok, err := h.arrivalFromButton(ctx, t)
	if !ok || err != nil {
		return err
	}
	if !a.CheckedInAt.Valid {
		return t.answer(ctx, t.text("result_needs_checkin"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	s := checkinDesk{Drive: d.ID, Title: d.Title, Reg: a.RegistrationID, Fix: t.cb.arg(1) == fixArg}
	return h.checkinFlow().startAt(ctx, t, s, "reason", "find")
}

// recordDeferral stores an on-site deferral and tells the donor until when.
func (h *Handlers) recordDeferral(ctx context.Context, t *turn, d drive.Drive, regID int64, reason string, until time.Time, fix bool) error {
	a, err := h.d.Store.Arrival(ctx, regID)
	if err != nil {
		return err
	}
	if a.DriveID != d.ID {
		return t.reply(ctx, t.text("button_stale"), nil)
	}
	if fix {
		return h.correctResult(ctx, t, a, storage.Result{Until: until, Reason: reason})
	}
	rec, err := h.d.Store.RecordOnSiteDeferral(ctx, regID, reason, until)
	if err != nil {
		return h.resultNotRecorded(ctx, t, a, err)
	}
	text := h.textIn(rec.Language, "deferred_on_site", map[string]any{"Reason": h.deferralReasonIn(rec.Language, reason),
		"Until": displayDate(rec.Language, until)})
	if err := h.tell(ctx, rec.ChatID, text, nil); err != nil {
		return err
	}
	what := t.textf("result_what_deferred", map[string]any{"Until": t.day(until), "Reason": h.deferralReasonIn(t.lang, reason)})
	a.Status = string(drive.RegDeferred)
	return t.reply(ctx, t.textf("result_recorded", map[string]any{"Name": a.FullName.String, "What": what}),
		h.fixResultButton(t, a))
}

// deferralReasonIn writes an on-site deferral's reason for a reader of
// lang: a preset code in their language, a typed reason as it was typed.
func (h *Handlers) deferralReasonIn(lang, reason string) string {
	if drive.IsDeferralReason(reason) {
		return h.textIn(lang, "deferral_reason_"+reason, nil)
	}
	return reason
}

// markNoShows turns confirmed registrations of ended drives never checked
// in into no-shows, and tells those of recent drives another one awaits.
func (h *Handlers) markNoShows(ctx context.Context) error {
	// The notice is queued with the marking, and must not reach a donor
	// keeping quiet hours at night: both wait for the morning.
	quiet := h.quiet()
	queued := map[string]int{}
	defer h.reportQueued("no_shows", queued)
	marked, err := h.d.Store.MarkNoShows(ctx, h.d.Now(), quiet, func(n storage.NoShow) (storage.ScheduledMessage, error) {
		text := h.textIn(n.Language, "no_show_notice", map[string]any{"Title": n.Title, "Date": h.date(n.Language, n.DriveDay)})
		markup, err := h.drivesMarkupIn(n.Language)
		if err != nil {
			return storage.ScheduledMessage{}, err
		}
		queued["no_show_notice"]++
		return storage.ScheduledMessage{ChatID: n.ChatID, Text: text, ReplyMarkup: markup}, nil
	})
	if err != nil {
		clear(queued)
		return err
	}
	if len(marked) > 0 {
		h.d.Log.Info("scheduled job marked no-shows", "job", "no_shows", "marked", len(marked))
	}
	return nil
}

// resultNotRecorded answers a result storage refused: already recorded (with
// the button to correct it) or no check-in yet; any other error is returned.
func (h *Handlers) resultNotRecorded(ctx context.Context, t *turn, a storage.Arrival, err error) error {
	switch {
	case errors.Is(err, storage.ErrResultRecorded) || errors.Is(err, storage.ErrNotLive):
		return t.reply(ctx, t.text("result_already"), h.fixResultButton(t, a))
	case errors.Is(err, storage.ErrNotCheckedIn):
		return t.reply(ctx, t.text("result_needs_checkin"), nil)
	}
	return err
}
