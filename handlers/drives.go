package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/datefmt"
	"donorbot/drive"
	"donorbot/screening"
	"donorbot/storage"
	"donorbot/textbound"
)

// drivesPerPage keeps /drives within one screen.
const drivesPerPage = 5

// drives lists upcoming published drives open to the donor.
func (h *Handlers) drives(ctx context.Context, t *turn) error {
	return h.listDrives(ctx, t, 0)
}

func (h *Handlers) onDrivesPage(ctx context.Context, t *turn) error {
	offset, err := strconv.Atoi(t.cb.arg(0))
	if err != nil || offset < 0 {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	return h.listDrives(ctx, t, offset)
}

func (h *Handlers) listDrives(ctx context.Context, t *turn, offset int) error {
	list, err := h.d.Store.UpcomingDrivesFor(ctx, h.d.Now(), t.userID, offset, drivesPerPage+1)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return t.reply(ctx, t.text("drives_none"), nil)
	}
	mark, err := h.driveMarker(ctx, t)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(t.text("drives_header"))
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	for i, l := range list {
		if i == drivesPerPage {
			kb = kb.With(botapi.Button{Text: t.text("btn_more"), CallbackData: encodeCallback("drvpg", strconv.Itoa(offset+drivesPerPage))})
			break
		}
		b.WriteString("\n\n")
		b.WriteString(t.driveCard(l.Drive, l.SeatsLeft))
		b.WriteString(mark(l.Drive.Start))
		label := t.textf("btn_register_for", map[string]any{"Title": shorten(l.Drive.Title, 40)})
		kb = kb.With(botapi.Button{Text: label, CallbackData: encodeCallback("drv", "open", id(l.Drive.ID))})
	}
	return t.reply(ctx, b.String(), kb)
}

func (h *Handlers) donorUnitIDs(ctx context.Context, t *turn) ([]int64, error) {
	if t.donor == nil {
		return nil, nil
	}
	units, err := h.d.Store.DonorUnits(ctx, t.userID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(units))
	for _, u := range units {
		ids = append(ids, u.ID)
	}
	return ids, nil
}

// driveCard describes a drive: when, where, with which hospital.
func (t *turn) driveCard(d drive.Drive, seatsLeft int) string {
	title := d.Title
	if d.Wave != "" {
		title = t.h.waveIn(t.lang, d.Wave) + " — " + d.Title
	}
	return t.textf("drive_card", map[string]any{
		"Title":     title,
		"Date":      t.date(d.Start),
		"From":      t.clock(d.Start),
		"To":        t.clock(d.End),
		"Venue":     d.Venue,
		"Hospital":  d.Hospital,
		"Organizer": d.Organizer,
		"Seats":     seatsLeft,
		"Count":     seatsLeft, // picks "1 seat" or "2 seats"
	})
}

// onDriveButton routes the donor's drive buttons:
// drv:v1:open:<drive>, drv:v1:slot:<drive>:<slot>, drv:v1:wait:<drive>:<slot>,
// drv:v1:cancel:<reg> (asks), drv:v1:cancelok:<reg>, drv:v1:keep:<reg>, drv:v1:move:<reg>, drv:v1:moveto:<reg>:<slot>,
// drv:v1:screen:<reg>, drv:v1:reanswer:<reg>.
func (h *Handlers) onDriveButton(ctx context.Context, t *turn) error {
	action := t.cb.arg(0)
	first, err := strconv.ParseInt(t.cb.arg(1), 10, 64)
	if err != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	second, _ := strconv.ParseInt(t.cb.arg(2), 10, 64) // 0 for one-id actions
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	if t.donor == nil || !t.donor.Onboarded() {
		if action == "open" || action == "slot" || action == "wait" {
			// A forwarded announcement: land on the drive once onboarded.
			if err := h.d.State.Remember(ctx, t.userID, "pending_drive", id(first), 72*time.Hour); err != nil {
				return err
			}
		}
		return h.needProfileFirst(ctx, t)
	}
	switch action {
	case "open":
		return h.showDrive(ctx, t, first)
	case "slot":
		return h.chooseSlot(ctx, t, first, second, false)
	case "wait":
		return h.chooseSlot(ctx, t, first, second, true)
	case "cancel":
		return h.askCancel(ctx, t, first)
	case "cancelok":
		return h.cancelRegistration(ctx, t, first)
	case "keep":
		return h.keepRegistration(ctx, t)
	case "move":
		return h.offerMove(ctx, t, first)
	case "moveto":
		return h.moveRegistration(ctx, t, first, second)
	case "screen":
		return h.resumeScreening(ctx, t, first)
	case "reanswer":
		return h.reanswer(ctx, t, first)
	}
	return t.reply(ctx, t.text("button_stale"), nil)
}

