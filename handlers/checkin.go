package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/textbound"
)

const flowCheckin = "checkin"

// donationVolumes are the bag sizes a result can record (TT26: 250, 350, 450 ml).
var donationVolumes = []int{250, 350, 450}

// donationKinds are the components a donation may be recorded as.
var donationKinds = []string{"whole_blood", "red_cells", "platelets", "plasma"}

// myCode shows the donor their personal check-in QR and its text.
func (h *Handlers) myCode(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return t.reply(ctx, t.text("mycode_need_profile"), nil)
	}
	if len(h.d.CheckinSecret) == 0 {
		return errors.New("mycode: no check-in secret configured")
	}
	until := h.d.Now().Add(drive.CheckinValidity)
	code := drive.CheckinCode(h.d.CheckinSecret, t.userID, until)
	png, err := drive.QRPoster(code, code, t.donor.FullName)
	if err != nil {
		return err
	}
	caption := t.textf("mycode_caption", map[string]any{"Code": code, "Until": h.date(until) + " " + h.clock(until)})
	return t.sendPhoto(ctx, "checkin.png", png, caption)
}

// checkin opens the check-in desk of a drive: /checkin <drive code>.
func (h *Handlers) checkin(ctx context.Context, t *turn) error {
	d, ok, err := h.managedDrive(ctx, t, "checkin_usage")
	if !ok || err != nil {
		return err
	}
	if closed := h.checkinClosed(t, d); closed != "" {
		return t.reply(ctx, closed, nil)
	}
	conv := storage.Conversation{Flow: flowCheckin, Step: "find", Data: map[string]string{"drive": id(d.ID)}}
	if err := h.d.State.SaveConversation(ctx, t.userID, conv); err != nil {
		return err
	}
	return t.reply(ctx, t.textf("checkin_ask", map[string]any{"Title": d.Title}), nil)
}

// checkinText takes what the organizer types at the desk: a donor to find,
// or the reason and end of an on-site deferral.
func (h *Handlers) checkinText(ctx context.Context, t *turn, conv storage.Conversation) error {
	driveID, err := strconv.ParseInt(conv.Data["drive"], 10, 64)
	if err != nil {
		return fmt.Errorf("checkin conversation: %w", err)
	}
	d, ok, err := h.managedDriveByID(ctx, t, driveID) // rights may have been revoked meanwhile
	if !ok || err != nil {
		return err
	}
	raw := strings.TrimSpace(t.upd.Message.Text)
	switch conv.Step {
	case "reason":
		if raw == "" || !textbound.Within(raw, 200) {
			return t.reply(ctx, t.text("result_err_reason"), nil)
		}
		conv.Data["reason"] = raw
		conv.Step = "until"
		if err := h.d.State.SaveConversation(ctx, t.userID, conv); err != nil {
			return err
		}
		return t.reply(ctx, t.text("result_ask_until"), nil)
	case "until":
		until, err := time.ParseInLocation("2/1/2006", raw, time.UTC)
		if err != nil || !until.After(h.today()) {
			return t.reply(ctx, t.text("result_err_until"), nil)
		}
		regID, err := strconv.ParseInt(conv.Data["reg"], 10, 64)
		if err != nil {
			return fmt.Errorf("checkin conversation: %w", err)
		}
		return h.recordDeferral(ctx, t, d, regID, conv.Data["reason"], until, conv.Data["fix"] == "1")
	}
	return h.findArrival(ctx, t, d, raw)
}

// findArrival looks the donor up by check-in code, phone or name.
func (h *Handlers) findArrival(ctx context.Context, t *turn, d drive.Drive, raw string) error {
	var q storage.ArrivalQuery
	// A phone may be typed with dashes too ("0912-345-678"): it is tried
	// before calling something with two dashes a bad code.
	if tid, err := drive.ParseCheckinCode(h.d.CheckinSecret, raw, h.d.Now()); err == nil {
		q.TelegramID = tid
	} else if phone, err := profile.ParsePhone(raw); err == nil {
		q.Phone = phone
	} else if strings.Count(raw, "-") == 2 && !strings.ContainsAny(raw, " +") {
		return t.reply(ctx, t.text("checkin_code_invalid"), nil)
	} else if len([]rune(raw)) >= 2 {
		q.Name = raw
	} else {
		return t.reply(ctx, t.textf("checkin_not_found", map[string]any{"Query": shorten(raw, echoLen)}), nil)
	}
	found, err := h.d.Store.FindArrivals(ctx, d.ID, q)
	if err != nil {
		return err
	}
	switch len(found) {
	case 0:
		if q.TelegramID != 0 {
			return t.reply(ctx, t.text("checkin_not_registered"), nil)
		}
		return t.reply(ctx, t.textf("checkin_not_found", map[string]any{"Query": shorten(raw, echoLen)}), nil)
	case 1:
		return h.checkInArrival(ctx, t, d, found[0])
	}
	var bs []botapi.Button
	for _, a := range found {
		label := a.FullName.String + " · " + a.Phone.String + " · " + t.clock(a.SlotStart)
		bs = append(bs, botapi.Button{Text: shorten(label, 60), CallbackData: encodeCallback("ci", id(a.RegistrationID))})
	}
	return t.reply(ctx, t.text("checkin_choose"), rows(1, bs...))
}

