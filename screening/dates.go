package screening

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"donorbot/accent"
)

// day returns t's calendar date, as t's own location shows it, at UTC
// midnight. Callers pass times in Asia/Ho_Chi_Minh (or dates already at UTC
// midnight), so the date is the one the donor sees on the calendar; using
// UTC internally then makes AddDate free of DST and offset surprises.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// monthEnd returns the last day of t's month (day 0 of the next month).
func monthEnd(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
}

// addMonths adds n calendar months to t, clamped to the last day of the
// month it lands in: 31 Aug + 6 months is 28 (or 29) Feb, where
// time.AddDate would run on into March and defer for days too long.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	last := monthEnd(time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC))
	if d > last.Day() {
		return last
	}
	return time.Date(y, m+time.Month(n), d, 0, 0, 0, 0, time.UTC)
}

// Errors of ParseMonthYear and ParseEventDate, for the UI to map to localized hints.
var (
	ErrMonthYearFormat = errors.New("screening: month/year not understood")
	ErrMonthYearFuture = errors.New("screening: month/year is in the future")
	ErrMonthYearTooOld = errors.New("screening: month/year is more than 10 years ago")
)

// maxMonthsAgo bounds answers: questionnaire windows are at most 12 months
// and the interval 12 weeks, so an older date changes nothing; ten years
// still accepts any honest answer and rejects typos like "3/2006".
const maxMonthsAgo = 120

// ParseMonthYear parses a month and year typed by a donor and returns the
// first day of that month at UTC midnight. It accepts a month of one or two
// digits and a four-digit year separated by "/", "-", ".", spaces or "năm",
// optionally preceded by "tháng", "th" or "t", in any case, with or without
// diacritics, composed or not: "03/2026", "3/2026", "03-2026", "3.2026",
// "tháng 3/2026", "Tháng 3 năm 2026", "T3/2026". Two-digit years and full
// dates are refused (ErrMonthYearFormat) because "03/12" could be a day and
// a month. Months after today's month give ErrMonthYearFuture; months more
// than 120 months before it give ErrMonthYearTooOld.
func ParseMonthYear(s string, today time.Time) (time.Time, error) {
	month, year, ok := splitMonthYear(fold(s))
	if !ok {
		return time.Time{}, ErrMonthYearFormat
	}
	ty, tm, _ := today.Date()
	now, got := ty*12+int(tm)-1, year*12+month-1
	switch {
	case got > now:
		return time.Time{}, ErrMonthYearFuture
	case now-got > maxMonthsAgo:
		return time.Time{}, ErrMonthYearTooOld
	}
	return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), nil
}

// ParseEventDate parses when an event happened, as a donor types it: a day
// ("15/03/2026", "15-3-2026", "15.03.2026", "ngày 15/3/2026") or, when that
// is all they remember, a month in any form ParseMonthYear takes. exact
// says a day was given; otherwise the result is the first of the month.
// The same errors as ParseMonthYear: a date after today is
// ErrMonthYearFuture, one in a month more than 120 months ago is
// ErrMonthYearTooOld, and an impossible date (31/02/2026) or a two-digit
// year is ErrMonthYearFormat.
func ParseEventDate(s string, today time.Time) (when time.Time, exact bool, err error) {
	d, m, y, ok := splitDayMonthYear(fold(s))
	if !ok {
		when, err = ParseMonthYear(s, today)
		return when, false, err
	}
	when = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if when.Day() != d || when.Month() != time.Month(m) {
		return time.Time{}, false, ErrMonthYearFormat
	}
	ty, tm, _ := today.Date()
	switch {
	case when.After(day(today)):
		return time.Time{}, false, ErrMonthYearFuture
	case ty*12+int(tm)-(y*12+m) > maxMonthsAgo:
		return time.Time{}, false, ErrMonthYearTooOld
	}
	return when, true, nil
}

// splitDayMonthYear reads "[ngay] D[D] sep M[M] sep YYYY" from folded input,
// each sep one of "/", "-" or "." with optional spaces around it.
func splitDayMonthYear(s string) (d, m, y int, ok bool) {
	if rest, found := strings.CutPrefix(s, "ngay"); found {
		s = strings.TrimLeft(rest, " .:")
	}
	var parts [3]string
	for i := range parts {
		parts[i], s = leadingDigits(s)
		if i == 2 {
			break
		}
		var sep string
		sep, s = leadingNonDigits(s)
		switch strings.TrimSpace(sep) {
		case "/", "-", ".":
		default:
			return 0, 0, 0, false
		}
	}
	if s != "" || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return 0, 0, 0, false
	}
	d, _ = strconv.Atoi(parts[0])
	m, _ = strconv.Atoi(parts[1])
	y, _ = strconv.Atoi(parts[2])
	return d, m, y, d >= 1 && m >= 1 && m <= 12
}

// fold lowercases s, strips its diacritics and turns every kind of space
// into ' ', so that only ASCII keywords ("thang", "nam") need matching.
func fold(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, strings.ToLower(accent.Fold(s)))
	return strings.TrimSpace(s)
}

// splitMonthYear reads "[prefix] M[M] sep YYYY" from folded input.
func splitMonthYear(s string) (month, year int, ok bool) {
	for _, p := range []string{"thang", "th", "t"} {
		if rest, found := strings.CutPrefix(s, p); found {
			s = strings.TrimLeft(rest, " .:")
			break
		}
	}
	m, rest := leadingDigits(s)
	sep, rest := leadingNonDigits(rest)
	y, rest := leadingDigits(rest)
	if len(m) < 1 || len(m) > 2 || len(y) != 4 || rest != "" {
		return 0, 0, false
	}
	switch strings.TrimSpace(sep) {
	case "/", "-", ".", "nam":
	case "":
		// Only spaces ("3 2026"): leadingDigits is greedy, so an empty
		// trimmed separator always stood for at least one space.
	default:
		return 0, 0, false
	}
	month, _ = strconv.Atoi(m)
	year, _ = strconv.Atoi(y)
	if month < 1 || month > 12 {
		return 0, 0, false
	}
	return month, year, true
}

// leadingDigits splits s after its leading ASCII digits. Only ASCII: other
// scripts' digits would pass unicode.IsDigit and then fail strconv.
func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

func leadingNonDigits(s string) (other, rest string) {
	i := 0
	for i < len(s) && (s[i] < '0' || s[i] > '9') {
		i++
	}
	return s[:i], s[i:]
}
