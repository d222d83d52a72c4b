package profile

import (
	"strings"
	"time"
)

// Plausible ages for a profile, in full years, inclusive. Eligibility to
// donate is narrower and is checked at screening, not here.
const (
	MinAge = 16
	MaxAge = 80
)

// ParseBirthDate reads a day-first date as written in Vietnam: dd/mm/yyyy,
// also d/m/yyyy and "-" or "." as separators. A two-digit year ("5/3/95")
// is the latest year ending in those digits that puts the date no later
// than today: a birth date is never in the future, and the age it gives is
// then under 100, which is the only plausible reading ("5/3/95" is 1995,
// "5/3/08" 2008 in 2026).
//
// today is read as a calendar date in its own location, so pass the time in
// Vietnam (UTC+7); a server clock in UTC would still be on yesterday until
// 07:00. Dates that do not exist (31/02/2000, 00/01/2000) give ErrDateInvalid,
// dates after today ErrDateFuture, and an Age outside MinAge..MaxAge
// ErrAgeOutOfRange. The result is midnight UTC of the date, i.e. a plain
// calendar date that maps to SQL date without shifting.
func ParseBirthDate(s string, today time.Time) (time.Time, error) {
	day, month, year, twoDigitYear, ok := splitDate(s)
	if !ok {
		return time.Time{}, ErrDateInvalid
	}
	if twoDigitYear {
		year = pivotYear(year, month, day, today)
	}
	birth := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	// time.Date normalizes 31/02 to 02/03 and 00/01 to 31/12; a date that
	// does not round-trip did not exist.
	if birth.Day() != day || int(birth.Month()) != month {
		return time.Time{}, ErrDateInvalid
	}
	ty, tm, td := today.Date()
	if birth.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return time.Time{}, ErrDateFuture
	}
	if a := Age(birth, today); a < MinAge || a > MaxAge {
		return time.Time{}, ErrAgeOutOfRange
	}
	return birth, nil
}

// pivotYear returns the latest year ending in yy (0..99) whose day/month is
// no later than today's calendar date. A day/month that does not exist in
// that year (29/02) is left for the caller's round-trip check to refuse.
func pivotYear(yy, month, day int, today time.Time) int {
	ty, tm, td := today.Date()
	year := ty - ((ty-yy)%100+100)%100
	if year == ty && (month > int(tm) || month == int(tm) && day > td) {
		year -= 100
	}
	return year
}

// splitDate splits "d/m/yyyy" (separators / - or ., spaces allowed around
// them) into numbers. Each field must be ASCII digits: 1-2 for day and month,
// 4 or 2 for the year; twoDigitYear says which.
func splitDate(s string) (day, month, year int, twoDigitYear, ok bool) {
	var f [3]string
	n, start := 0, 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '/' || c == '-' || c == '.' {
			if n == 2 {
				return 0, 0, 0, false, false
			}
			f[n], n, start = s[start:i], n+1, i+1
		}
	}
	if n != 2 {
		return 0, 0, 0, false, false
	}
	f[2] = strings.TrimSpace(s[start:])
	day, ok1 := number(f[0], 1, 2)
	month, ok2 := number(f[1], 1, 2)
	twoDigitYear = len(f[2]) == 2
	year, ok3 := number(f[2], 4, 4)
	if twoDigitYear {
		year, ok3 = number(f[2], 2, 2)
	}
	return day, month, year, twoDigitYear, ok1 && ok2 && ok3
}

// number parses a field of min..max ASCII digits, ignoring spaces around it.
func number(s string, min, max int) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) < min || len(s) > max {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// Age returns the full years between the calendar dates of birth and on, each
// read in its own location; it is negative if on is before birth.
//
// Someone born on 29 February turns a year older on 1 March in non-leap
// years: the year is only complete once all of 28 February has passed. That
// is the conservative reading for a minimum-age rule (nobody counts as 16 a
// day early) and the one a plain month/day comparison gives.
func Age(birth, on time.Time) int {
	by, bm, bd := birth.Date()
	oy, om, od := on.Date()
	age := oy - by
	if om < bm || (om == bm && od < bd) {
		age--
	}
	return age
}
