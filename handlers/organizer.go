package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
	"donorbot/textbound"
)

const flowNewDrive = "newdrive"

// newDriveSteps are the questions of /newdrive, in order. The answers are
// kept in the Redis conversation, so a draft survives restarts.
var newDriveSteps = []string{"title", "wave", "organizer", "date", "window", "slotlen", "capacity", "venue", "hospital", "target", "audience"}

// organizerOnly refuses fn to users who are neither organizers nor admins.
func (h *Handlers) organizerOnly(fn handlerFunc) handlerFunc {
	return func(ctx context.Context, t *turn) error {
		ok, err := h.isOrganizer(ctx, t.userID)
		if err != nil {
			return err
		}
		if !ok {
			return t.refuse(ctx, "organizer_only")
		}
		return fn(ctx, t)
	}
}

func (h *Handlers) isOrganizer(ctx context.Context, userID int64) (bool, error) {
	admin, err := h.d.IsAdmin(ctx, userID)
	if err != nil || admin {
		return admin, err
	}
	return h.d.Store.HasRole(ctx, userID, storage.RoleOrganizer)
}

// newDrive starts the guided creation of a drive.
func (h *Handlers) newDrive(ctx context.Context, t *turn) error {
	return h.askDraft(ctx, t, map[string]string{}, "title")
}

func (h *Handlers) askDraft(ctx context.Context, t *turn, data map[string]string, step string) error {
	if step == "preview" {
		return h.previewDraft(ctx, t, data)
	}
	conv := storage.Conversation{Flow: flowNewDrive, Step: step, Data: data}
	if err := h.d.State.SaveConversation(ctx, t.userID, conv); err != nil {
		return err
	}
	n := indexOf(newDriveSteps, step) + 1
	text := t.textf("step_prefix", map[string]any{"N": n, "Total": len(newDriveSteps)}) + " " + t.text("nd_ask_"+step)
	var markup any
	switch step {
	case "wave":
		markup = rows(1, botapi.Button{Text: t.text("btn_unit_skip"), CallbackData: encodeCallback("nd", "wave", "skip")})
	case "audience":
		units, err := h.audienceUnits(ctx, t.userID)
		if err != nil {
			return err
		}
		kb := rows(1, botapi.Button{Text: t.text("nd_all_donors"), CallbackData: encodeCallback("nd", "audience", "0")})
		for _, u := range units {
			kb = kb.With(botapi.Button{Text: shorten(u.Name, 60), CallbackData: encodeCallback("nd", "audience", id(u.ID))})
		}
		markup = kb
	}
	return t.reply(ctx, text, markup)
}

func indexOf(steps []string, step string) int {
	for i, s := range steps {
		if s == step {
			return i
		}
	}
	return 0
}

// draftText takes a typed answer of /newdrive.
func (h *Handlers) draftText(ctx context.Context, t *turn, conv storage.Conversation) error {
	data := conv.Data
	if data == nil {
		data = map[string]string{}
	}
	raw := strings.TrimSpace(t.upd.Message.Text)
	if conv.Step == "audience" || conv.Step == "preview" {
		if err := t.reply(ctx, t.text("use_buttons"), nil); err != nil {
			return err
		}
		return h.askDraft(ctx, t, data, conv.Step)
	}
	if problem := h.checkDraftAnswer(conv.Step, raw); problem != "" {
		if err := t.reply(ctx, t.text(problem), nil); err != nil {
			return err
		}
		return h.askDraft(ctx, t, data, conv.Step)
	}
	data[conv.Step] = raw
	return h.askDraft(ctx, t, data, h.nextDraftStep(data, conv.Step))
}

// nextDraftStep is the step after step, or "preview".
func (h *Handlers) nextDraftStep(data map[string]string, step string) string {
	if _, editing := data["_edit"]; editing {
		return "preview"
	}
	i := indexOf(newDriveSteps, step)
	if i+1 < len(newDriveSteps) {
		return newDriveSteps[i+1]
	}
	return "preview"
}

var clockRange = regexp.MustCompile(`^(\d{1,2})[:hH.](\d{2})\s*[-–—]\s*(\d{1,2})[:hH.](\d{2})$`)

