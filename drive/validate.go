package drive

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a drive draft (issue 4). The database checks the same bounds, so a
// draft that passes ValidateDraft is never refused by a constraint.
const (
	MaxTitleLen     = 120 // characters
	MaxWaveLen      = 40
	MaxOrgLen       = 200 // organizer and hospital
	MaxVenueLen     = 300
	MaxWindow       = 16 * time.Hour // longer is a typo, or two drives
	MinSlotLength   = 10 * time.Minute
	MaxSlotCapacity = 1000
	MaxTargetUnits  = 10000
	// MaxYearsAhead bounds a drive's date: one further out is a typo of the
	// year, and would sit at the top of every donor's list for years.
	MaxYearsAhead = 2
)

// Sentinel errors of ValidateDraft and Slots. Each maps to one localized
// message; compare with errors.Is.
var (
	ErrTitleRequired   = errors.New("drive: title is required")
	ErrTitleTooLong    = errors.New("drive: title too long")
	ErrTextTooLong     = errors.New("drive: text too long")
	ErrDateInPast      = errors.New("drive: date is in the past")
	ErrDateTooFar      = errors.New("drive: date is more than 2 years ahead")
	ErrWindowInvalid   = errors.New("drive: end is not after start")
	ErrWindowTooLong   = errors.New("drive: time window over 16 hours")
	ErrSlotLength      = errors.New("drive: slot length under 10 minutes or longer than the window")
	ErrCapacity        = errors.New("drive: slot capacity must be 1 to 1000")
	ErrTarget          = errors.New("drive: target must be 1 to 10000 units")
	ErrPointInvalid    = errors.New("drive: map point out of range")
	ErrAudienceInvalid = errors.New("drive: audience unit id is negative")
)

// DraftInput is what an organizer enters to create or edit a drive. Start and
// End are instants parsed by the caller in the drive's time zone
// (Asia/Ho_Chi_Minh); the drive's date is Start's date there.
type DraftInput struct {
	CampaignID     int64 // 0: none
	Wave           string
	Title          string
	Organizer      string
	Hospital       string
	Venue          string
	Point          *Point
	Start, End     time.Time
	SlotLength     time.Duration
	SlotCapacity   int // seats per slot
	TargetUnits    int
	AudienceUnitID int64 // 0: every donor
	// VenueID and HospitalID are the directory entries picked (0: none);
	// AnnounceAt is when to announce a draft (zero: at publishing).
	VenueID, HospitalID int64
	AnnounceAt          time.Time
}

// ValidateDraft checks a draft against the rules of issue 4 at time now and
// returns the first rule it breaks, as one of the sentinel errors above
// (wrapped with detail).
func ValidateDraft(d DraftInput, now time.Time) error {
	title := strings.TrimSpace(d.Title)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return ErrTitleRequired
	case n > MaxTitleLen:
		return fmt.Errorf("%w: %d characters, at most %d", ErrTitleTooLong, n, MaxTitleLen)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"wave", d.Wave, MaxWaveLen},
		{"organizer", d.Organizer, MaxOrgLen},
		{"hospital", d.Hospital, MaxOrgLen},
		{"venue", d.Venue, MaxVenueLen},
	} {
		if n := utf8.RuneCountInString(strings.TrimSpace(f.value)); n > f.max {
			return fmt.Errorf("%w: %s has %d characters, at most %d", ErrTextTooLong, f.name, n, f.max)
		}
	}
	if !d.Start.After(now) {
		return fmt.Errorf("%w: starts %s, now %s", ErrDateInPast,
			d.Start.Format(time.RFC3339), now.In(d.Start.Location()).Format(time.RFC3339))
	}
	if limit := now.AddDate(MaxYearsAhead, 0, 0); d.Start.After(limit) {
		return fmt.Errorf("%w: starts %s, at most %s", ErrDateTooFar,
			d.Start.Format(time.RFC3339), limit.In(d.Start.Location()).Format(time.RFC3339))
	}
	if err := checkWindow(d.Start, d.End); err != nil {
		return err
	}
	if err := checkSlots(d.End.Sub(d.Start), d.SlotLength, d.SlotCapacity); err != nil {
		return err
	}
	if d.TargetUnits <= 0 || d.TargetUnits > MaxTargetUnits {
		return fmt.Errorf("%w: %d", ErrTarget, d.TargetUnits)
	}
	if p := d.Point; p != nil && (p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180) {
		return fmt.Errorf("%w: %g,%g", ErrPointInvalid, p.Lat, p.Lon)
	}
	if d.AudienceUnitID < 0 {
		return ErrAudienceInvalid
	}
	return nil
}

func checkWindow(start, end time.Time) error {
	if !end.After(start) {
		return fmt.Errorf("%w: %s to %s", ErrWindowInvalid, start.Format(time.Kitchen), end.Format(time.Kitchen))
	}
	if w := end.Sub(start); w > MaxWindow {
		return fmt.Errorf("%w: %s", ErrWindowTooLong, w)
	}
	return nil
}

func checkSlots(window, length time.Duration, capacity int) error {
	if length < MinSlotLength || length > window {
		return fmt.Errorf("%w: %s in a window of %s", ErrSlotLength, length, window)
	}
	if capacity < 1 || capacity > MaxSlotCapacity {
		return fmt.Errorf("%w: %d", ErrCapacity, capacity)
	}
	return nil
}

// Slots cuts the window [start, end) into consecutive slots of the given
// length, each with capacity seats. When the length does not divide the
// window, the remainder becomes a shorter last slot if it is at least
// MinSlotLength long, and otherwise lengthens the last slot: a 5-minute slot
// helps nobody. It returns the errors of ValidateDraft for a bad window,
// length or capacity.
func Slots(start, end time.Time, length time.Duration, capacity int) ([]Slot, error) {
	if err := checkWindow(start, end); err != nil {
		return nil, err
	}
	if err := checkSlots(end.Sub(start), length, capacity); err != nil {
		return nil, err
	}
	var slots []Slot
	for t := start; t.Before(end); t = t.Add(length) {
		slotEnd := t.Add(length)
		if rest := end.Sub(slotEnd); rest < MinSlotLength {
			slotEnd = end // clip a short tail, or absorb a tail too short to stand alone
		}
		slots = append(slots, Slot{Start: t, End: slotEnd, Capacity: capacity})
		if !slotEnd.Before(end) {
			break
		}
	}
	return slots, nil
}