// onCheckinChoice checks in the donor picked among several matches.
func (h *Handlers) onCheckinChoice(ctx context.Context, t *turn) error {
	a, d, ok, err := h.arrivalFromButton(ctx, t)
	if !ok || err != nil {
		return err
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	return h.checkInArrival(ctx, t, d, a)
}

// arrivalFromButton loads the registration named in callback data and
// checks that the user organizes its drive: data is untrusted.
func (h *Handlers) arrivalFromButton(ctx context.Context, t *turn) (storage.Arrival, drive.Drive, bool, error) {
	regID, err := strconv.ParseInt(t.cb.arg(0), 10, 64)
	if err != nil {
		return storage.Arrival{}, drive.Drive{}, false, t.answer(ctx, t.text("button_stale"))
	}
	a, err := h.d.Store.Arrival(ctx, regID)
	if errors.Is(err, storage.ErrNotFound) {
		return a, drive.Drive{}, false, t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return a, drive.Drive{}, false, err
	}
	d, ok, err := h.managedDriveByID(ctx, t, a.DriveID)
	return a, d, ok, err
}

// checkinClosed explains why the drive's desk is closed at the handlers'
// clock, or is "" while it is open.
func (h *Handlers) checkinClosed(t *turn, d drive.Drive) string {
	err := drive.CheckinOpen(d.Start, d.End, h.d.Now(), h.d.Location, h.d.CheckinOpens)
	if errors.Is(err, drive.ErrCheckinNotOpen) {
		opens, _ := drive.CheckinWindow(d.Start, d.End, h.d.Location, h.d.CheckinOpens)
		return t.textf("checkin_not_open", map[string]any{"Title": d.Title, "Opens": h.clock(opens) + " " + h.date(opens)})
	}
	if err != nil {
		return t.textf("checkin_over", map[string]any{"Title": d.Title})
	}
	return ""
}

// checkInArrival stamps the arrival and offers the result buttons.
func (h *Handlers) checkInArrival(ctx context.Context, t *turn, d drive.Drive, a storage.Arrival) error {
	// Checked again here: the desk may have been opened before midnight,
	// and a "ci" button can be forged.
	if closed := h.checkinClosed(t, d); closed != "" {
		return t.reply(ctx, closed, nil)
	}
	err := h.d.Store.CheckIn(ctx, a.DriveID, a.RegistrationID, t.userID, h.d.Now())
	if errors.Is(err, storage.ErrNotLive) {
		return t.reply(ctx, t.textf("checkin_already_result", map[string]any{"Status": t.text("reg_" + a.Status)}),
			h.fixResultButton(t, a))
	}
	if err != nil {
		return err
	}
	screeningLabel := "exp_screening_none"
	if a.Screened {
		screeningLabel = "exp_screening_eligible"
	}
	blood := a.BloodGroup.String
	if blood == "" || blood == "unknown" {
		blood = "?"
	}
	text := t.textf("checkin_done", map[string]any{
		"Name": shorten(a.FullName.String, profile.MaxNameLen), "Phone": a.Phone.String, "Blood": blood,
		"Slot":      t.clock(a.SlotStart) + "–" + t.clock(a.SlotEnd),
		"Screening": t.text(screeningLabel), "Volume": a.AllowedVolumeML.Int64,
	})
	reg := id(a.RegistrationID)
	var bs []botapi.Button
	for _, v := range donationVolumes {
		bs = append(bs, botapi.Button{Text: t.textf("btn_donated", map[string]any{"Volume": v}),
			CallbackData: encodeCallback("res", reg, strconv.Itoa(v))})
	}
	kb := rows(3, bs...).With(botapi.Button{Text: t.text("btn_deferred"), CallbackData: encodeCallback("resd", reg)})
	return t.reply(ctx, text, kb)
}
