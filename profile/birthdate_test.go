package profile

import (
	"errors"
	"testing"
	"time"
)

// ict is Vietnam time. A fixed zone keeps the tests independent of the
// system's tzdata.
var ict = time.FixedZone("ICT", 7*3600)

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestParseBirthDate(t *testing.T) {
	today := time.Date(2024, 6, 15, 9, 30, 0, 0, ict)
	for _, tc := range []struct {
		in    string
		today time.Time
		want  time.Time
		err   error
	}{
		{"12/05/1990", today, date(1990, 5, 12), nil},
		{"1/2/2000", today, date(2000, 2, 1), nil},
		{"01-02-2000", today, date(2000, 2, 1), nil},
		{"01.02.2000", today, date(2000, 2, 1), nil},
		{" 01 / 02 / 2000 ", today, date(2000, 2, 1), nil},
		{"30/04/1975", today, date(1975, 4, 30), nil},
		{"31/12/1999", today, date(1999, 12, 31), nil},

		// 16th birthday: today is fine, tomorrow is not.
		{"15/06/2008", today, date(2008, 6, 15), nil},
		{"16/06/2008", today, time.Time{}, ErrAgeOutOfRange},
		// Still 80 the day before the 81st birthday, not on it.
		{"16/06/1943", today, date(1943, 6, 16), nil},
		{"15/06/1943", today, time.Time{}, ErrAgeOutOfRange},
		{"15/06/1944", today, date(1944, 6, 15), nil},
		// Vietnam is already on 15/06 at 01:00 while UTC is on 14/06.
		{"15/06/2008", time.Date(2024, 6, 15, 1, 0, 0, 0, ict), date(2008, 6, 15), nil},
		{"15/06/2008", time.Date(2024, 6, 14, 18, 0, 0, 0, time.UTC), time.Time{}, ErrAgeOutOfRange},

		// 29 February.
		{"29/02/2000", today, date(2000, 2, 29), nil}, // 2000 is a leap year
		{"29/02/2001", today, time.Time{}, ErrDateInvalid},
		{"29/02/1900", today, time.Time{}, ErrDateInvalid}, // 1900 was not
		{"29/02/2008", time.Date(2024, 2, 28, 12, 0, 0, 0, ict), time.Time{}, ErrAgeOutOfRange},
		{"29/02/2008", time.Date(2024, 2, 29, 12, 0, 0, 0, ict), date(2008, 2, 29), nil},
		// Born 29/02/1944: 81 on 01/03/2025, as 2025 has no 29/02.
		{"29/02/1944", time.Date(2025, 2, 28, 12, 0, 0, 0, ict), date(1944, 2, 29), nil},
		{"29/02/1944", time.Date(2025, 3, 1, 12, 0, 0, 0, ict), time.Time{}, ErrAgeOutOfRange},

		{"16/06/2024", today, time.Time{}, ErrDateFuture},
		{"01/01/2030", today, time.Time{}, ErrDateFuture},
		{"15/06/2024", today, time.Time{}, ErrAgeOutOfRange}, // born today
		{"01/01/1900", today, time.Time{}, ErrAgeOutOfRange},

		{"31/02/2000", today, time.Time{}, ErrDateInvalid},
		{"30/02/2000", today, time.Time{}, ErrDateInvalid},
		{"31/04/2000", today, time.Time{}, ErrDateInvalid},
		{"00/01/2000", today, time.Time{}, ErrDateInvalid},
		{"01/00/2000", today, time.Time{}, ErrDateInvalid},
		{"32/01/2000", today, time.Time{}, ErrDateInvalid},
		{"01/13/2000", today, time.Time{}, ErrDateInvalid},
		{"31/02/2030", today, time.Time{}, ErrDateInvalid}, // invalid before future
		{"", today, time.Time{}, ErrDateInvalid},
		// Two-digit years: the reading that is not in the future, age < 100.
		{"12/05/90", today, date(1990, 5, 12), nil},
		{"5/3/95", today, date(1995, 3, 5), nil},
		{"5.3.95", today, date(1995, 3, 5), nil},
		{"01/01/08", today, date(2008, 1, 1), nil},                                          // 16 in 2024, not 116
		{"15/06/08", today, date(2008, 6, 15), nil},                                         // 16 today
		{"16/06/08", today, time.Time{}, ErrAgeOutOfRange},                                  // 2008: 15 until tomorrow
		{"29/02/00", today, date(2000, 2, 29), nil},                                         // 2000, a leap year
		{"14/06/24", today, time.Time{}, ErrAgeOutOfRange},                                  // yesterday, not 1924
		{"16/06/24", today, time.Time{}, ErrAgeOutOfRange},                                  // 1924: 99, too old; never 2024, the future
		{"31/12/99", time.Date(2100, 1, 1, 9, 0, 0, 0, ict), time.Time{}, ErrAgeOutOfRange}, // 2099: a day old
		{"30/02/95", today, time.Time{}, ErrDateInvalid},
		{"12/05/9", today, time.Time{}, ErrDateInvalid},
		{"12/05/990", today, time.Time{}, ErrDateInvalid},
		{"12/05/01990", today, time.Time{}, ErrDateInvalid},
		{"012/05/1990", today, time.Time{}, ErrDateInvalid},
		{"1990-05-12", today, time.Time{}, ErrDateInvalid},
		{"12051990", today, time.Time{}, ErrDateInvalid},
		{"12/05/1990/", today, time.Time{}, ErrDateInvalid},
		{"12//05/1990", today, time.Time{}, ErrDateInvalid},
		{"12/05", today, time.Time{}, ErrDateInvalid},
		{"+1/05/1990", today, time.Time{}, ErrDateInvalid},
		{"1 2/05/1990", today, time.Time{}, ErrDateInvalid},
		{"12 tháng 5 1990", today, time.Time{}, ErrDateInvalid},
		{"١٢/٠٥/١٩٩٠", today, time.Time{}, ErrDateInvalid}, // Arabic-Indic digits
	} {
		got, err := ParseBirthDate(tc.in, tc.today)
		if !got.Equal(tc.want) || got.Location() != time.UTC || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("ParseBirthDate(%q, %s) = %v, %v; want %v, %v", tc.in, tc.today, got, err, tc.want, tc.err)
		}
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		birth, on time.Time
		want      int
	}{
		{date(2000, 6, 15), date(2016, 6, 14), 15},
		{date(2000, 6, 15), date(2016, 6, 15), 16},
		{date(2000, 6, 15), date(2016, 6, 16), 16},
		{date(2000, 12, 31), date(2001, 1, 1), 0},
		{date(2000, 1, 1), date(2000, 12, 31), 0},
		{date(2000, 1, 1), date(2000, 1, 1), 0},
		// 29 February: a year older on 01/03 in non-leap years.
		{date(2008, 2, 29), date(2009, 2, 28), 0},
		{date(2008, 2, 29), date(2009, 3, 1), 1},
		{date(2008, 2, 29), date(2012, 2, 28), 3},
		{date(2008, 2, 29), date(2012, 2, 29), 4},
		{date(1944, 2, 29), date(2025, 2, 28), 80},
		{date(1944, 2, 29), date(2025, 3, 1), 81},
		// Calendar dates in their own zones: 23:30 in Vietnam is 16:30 UTC.
		{date(2000, 6, 15), time.Date(2016, 6, 15, 0, 30, 0, 0, ict), 16},
		{date(2000, 6, 15), time.Date(2016, 6, 14, 23, 30, 0, 0, ict), 15},
		{date(2000, 1, 1), date(1999, 6, 1), -1},
	} {
		if got := Age(tc.birth, tc.on); got != tc.want {
			t.Errorf("Age(%s, %s) = %d, want %d", tc.birth.Format(time.DateOnly), tc.on, got, tc.want)
		}
	}
}