// checkDraftAnswer returns the message id explaining a bad answer, or "".
func (h *Handlers) checkDraftAnswer(step, raw string) string {
	switch step {
	case "title", "organizer", "venue", "hospital", "wave":
		if raw == "" || !textbound.Within(raw, drive.MaxVenueLen) {
			return "nd_err_text"
		}
	case "date":
		day, err := time.ParseInLocation("2/1/2006", raw, h.d.Location)
		if err != nil {
			return "nd_err_date"
		}
		// Told at once rather than after nine more answers; the preview
		// checks the exact time again (drive.ValidateDraft).
		now := h.d.Now()
		switch {
		case !day.AddDate(0, 0, 1).After(now):
			return "nd_err_past"
		case day.After(now.AddDate(drive.MaxYearsAhead, 0, 0)):
			return "nd_err_far"
		}
	case "window":
		if !clockRange.MatchString(raw) {
			return "nd_err_window"
		}
	case "slotlen", "capacity", "target":
		if n, err := strconv.Atoi(raw); err != nil || n <= 0 {
			return "nd_err_number"
		}
	}
	return ""
}

// windowOn places a "HH:MM-HH:MM" answer on day (local midnight).
func windowOn(day time.Time, raw string) (start, end time.Time, ok bool) {
	m := clockRange.FindStringSubmatch(raw)
	if m == nil {
		return time.Time{}, time.Time{}, false
	}
	at := func(hh, mm string) time.Time {
		hour, _ := strconv.Atoi(hh)
		minute, _ := strconv.Atoi(mm)
		return day.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
	}
	return at(m[1], m[2]), at(m[3], m[4]), true
}

// draftInput turns the answers into a drive draft.
func (h *Handlers) draftInput(data map[string]string) (drive.DraftInput, error) {
	day, err := time.ParseInLocation("2/1/2006", data["date"], h.d.Location)
	if err != nil {
		return drive.DraftInput{}, drive.ErrDateInPast
	}
	start, end, ok := windowOn(day, data["window"])
	if !ok {
		return drive.DraftInput{}, drive.ErrWindowInvalid
	}
	num := func(k string) int { n, _ := strconv.Atoi(data[k]); return n }
	audience, _ := strconv.ParseInt(data["audience"], 10, 64)
	in := drive.DraftInput{
		Wave: data["wave"], Title: data["title"], Organizer: data["organizer"],
		Hospital: data["hospital"], Venue: data["venue"],
		Start: start, End: end,
		SlotLength: time.Duration(num("slotlen")) * time.Minute, SlotCapacity: num("capacity"),
		TargetUnits: num("target"), AudienceUnitID: audience,
	}
	return in, drive.ValidateDraft(in, h.d.Now())
}

// draftProblems maps each draft rule to its message and the step to redo.
var draftProblems = []struct {
	err      error
	id, step string
}{
	{drive.ErrTitleRequired, "nd_err_text", "title"},
	{drive.ErrTitleTooLong, "nd_err_title_long", "title"},
	{drive.ErrTextTooLong, "nd_err_text", "venue"},
	{drive.ErrDateInPast, "nd_err_past", "date"},
	{drive.ErrDateTooFar, "nd_err_far", "date"},
	{drive.ErrWindowInvalid, "nd_err_end_before_start", "window"},
	{drive.ErrWindowTooLong, "nd_err_window_long", "window"},
	{drive.ErrSlotLength, "nd_err_slotlen", "slotlen"},
	{drive.ErrCapacity, "nd_err_capacity", "capacity"},
	{drive.ErrTarget, "nd_err_target", "target"},
}

// previewDraft validates the whole draft and shows it with Publish/Cancel,
// or sends the organizer back to the step to fix.
func (h *Handlers) previewDraft(ctx context.Context, t *turn, data map[string]string) error {
	in, err := h.draftInput(data)
	if err != nil {
		for _, p := range draftProblems {
			if errors.Is(err, p.err) {
				if err := t.reply(ctx, t.text(p.id), nil); err != nil {
					return err
				}
				data["_edit"] = "1" // once fixed, straight back to the preview
				return h.askDraft(ctx, t, data, p.step)
			}
		}
		return fmt.Errorf("validate draft: %w", err)
	}
	slots, err := drive.Slots(in.Start, in.End, in.SlotLength, in.SlotCapacity)
	if err != nil {
		return err
	}
	conv := storage.Conversation{Flow: flowNewDrive, Step: "preview", Data: data}
	if err := h.d.State.SaveConversation(ctx, t.userID, conv); err != nil {
		return err
	}
	seats := 0
	for _, s := range slots {
		seats += s.Capacity
	}
	preview := drive.Drive{Wave: in.Wave, Title: in.Title, Organizer: in.Organizer, Hospital: in.Hospital,
		Venue: in.Venue, Start: in.Start, End: in.End}
	text := t.textf("nd_preview", map[string]any{
		"Card": t.driveCard(preview, seats), "Slots": len(slots), "Target": in.TargetUnits,
	})
	kb := rows(2,
		botapi.Button{Text: t.text("btn_publish"), CallbackData: encodeCallback("nd", "publish", "x")},
		botapi.Button{Text: t.text("btn_discard"), CallbackData: encodeCallback("nd", "discard", "x")})
	return t.reply(ctx, text, kb)
}

