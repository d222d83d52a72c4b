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
	res := storage.Result{Donated: true, VolumeML: volume, Kind: kind}
	if t.cb.arg(3) == fixArg {
		return h.correctResult(ctx, t, a, res)
	}
	if _, err := h.saveResult(ctx, t.userID, a, res, false); err != nil {
		return h.resultNotRecorded(ctx, t, a, err)
	}
	a.Status = string(drive.RegAttended)
	return t.reply(ctx, t.textf("result_recorded", map[string]any{"Name": a.FullName.String, "What": h.resultWhat(t.lang, res)}),
		h.fixResultButton(t, a))
}

// saveResult records res for the arrival a as user by, for the chat desk
// and the console's gate alike: a first result, or with fix a correction
// of the recorded one (audited in storage). The donor is told the same
// from both: thanks, the deferral, or the correction. It returns the
// result a correction replaced.
func (h *Handlers) saveResult(ctx context.Context, by int64, a storage.Arrival, res storage.Result, fix bool) (storage.Result, error) {
	if fix {
		old, rec, err := h.d.Store.CorrectResult(ctx, storage.Correction{RegistrationID: a.RegistrationID, New: res,
			On: h.checkinDay(a), By: by, At: h.d.Now()})
		if err != nil {
			return old, err
		}
		told := h.textIn(rec.Language, "result_corrected_donor", map[string]any{"What": h.resultWhat(rec.Language, res)})
		return old, h.tell(ctx, rec.ChatID, told, h.nextStepIn(rec.Language, "eligibility"))
	}
	if res.Donated {
		in := storage.DonationInput{RegistrationID: a.RegistrationID, On: h.checkinDay(a), Kind: res.Kind,
			VolumeML: res.VolumeML, Source: "drive", RecordedBy: by}
		rec, err := h.d.Store.RecordDonation(ctx, in)
		if err != nil {
			return storage.Result{}, err
		}
		if err := h.countRecallDonation(ctx, a.RegistrationID); err != nil {
			return storage.Result{}, err
		}
		return storage.Result{}, h.thankDonor(ctx, rec, in)
	}
	rec, err := h.d.Store.RecordOnSiteDeferral(ctx, a.RegistrationID, res.Reason, res.Until)
	if err != nil {
		return storage.Result{}, err
	}
	data := map[string]any{"Reason": h.deferralReasonIn(rec.Language, res.Reason)}
	if res.Until.IsZero() {
		text := h.textIn(rec.Language, "deferred_on_site_no_date", data)
		return storage.Result{}, h.tell(ctx, rec.ChatID, text, h.nextStepIn(rec.Language, "eligibility"))
	}
	data["Until"] = displayDate(rec.Language, res.Until)
	return storage.Result{}, h.tell(ctx, rec.ChatID, h.textIn(rec.Language, "deferred_on_site", data), nil)
}

// resultWhat writes a result for a reader of lang.
func (h *Handlers) resultWhat(lang string, r storage.Result) string {
	if r.Donated {
		return h.textIn(lang, "result_what_donated", map[string]any{"Volume": r.VolumeML,
			"Kind": h.textIn(lang, "kind_"+r.Kind, nil)})
	}
	reason := h.deferralReasonIn(lang, r.Reason)
	if r.Until.IsZero() {
		return h.textIn(lang, "result_what_deferred_no_date", map[string]any{"Reason": reason})
	}
	return h.textIn(lang, "result_what_deferred", map[string]any{"Until": displayDate(lang, r.Until), "Reason": reason})
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
	res := storage.Result{Until: until, Reason: reason}
	if fix {
		return h.correctResult(ctx, t, a, res)
	}
	if _, err := h.saveResult(ctx, t.userID, a, res, false); err != nil {
		return h.resultNotRecorded(ctx, t, a, err)
	}
	a.Status = string(drive.RegDeferred)
	return t.reply(ctx, t.textf("result_recorded", map[string]any{"Name": a.FullName.String, "What": h.resultWhat(t.lang, res)}),
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

// replyNotLive tells the desk why an arrival cannot be checked in: the
// state the registration is in (a result recorded, cancelled, a no-show)
// and what can still be done about it.
func (h *Handlers) replyNotLive(ctx context.Context, t *turn, a storage.Arrival) error {
	name := map[string]any{"Name": a.FullName.String}
	switch drive.RegStatus(a.Status) {
	case drive.RegAttended, drive.RegDeferred:
		res, err := h.d.Store.RecordedResult(ctx, a.RegistrationID)
		if err != nil {
			return err
		}
		name["What"] = h.resultWhat(t.lang, res)
		return t.reply(ctx, t.textf("checkin_has_result", name), h.fixResultButton(t, a))
	case drive.RegNoShow:
		return t.reply(ctx, t.textf("checkin_was_no_show", name), nil)
	}
	return t.reply(ctx, t.textf("checkin_was_cancelled", name), nil)
}