// needProfileFirst sends a donor without a finished profile to onboarding.
func (h *Handlers) needProfileFirst(ctx context.Context, t *turn) error {
	if t.donor == nil {
		return h.start(ctx, t)
	}
	if err := t.reply(ctx, t.text("profile_incomplete"), nil); err != nil {
		return err
	}
	return h.resumeOnboarding(ctx, t)
}

// showDrive shows one drive with a button per slot and its seats left.
func (h *Handlers) showDrive(ctx context.Context, t *turn, driveID int64) error {
	d, slots, err := h.d.Store.DriveWithSlots(ctx, driveID)
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply(ctx, t.text("drive_gone"), nil)
	}
	if err != nil {
		return err
	}
	return h.showDriveSlots(ctx, t, d, slots)
}

// showDriveSlots shows a drive read with its slots.
func (h *Handlers) showDriveSlots(ctx context.Context, t *turn, d drive.Drive, slots []drive.Slot) error {
	if d.Status != drive.StatusPublished || !d.End.After(h.d.Now()) {
		return t.reply(ctx, t.text("drive_closed"), nil)
	}
	if ok, err := h.mayAttend(ctx, t, d); err != nil || !ok {
		if err != nil {
			return err
		}
		return t.reply(ctx, t.text("drive_not_for_you"), nil)
	}
	var bs []botapi.Button
	for _, s := range slots {
		if s.Start.After(h.d.Now()) {
			bs = append(bs, botapi.Button{Text: t.slotLabel(s), CallbackData: encodeCallback("drv", "slot", id(d.ID), id(s.ID))})
		}
	}
	if len(bs) == 0 {
		return t.reply(ctx, t.text("drive_closed"), nil)
	}
	return t.reply(ctx, t.driveCard(d, h.seatsLeft(slots))+"\n\n"+t.text("choose_slot"), rows(2, bs...))
}

// seatsLeft counts the free seats of a drive's slots still to come, as its
// card shows them.
func (h *Handlers) seatsLeft(slots []drive.Slot) int {
	seats := 0
	for _, s := range slots {
		if s.Start.After(h.d.Now()) {
			seats += s.SeatsLeft()
		}
	}
	return seats
}

// mayAttend: a drive for one unit or club is only for its members, and
// for the donors its auto-fill invited (invite_waves.go reaches the
// unit's province when its members are not enough).
func (h *Handlers) mayAttend(ctx context.Context, t *turn, d drive.Drive) (bool, error) {
	if d.AudienceUnitID == 0 {
		return true, nil
	}
	units, err := h.donorUnitIDs(ctx, t)
	if err != nil {
		return false, err
	}
	for _, u := range units {
		if u == d.AudienceUnitID {
			return true, nil
		}
	}
	return h.d.Store.InvitedTo(ctx, d.ID, t.userID)
}

func (t *turn) clock(at time.Time) string { return t.h.clock(at) }

// date and day write an instant's date and a calendar date in the turn's
// language.
func (t *turn) date(at time.Time) string { return t.h.date(t.lang, at) }
func (t *turn) day(d time.Time) string   { return displayDate(t.lang, d) }

// slotLabel names a slot on its button: its times and seats left, or full.
func (t *turn) slotLabel(s drive.Slot) string {
	data := map[string]any{"From": t.clock(s.Start), "To": t.clock(s.End), "Seats": s.SeatsLeft()}
	if s.SeatsLeft() == 0 {
		return t.textf("btn_slot_full", data)
	}
	return t.textf("btn_slot", data)
}

// waveIn writes a drive's wave for a reader of lang: a numbered wave
// ("Đợt 1", "Wave 1") in their language, any other name as the organizer
// typed it.
func (h *Handlers) waveIn(lang, wave string) string {
	if n, ok := drive.WaveNumber(wave); ok {
		return h.textIn(lang, "wave_label", map[string]any{"N": n})
	}
	return wave
}

// clock and date show an instant as the bot's time zone reads it, the date
// for a reader of lang.
func (h *Handlers) clock(at time.Time) string { return at.In(h.d.Location).Format("15:04") }
func (h *Handlers) date(lang string, at time.Time) string {
	return datefmt.Day(lang, at.In(h.d.Location))
}

// slotData is the template data every message about a registered slot uses,
// for a reader of lang.
func (h *Handlers) slotData(lang string, d drive.Drive, s drive.Slot) map[string]any {
	return map[string]any{
		"Title": d.Title, "Date": h.date(lang, s.Start), "From": h.clock(s.Start), "To": h.clock(s.End),
		"Venue": d.Venue, "Hospital": d.Hospital,
	}
}

