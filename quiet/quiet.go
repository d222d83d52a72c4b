// Package quiet is the quiet-hours rule (issue 15): non-urgent messages to
// donors are not delivered at night, local time. A reminder whose moment
// falls in quiet hours goes out at the last minute before them; a message
// that makes no sense early (a thank-you, an "eligible again" date) waits
// until they end. Urgent needs are exempt: their callers do not ask.
package quiet

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Hours is a daily quiet window in local time; the zero value is off.
type Hours struct {
	on         bool
	start, end int // minutes after midnight; start != end
}

// ErrFormat is a window that is not "HH:MM-HH:MM" with two different times.
var ErrFormat = errors.New(`want HH:MM-HH:MM with two different times, e.g. 21:00-07:00, or empty for none`)

// Parse reads "21:00-07:00" (a window may cross midnight); "" is off.
func Parse(s string) (Hours, error) {
	if s == "" {
		return Hours{}, nil
	}
	m := window.FindStringSubmatch(s)
	if m == nil {
		return Hours{}, ErrFormat
	}
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1]) // two digits, checked by window
	}
	q := Hours{on: true, start: n[0]*60 + n[1], end: n[2]*60 + n[3]}
	if q.start == q.end {
		return Hours{}, ErrFormat
	}
	return q, nil
}

var window = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$`)

// On says whether there are quiet hours at all.
func (q Hours) On() bool { return q.on }

func (q Hours) String() string {
	if !q.on {
		return ""
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.start/60, q.start%60, q.end/60, q.end%60)
}

// period is the quiet period holding t, in t's location, if one does.
func (q Hours) period(t time.Time) (from, to time.Time, ok bool) {
	if !q.on {
		return time.Time{}, time.Time{}, false
	}
	y, mo, d := t.Date()
	at := func(day, minutes int) time.Time {
		return time.Date(y, mo, d+day, minutes/60, minutes%60, 0, 0, t.Location())
	}
	startToday, endToday := at(0, q.start), at(0, q.end)
	switch {
	case q.start < q.end: // e.g. 13:00-15:00, within one day
		return startToday, endToday, !t.Before(startToday) && t.Before(endToday)
	case !t.Before(startToday): // evening part of a window crossing midnight
		return startToday, at(1, q.end), true
	case t.Before(endToday): // morning part
		return at(-1, q.start), endToday, true
	}
	return time.Time{}, time.Time{}, false
}

// Contains says whether t falls in quiet hours.
func (q Hours) Contains(t time.Time) bool {
	_, _, ok := q.period(t)
	return ok
}

// Mode is what happens to a message due in quiet hours.
type Mode int

const (
	// Early: it goes out at the last minute before them (a reminder
	// before a slot, useless once the slot has begun).
	Early Mode = iota
	// Wait: it goes out when they end (a thank-you, an "eligible
	// again" date: sending either early would be meaningless).
	Wait
)

// LastMoment is how long before quiet hours an early message goes out.
const LastMoment = time.Minute

// SendAt is when a message due at due goes out, and whether that is before
// its moment (its text should then say so).
func (q Hours) SendAt(due time.Time, m Mode) (at time.Time, early bool) {
	from, to, ok := q.period(due)
	switch {
	case !ok:
		return due, false
	case m == Early:
		return from.Add(-LastMoment), true
	default:
		return to, false
	}
}

// Horizon says which non-urgent messages may be sent at now: ok is false
// inside quiet hours (none may); otherwise those due up to now, and in the
// last minute before quiet hours, also the Early ones due before horizon,
// their end. It is SendAt turned around, for a query over due moments.
func (q Hours) Horizon(now time.Time) (horizon time.Time, ok bool) {
	if q.Contains(now) {
		return time.Time{}, false
	}
	if _, to, soon := q.period(now.Add(LastMoment)); soon {
		return to, true
	}
	return now, true
}
