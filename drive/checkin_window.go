package drive

import (
	"errors"
	"fmt"
	"time"
)

// DefaultCheckinOpensBefore is how long before a drive's first slot its
// check-in desk opens, unless configured (CHECKIN_OPENS_BEFORE): staff
// arrive early, donors a little before their slot.
const DefaultCheckinOpensBefore = time.Hour

// Errors of CheckinOpen; compare with errors.Is.
var (
	ErrCheckinNotOpen = errors.New("drive: check-in is not open yet")
	ErrCheckinOver    = errors.New("drive: the drive's day is over")
)

// CheckinWindow is when the desk of a drive from start to end may check
// donors in: on the drive's day in loc only, from opensBefore before the
// first slot (never before that day's midnight), until the end of the day
// the drive ends. A donor checked in days early would be recorded as having
// donated before the drive, which moves their next eligible date.
func CheckinWindow(start, end time.Time, loc *time.Location, opensBefore time.Duration) (opens, closes time.Time) {
	s := start.In(loc)
	midnight := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
	opens = start.Add(-opensBefore)
	if opens.Before(midnight) {
		opens = midnight
	}
	e := end.In(loc)
	closes = time.Date(e.Year(), e.Month(), e.Day()+1, 0, 0, 0, 0, loc)
	return opens, closes
}

// CheckinOpen reports whether the desk of a drive from start to end is open
// at now: nil, or ErrCheckinNotOpen / ErrCheckinOver wrapped with the times.
func CheckinOpen(start, end, now time.Time, loc *time.Location, opensBefore time.Duration) error {
	opens, closes := CheckinWindow(start, end, loc, opensBefore)
	switch {
	case now.Before(opens):
		return fmt.Errorf("%w: opens %s", ErrCheckinNotOpen, opens.Format(time.RFC3339))
	case !now.Before(closes):
		return fmt.Errorf("%w: closed %s", ErrCheckinOver, closes.Format(time.RFC3339))
	}
	return nil
}
