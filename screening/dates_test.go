package screening

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParseMonthYear(t *testing.T) {
	mar26 := date(2026, time.March, 1)
	cases := []struct {
		in   string
		want time.Time
		err  error
	}{
		{"03/2026", mar26, nil},
		{"3/2026", mar26, nil},
		{"03-2026", mar26, nil},
		{"3.2026", mar26, nil},
		{"tháng 3/2026", mar26, nil},
		{"Tháng 3 năm 2026", mar26, nil},
		{"THÁNG 03/2026", mar26, nil},
		{"thang 3/2026", mar26, nil},
		{"tha\u0301ng 3/2026", mar26, nil}, // decomposed "tháng"
		{"T3/2026", mar26, nil},
		{"th.3/2026", mar26, nil},
		{" 3 / 2026 ", mar26, nil},
		{"3 2026", mar26, nil},
		{"12/2025", date(2025, time.December, 1), nil},
		// Ten years ago to the month is accepted, one more is not.
		{"03/2016", date(2016, time.March, 1), nil},
		{"02/2016", time.Time{}, ErrMonthYearTooOld},
		{"04/2026", time.Time{}, ErrMonthYearFuture},
		{"1/2027", time.Time{}, ErrMonthYearFuture},
		{"", time.Time{}, ErrMonthYearFormat},
		{"13/2025", time.Time{}, ErrMonthYearFormat},
		{"0/2025", time.Time{}, ErrMonthYearFormat},
		{"03/26", time.Time{}, ErrMonthYearFormat},      // two-digit year: ambiguous
		{"15/03/2026", time.Time{}, ErrMonthYearFormat}, // full date
		{"003/2026", time.Time{}, ErrMonthYearFormat},
		{"32026", time.Time{}, ErrMonthYearFormat},
		{"3/2026 ạ", time.Time{}, ErrMonthYearFormat},
		{"3x2026", time.Time{}, ErrMonthYearFormat},
		{"３/２０２６", time.Time{}, ErrMonthYearFormat}, // full-width digits
	}
	for _, c := range cases {
		got, err := ParseMonthYear(c.in, today)
		if !errors.Is(err, c.err) || !got.Equal(c.want) {
			t.Errorf("ParseMonthYear(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
	}
}

// FuzzParseMonthYear checks that any input either fails with one of the
// documented errors or yields the first of a month within the accepted
// range, which the canonical "MM/YYYY" spelling parses back to.
func FuzzParseMonthYear(f *testing.F) {
	for _, s := range []string{"03/2026", "tháng 3/2026", "3.2026", "T12-2019", "15/03/2026", "３/２０２６"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseMonthYear(s, today)
		if err != nil {
			if !errors.Is(err, ErrMonthYearFormat) && !errors.Is(err, ErrMonthYearFuture) &&
				!errors.Is(err, ErrMonthYearTooOld) {
				t.Fatalf("ParseMonthYear(%q): undocumented error %v", s, err)
			}
			return
		}
		if got.Day() != 1 || got.Location() != time.UTC || got.Hour() != 0 {
			t.Fatalf("ParseMonthYear(%q) = %v, want the first of a month at UTC midnight", s, got)
		}
		if got.After(today) || got.Before(date(2016, time.March, 1)) {
			t.Fatalf("ParseMonthYear(%q) = %v, out of range", s, got)
		}
		back, err := ParseMonthYear(fmt.Sprintf("%02d/%d", got.Month(), got.Year()), today)
		if err != nil || !back.Equal(got) {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}
