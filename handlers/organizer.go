package handlers

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"donorbot/drive"
	"donorbot/storage"
	"donorbot/textbound"
)

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

func indexOf(steps []string, step string) int {
	for i, s := range steps {
		if s == step {
			return i
		}
	}
	return 0
}

var clockRange = regexp.MustCompile(`^(\d{1,2})[:hH.](\d{2})\s*[-–—]\s*(\d{1,2})[:hH.](\d{2})$`)

// checkDraftAnswer returns the message id explaining a bad answer, or "".
func (h *Handlers) checkDraftAnswer(step, raw string) string {
	switch step {
	case "title", "organizer", "venue", "hospital":
		if raw == "" || !textbound.Within(raw, drive.MaxVenueLen) {
			return "nd_err_text"
		}
	case "date":
		day, err := drive.ParseDay(raw, h.d.Now(), h.d.Location)
		if err != nil {
			return "nd_err_date"
		}
		// Told at once rather than after nine more answers; the review
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
