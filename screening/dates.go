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

// Errors of ParseMonthYear, for the UI to map to localized hints.
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
