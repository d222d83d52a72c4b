package handlers_test

import (
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
func calendarDay(t *testing.T, at time.Time) time.Time {
	l := at.In(loc(t))
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}
