package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/profile"
	"donorbot/regsearch"
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
		return t.reply(ctx, t.text("mycode_need_profile"), rows(1, t.profileFirstButton()))
	}
	code, until, err := h.checkinCode(t.userID)
	if err != nil {
		return fmt.Errorf("mycode: %w", err)
	}
	png, err := drive.QRPoster(code, code, t.donor.FullName)
	if err != nil {
		return err
	}
	caption := t.textf("mycode_caption", map[string]any{"Code": code, "Until": t.date(until) + " " + h.clock(until)})
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
	return h.checkinFlow().start(ctx, t, checkinDesk{Drive: d.ID, Title: d.Title})
}

// checkinDesk is the state of an organizer's check-in desk: its drive, and
// while an on-site deferral is being recorded, its registration and reason.
type checkinDesk struct {
	Drive  int64  `json:"drive"`
	Title  string `json:"title"`
	Reg    int64  `json:"reg,omitempty"`
	Fix    bool   `json:"fix,omitempty"` // the deferral corrects a recorded result
	Reason string `json:"reason,omitempty"`
}

// checkinFlow is the desk: the organizer types one donor to find after
// another, and the desk stays open until Cancel. A deferral's reason and
// end, entered from a result button, return to it.
func (h *Handlers) checkinFlow() *flow[checkinDesk] {
	return &flow[checkinDesk]{
		Name: flowCheckin, Version: 1, Guard: h.organizerOnly,
		Steps: []step[checkinDesk]{{
			ID: "find", Typed: true, Then: "find",
			Prompt: func(t *turn, s *checkinDesk) string { return t.textf("checkin_ask", map[string]any{"Title": s.Title}) },
			Parse: func(ctx context.Context, t *turn, s *checkinDesk, raw string) (string, error) {
				d, problem, err := h.deskDrive(ctx, t, s)
				if problem != "" || err != nil {
					return problem, err
				}
				return "", h.findArrival(ctx, t, d, raw)
			},
		}, {
			ID: "reason", Typed: true, Columns: 2,
			Prompt: func(t *turn, _ *checkinDesk) string { return t.text("result_ask_reason") },
			// A tapped reason is its code (drive.DeferralReasons), which
			// every reader sees in their own language; a typed one is kept.
			Choices: func(_ context.Context, t *turn, _ *checkinDesk) ([]choice, error) {
				cs := make([]choice, 0, len(drive.DeferralReasons))
				for _, code := range drive.DeferralReasons {
					cs = append(cs, choice{Text: t.text("btn_deferral_" + code), Value: code})
				}
				return cs, nil
			},
			Parse: func(_ context.Context, t *turn, s *checkinDesk, raw string) (string, error) {
				if !textbound.Within(raw, 200) {
					return t.text("result_err_reason"), nil
				}
				s.Reason = raw
				return "", nil
			},
		}, {
			ID: "until", Typed: true, Then: "find",
			Prompt: func(t *turn, _ *checkinDesk) string { return t.text("result_ask_until") },
			Parse: func(ctx context.Context, t *turn, s *checkinDesk, raw string) (string, error) {
				until, err := time.ParseInLocation("2/1/2006", raw, time.UTC)
				if err != nil || !until.After(h.today()) {
					return t.text("result_err_until"), nil
				}
				d, problem, err := h.deskDrive(ctx, t, s)
				if problem != "" || err != nil {
					return problem, err
				}
				regID, reason, fix := s.Reg, s.Reason, s.Fix
				*s = checkinDesk{Drive: s.Drive, Title: s.Title}
				return "", h.recordDeferral(ctx, t, d, regID, reason, until, fix)
			},
		}},
		// Unreached: every step returns to the desk, which only Cancel ends.
		Done: func(context.Context, *turn, *checkinDesk) error { return nil },
		Cancelled: func(ctx context.Context, t *turn, s *checkinDesk) error {
			return t.reply(ctx, t.textf("checkin_desk_closed", map[string]any{"Title": s.Title}), nil)
		},
	}
}