// chooseSlot registers the donor in the slot, offering the waitlist first
// when it is full, then starts the screening questions.
func (h *Handlers) chooseSlot(ctx context.Context, t *turn, driveID, slotID int64, waitlistOK bool) error {
	d, slots, err := h.d.Store.DriveWithSlots(ctx, driveID)
	gone := errors.Is(err, storage.ErrNotFound)
	if err != nil && !gone {
		return err
	}
	var slot *drive.Slot
	for i := range slots {
		if slots[i].ID == slotID {
			slot = &slots[i]
		}
	}
	if slot == nil {
		if err := t.answer(ctx, t.text("slot_gone")); err != nil {
			return err
		}
		if gone {
			return t.reply(ctx, t.text("drive_gone"), nil)
		}
		return h.showDriveSlots(ctx, t, d, slots)
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	if slot.SeatsLeft() == 0 && !waitlistOK {
		kb := rows(1,
			botapi.Button{Text: t.text("btn_join_waitlist"), CallbackData: encodeCallback("drv", "wait", id(driveID), id(slotID))},
			botapi.Button{Text: t.text("btn_other_slot"), CallbackData: encodeCallback("drv", "open", id(driveID))})
		return t.reply(ctx, t.textf("slot_full", map[string]any{"Waiting": slot.Waitlisted}), kb)
	}
	if ok, err := h.mayAttend(ctx, t, d); err != nil || !ok {
		if err != nil {
			return err
		}
		return t.reply(ctx, t.text("drive_not_for_you"), nil)
	}
	reg, recalled, err := h.d.Store.RegisterCrediting(ctx, t.userID, slotID, h.d.Now())
	switch {
	case errors.Is(err, storage.ErrAlreadyRegistered):
		return t.reply(ctx, t.text("already_registered"), rows(1, t.myDrivesButton()))
	case errors.Is(err, storage.ErrDriveNotOpen):
		return t.reply(ctx, t.text("drive_closed"), nil)
	case errors.Is(err, storage.ErrNotFound):
		return t.reply(ctx, t.text("slot_gone"), nil)
	case err != nil:
		return err
	}
	if recalled && h.d.OnRecall != nil {
		h.d.OnRecall("registered")
	}
	if err := t.closeButtons(ctx); err != nil {
		return err
	}
	return h.beginScreening(ctx, t, "reg:"+id(reg.ID), h.calendarDay(slot.Start))
}

// calendarDay is the date of an instant in the bot's time zone, as the UTC
// midnight the domain packages use.
func (h *Handlers) calendarDay(at time.Time) time.Time {
	l := at.In(h.d.Location)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// registrationScreened settles a registration with its screening result:
// eligible keeps the seat (or waitlist place) and confirms it with a
// calendar file; deferred or not eligible frees the seat for the waitlist.
func (h *Handlers) registrationScreened(ctx context.Context, t *turn, regID int64, st screeningState, res screening.Result) error {
	// The seats are counted before SetScreening: an eligible donor keeps
	// the place they hold, so it changes no count.
	reg, seatsLeft, err := h.d.Store.RegistrationWithSeats(ctx, t.userID, regID, h.d.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply(ctx, t.text("registration_gone"), nil)
	}
	if err != nil {
		return err
	}
	if !reg.Registration.Status.Live() {
		return t.reply(ctx, t.text("registration_gone"), nil)
	}
	answers, err := json.Marshal(st.Answers)
	if err != nil {
		return fmt.Errorf("encode answers: %w", err)
	}
	status := reg.Registration.Status
	if res.Status != screening.Eligible {
		status = drive.RegDeferred
	}
	// A kept place is stored with the answers in one statement; a
	// confirmed seat gets a calendar file, whose SEQUENCE it counts.
	var calendarSeq int
	if status.Live() {
		calendarSeq, err = h.d.Store.SaveScreeningKeepingPlace(ctx, t.userID, regID, screeningAnswersOf(st),
			answers, res.MaxVolumeML, status == drive.RegConfirmed, h.d.Now())
	} else {
		err = h.deferRegistration(ctx, t, regID, st, res, answers)
	}
	if errors.Is(err, storage.ErrNotLive) {
		return t.reply(ctx, t.text("registration_gone"), nil)
	}
	if err != nil {
		return err
	}
	day := h.calendarDay(reg.Slot.Start)
	if res.Status != screening.Eligible {
		return t.reply(ctx, t.screeningResultText(res, day), t.remindKeyboard(res))
	}
	if err := t.reply(ctx, t.screeningResultText(res, day), nil); err != nil {
		return err
	}
	reg.Registration.Status = status
	reg.Registration.AllowedVolumeML = res.MaxVolumeML
	return h.confirmRegistrationWith(ctx, t, reg, seatsLeft, func() (int, error) { return calendarSeq, nil })
}

// deferRegistration frees the place of a registration its screening
// deferred, tells whom that promoted, and stores the answers.
func (h *Handlers) deferRegistration(ctx context.Context, t *turn, regID int64, st screeningState,
	res screening.Result, answers json.RawMessage) error {
	promoted, err := h.d.Store.SetScreening(ctx, regID, answers, res.MaxVolumeML, drive.RegDeferred, h.d.Now())
	if err != nil {
		return err
	}
	if err := h.announcePromotion(ctx, promoted); err != nil {
		return err
	}
	return h.storeScreening(ctx, t, regID, st, res)
}

// confirmRegistration tells the donor their place with the drive's details,
// and sends an .ics file for their calendar when the seat is confirmed.
// seatsLeft are the drive's (RegistrationWithSeats), counted with the
// donor's own seat taken.
func (h *Handlers) confirmRegistration(ctx context.Context, t *turn, reg storage.MyRegistration, seatsLeft int) error {
	return h.confirmRegistrationWith(ctx, t, reg, seatsLeft, func() (int, error) {
		return h.d.Store.NextCalendarSequence(ctx, reg.Registration.ID)
	})
}

// confirmRegistrationWith is confirmRegistration with the calendar file's
// SEQUENCE from nextSeq, asked only when the file is sent.
func (h *Handlers) confirmRegistrationWith(ctx context.Context, t *turn, reg storage.MyRegistration, seatsLeft int,
	nextSeq func() (int, error)) error {
	r := reg.Registration
	data := map[string]any{
		"Card": t.driveCard(reg.Drive, seatsLeft), "From": t.clock(reg.Slot.Start), "To": t.clock(reg.Slot.End),
		"Position": r.WaitlistPosition, "Volume": r.AllowedVolumeML,
	}
	if r.Status == drive.RegWaitlisted {
		return t.reply(ctx, t.textf("registration_waitlisted", data), rows(1, t.myDrivesButton()))
	}
	if err := t.reply(ctx, t.textf("registration_confirmed", data), rows(1, t.myDrivesButton())); err != nil {
		return err
	}
	seq, err := nextSeq()
	if err != nil {
		return err
	}
	caption := t.text("ics_caption")
	if seq > 0 {
		caption = t.text("ics_update_caption")
	}
	return h.sendCalendar(ctx, t, reg, drive.CalendarEntry{RegistrationID: r.ID, Sequence: seq, Stamp: r.UpdatedAt}, caption)
}

// sendCalendar sends the registration's calendar file.
func (h *Handlers) sendCalendar(ctx context.Context, t *turn, reg storage.MyRegistration, entry drive.CalendarEntry, caption string) error {
	if h.d.BotUsername != "" {
		entry.Organizer = "https://t.me/" + url.PathEscape(h.d.BotUsername)
	}
	ics, err := drive.ICS(reg.Drive, reg.Slot, entry, h.d.Location)
	if err != nil {
		return err
	}
	return t.sendDocument(ctx, "hien-mau-"+reg.Drive.Code+".ics", ics, caption)
}

// announcePromotion tells a waitlisted donor their seat is confirmed.
func (h *Handlers) announcePromotion(ctx context.Context, p *storage.Promotion) error {
	if p == nil {
		return nil
	}
	reg, err := h.d.Store.Registration(ctx, p.TelegramID, p.Registration.ID)
	if err != nil {
		return err
	}
	text := h.textIn(p.Language, "promoted", h.slotData(p.Language, reg.Drive, reg.Slot))
	return h.tell(ctx, p.ChatID, text, h.nextStepIn(p.Language, "mydrives"))
}

// sendDocument sends a small file (a calendar entry) to the user's chat
// with the turn's other replies.
func (t *turn) sendDocument(ctx context.Context, name string, data []byte, caption string) error {
	return t.call(ctx, broadcast.MethodSendDocument, broadcast.OutboxFile{Name: name, Data: data, Caption: caption})
}

// sendPhoto sends a PNG to the user's chat with the turn's other replies;
// the caption is cut to Telegram's 1,024 characters.
func (t *turn) sendPhoto(ctx context.Context, name string, png []byte, caption string) error {
	return t.call(ctx, broadcast.MethodSendPhoto, broadcast.OutboxFile{Name: name, Data: png, Caption: shorten(caption, 1024)})
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// echoLen bounds what a user typed when a reply quotes it back: enough to
// recognise it, never enough to push the reply over Telegram's limit.
const echoLen = 60

// shorten cuts s to at most n characters for a button label or an echo,
// never parting a letter from its accents.
func shorten(s string, n int) string { return textbound.Truncate(s, n) }
