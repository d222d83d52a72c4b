package handlers_test

import (
	"sync/atomic"
	"testing"
	"time"
)

// testClock is the handlers' clock, moved only by the test. Set to an
// instant (clockAt), it stands there until Advance, so no answer depends on
// the time of day the test runs at. The zero testClock follows the wall
// clock shifted by Advance, for tests whose drives are dated by it.
type testClock struct {
	base   time.Time
	offset atomic.Int64
}

func clockAt(at time.Time) *testClock { return &testClock{base: at} }

// clockAtLocal is a clock standing at hour:minute in Vietnam, today.
func clockAtLocal(t *testing.T, hour, minute int) *testClock {
	day := today(t)
	return clockAt(time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc(t)))
}

func (c *testClock) Now() time.Time {
	base := c.base
	if base.IsZero() {
		base = time.Now()
	}
	return base.Add(time.Duration(c.offset.Load()))
}

func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// calendarDay is the date in Vietnam of at, as the domain stores dates.
func calendarDay(t *testing.T, at time.Time) time.Time {
	l := at.In(loc(t))
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}