// deskDrive loads the desk's drive and checks that the organizer still
// runs it: their rights may have been revoked meanwhile. problem says why
// not.
func (h *Handlers) deskDrive(ctx context.Context, t *turn, s *checkinDesk) (drive.Drive, string, error) {
	d, err := h.d.Store.Drive(ctx, s.Drive)
	if err != nil {
		return d, "", fmt.Errorf("check-in desk of drive %d: %w", s.Drive, err)
	}
	mine, err := h.organizes(ctx, t.userID, d)
	if err != nil || mine {
		return d, "", err
	}
	return d, t.text("drive_not_yours"), nil
}

// findArrival looks the donor up by check-in code, or by the registration
// search of the console (regsearch): a name typed without accents, in any
// order, or a phone in any form.
func (h *Handlers) findArrival(ctx context.Context, t *turn, d drive.Drive, raw string) error {
	var found []storage.Arrival
	var err error
	byCode := false
	// A phone may be typed with dashes too ("0912-345-678"): it is tried
	// before calling letters with two dashes a bad code.
	if tid, codeErr := drive.ParseCheckinCode(h.d.CheckinSecret, raw, h.d.Now()); codeErr == nil {
		byCode = true
		found, err = h.d.Store.FindArrivals(ctx, d.ID, storage.ArrivalQuery{TelegramID: tid})
	} else if _, phoneErr := profile.ParsePhone(raw); phoneErr != nil && strings.Count(raw, "-") == 2 &&
		!strings.ContainsAny(raw, " +") && strings.ContainsFunc(raw, unicode.IsLetter) {
		return t.reply(ctx, t.text("checkin_code_invalid"), nil)
	} else if q := regsearch.Parse(raw); len([]rune(strings.TrimSpace(raw))) >= 2 && !q.Empty() {
		found, err = h.d.Store.SearchArrivals(ctx, d.ID, q, 10)
	}
	if err != nil {
		return err
	}
	switch len(found) {
	case 0:
		if byCode {
			return t.reply(ctx, t.text("checkin_not_registered"), nil)
		}
		return t.reply(ctx, t.textf("checkin_not_found", map[string]any{"Query": shorten(raw, echoLen)}), nil)
	case 1:
		return h.checkInArrival(ctx, t, d, found[0])
	}
	var bs []botapi.Button
	for _, a := range found {
		label := a.FullName.String + " · " + profile.LocalPhone(a.Phone.String) + " · " + t.clock(a.SlotStart)
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
func (h *Handlers) checkinClosed(t *turn, d drive.Drive) string { return h.checkinClosedIn(t.lang, d) }

// checkinClosedIn is checkinClosed for a reader of lang: the chat desk and
// the console's gate open and close by the same rule.
func (h *Handlers) checkinClosedIn(lang string, d drive.Drive) string {
	err := drive.CheckinOpen(d.Start, d.End, h.d.Now(), h.d.Location, h.d.CheckinOpens)
	if errors.Is(err, drive.ErrCheckinNotOpen) {
		opens, _ := drive.CheckinWindow(d.Start, d.End, h.d.Location, h.d.CheckinOpens)
		return h.textIn(lang, "checkin_not_open", map[string]any{"Title": d.Title, "Opens": h.clock(opens) + " " + h.date(lang, opens)})
	}
	if err != nil {
		return h.textIn(lang, "checkin_over", map[string]any{"Title": d.Title})
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
		return h.replyNotLive(ctx, t, a)
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
	status, err := h.arrivalStatus(ctx, t, a)
	if err != nil {
		return err
	}
	volumes, _, err := h.donorBags(ctx, a)
	if err != nil {
		return err
	}
	// The limit shown is the largest bag offered: one rule for both.
	most := 0
	if a.AllowedVolumeML.Valid && len(volumes) > 0 {
		most = volumes[len(volumes)-1]
	}
	text := t.textf("checkin_done", map[string]any{"Status": status,
		"Name": shorten(a.FullName.String, profile.MaxNameLen), "Phone": profile.LocalPhone(a.Phone.String), "Blood": blood,
		"Slot":      t.clock(a.SlotStart) + "–" + t.clock(a.SlotEnd),
		"Screening": t.text(screeningLabel), "Volume": most,
	})
	kb, err := h.resultButtons(ctx, t, a, false)
	if err != nil {
		return err
	}
	return t.reply(ctx, text, kb)
}
