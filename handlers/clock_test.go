package handlers_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"donorbot/internal/bottest"
)

// clockAt is a clock standing at at until the test advances it.
func clockAt(at time.Time) *bottest.FakeClock { return bottest.NewClock(at) }

// clockAtLocal is a clock standing at hour:minute in Vietnam, on the day of
// bottest.Epoch.
func clockAtLocal(t *testing.T, hour, minute int) *bottest.FakeClock {
	day := bottest.Epoch.In(loc(t))
	return clockAt(time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc(t)))
}

// calendarDay is the date in Vietnam of at, as the domain stores dates.
func calendarDay(t testing.TB, at time.Time) time.Time {
	l := at.In(loc(t))
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// shownDate is how a message writes the calendar date of d (read in
// Vietnam) to a reader of lang: "Thứ Năm, 16/05/2030" or "Thu 16 May 2030".
// Written out here rather than borrowed from datefmt, so tests check the
// bot against the format, not against itself.
func shownDate(t *testing.T, lang string, d time.Time) string {
	l := d.In(loc(t))
	if lang == "en" {
		return []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}[l.Weekday()] + " " +
			strconv.Itoa(l.Day()) + " " + l.Month().String()[:3] + " " + strconv.Itoa(l.Year())
	}
	return []string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}[l.Weekday()] + ", " +
		fmt.Sprintf("%02d/%02d/%d", l.Day(), int(l.Month()), l.Year())
}

// TestShownDateIsTheSpecifiedFormat pins the helper to the examples.
func TestShownDateIsTheSpecifiedFormat(t *testing.T) {
	sat := time.Date(2026, 12, 19, 12, 0, 0, 0, loc(t))
	sun := time.Date(2026, 12, 20, 12, 0, 0, 0, loc(t))
	for _, c := range [][2]string{
		{shownDate(t, "vi", sat), "Thứ Bảy, 19/12/2026"},
		{shownDate(t, "vi", sun), "Chủ Nhật, 20/12/2026"},
		{shownDate(t, "en", sat), "Sat 19 Dec 2026"},
		{shownDate(t, "en", bottest.Epoch), "Thu 16 May 2030"},
	} {
		if c[0] != c[1] {
			t.Errorf("shownDate = %q; want %q", c[0], c[1])
		}
	}
}
