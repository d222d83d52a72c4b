package drive

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// ErrDayFormat is a drive date that is not d/m or d/m/yyyy.
var ErrDayFormat = errors.New("drive: date is not d/m or d/m/yyyy")

var dayPattern = regexp.MustCompile(`^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*(?:[/.-]\s*(\d{4}))?\s*$`)

// ParseDay reads a drive's date as organizers type it in Vietnam, day
// first: "20/12/2026", or "20/12" for the next 20 December that is not past
// at now (today counts). It returns local midnight in loc. A day that does
// not exist ("31/4", "29/2/2027") is ErrDayFormat; "29/2" alone is the next
// leap day. Whether the date is too far ahead is ValidateDraft's to say.
func ParseDay(raw string, now time.Time, loc *time.Location) (time.Time, error) {
	m := dayPattern.FindStringSubmatch(raw)
	if m == nil {
		return time.Time{}, ErrDayFormat
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	on := func(year int) (time.Time, bool) {
		t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, loc)
		return t, t.Day() == day && int(t.Month()) == month // time.Date normalizes 31/4 to 1/5
	}
	if m[3] != "" {
		year, _ := strconv.Atoi(m[3])
		t, ok := on(year)
		if !ok {
			return time.Time{}, fmt.Errorf("%w: %q", ErrDayFormat, raw)
		}
		return t, nil
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	for year := local.Year(); year <= local.Year()+4; year++ { // a leap day comes within 4 years
		if t, ok := on(year); ok && !t.Before(today) {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", ErrDayFormat, raw)
}