// onDraftButton handles the buttons of /newdrive: skip the wave, pick the
// audience, publish or discard the preview.
func (h *Handlers) onDraftButton(ctx context.Context, t *turn) error {
	data, ok, err := h.flowButton(ctx, t, flowNewDrive, "publish", "discard")
	if !ok || err != nil {
		return err
	}
	action, value := t.cb.arg(0), t.cb.arg(1)
	switch action {
	case "wave":
		data["wave"] = ""
		return h.askDraft(ctx, t, data, h.nextDraftStep(data, "wave"))
	case "audience":
		unitID, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return t.reply(ctx, t.text("button_stale"), nil)
		}
		if unitID != 0 {
			if _, err := h.d.Store.Unit(ctx, unitID); errors.Is(err, storage.ErrNotFound) {
				return h.askDraft(ctx, t, data, "audience")
			} else if err != nil {
				return err
			}
			if ok, err := h.organizesUnit(ctx, t.userID, unitID); err != nil {
				return err
			} else if !ok {
				return h.refuseAudience(ctx, t, data)
			}
		}
		data["audience"] = value
		return h.previewDraft(ctx, t, data)
	case "discard":
		if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
			return err
		}
		return t.reply(ctx, t.text("nd_discarded"), nil)
	}
	return h.publishDraft(ctx, t, data)
}

// publishDraft creates and publishes the drive, then announces it to its
// audience through the broadcast engine with a Register button.
func (h *Handlers) publishDraft(ctx context.Context, t *turn, data map[string]string) error {
	in, err := h.draftInput(data)
	if err != nil {
		return h.previewDraft(ctx, t, data) // e.g. the date passed while the preview waited
	}
	if in.AudienceUnitID != 0 { // rights may have been revoked since the audience was picked
		if ok, err := h.organizesUnit(ctx, t.userID, in.AudienceUnitID); err != nil {
			return err
		} else if !ok {
			return h.refuseAudience(ctx, t, data)
		}
	}
	d, _, err := h.d.Store.CreateDrive(ctx, in, t.userID)
	if err != nil {
		return err
	}
	if d, err = h.d.Store.PublishDrive(ctx, d.ID, h.d.Now()); err != nil {
		return err
	}
	if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
		return err
	}
	link := drive.DeepLink(h.d.BotUsername, d.Code)
	if err := t.reply(ctx, t.textf("nd_published", map[string]any{"Code": d.Code, "Link": link}), nil); err != nil {
		return err
	}
	return h.announceDrive(ctx, t, d)
}

// audienceUnits are the units a drive of the user may be for: every unit
// for admins and organizers without a unit, else the units they organize.
func (h *Handlers) audienceUnits(ctx context.Context, userID int64) ([]storage.Unit, error) {
	everyUnit, err := h.organizesUnit(ctx, userID, 0)
	if err != nil {
		return nil, err
	}
	if everyUnit {
		return h.d.Store.Units(ctx, 0, 20)
	}
	return h.d.Store.OrganizedUnits(ctx, userID)
}

// organizesUnit reports whether the user is an admin or organizes the unit
// (0: every unit, which admins and organizers without a unit do). A unit's
// organizer creates drives for it, not for another unit's members.
func (h *Handlers) organizesUnit(ctx context.Context, userID, unitID int64) (bool, error) {
	admin, err := h.d.IsAdmin(ctx, userID)
	if err != nil || admin {
		return admin, err
	}
	return h.d.Store.OrganizesUnit(ctx, userID, unitID)
}

// refuseAudience tells the user the unit they picked is not theirs and asks
// for the audience again.
func (h *Handlers) refuseAudience(ctx context.Context, t *turn, data map[string]string) error {
	if err := t.reply(ctx, t.text("unit_not_yours"), nil); err != nil {
		return err
	}
	return h.askDraft(ctx, t, data, "audience")
}
