package urgent

import (
	"errors"
	"testing"
	"time"
)

// vietnam is the bot's zone; fixed so the tests need no tz database.
var vietnam = time.FixedZone("ICT", 7*3600)

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, vietnam)
}

func TestParseDeadline(t *testing.T) {
	morning := at(2026, 12, 5, 10, 0) // a Saturday, 10:00
	evening := at(2026, 12, 5, 19, 0)
	newYearsEve := at(2026, 12, 30, 10, 0)
	for _, tc := range []struct {
		in   string
		now  time.Time
		want time.Time
		err  error
	}{
		{"18h", morning, at(2026, 12, 5, 18, 0), nil},
		{"18h30", morning, at(2026, 12, 5, 18, 30), nil},
		{"18:00", morning, at(2026, 12, 5, 18, 0), nil},
		{"18 giờ", morning, at(2026, 12, 5, 18, 0), nil},
		{"18h hôm nay", morning, at(2026, 12, 5, 18, 0), nil},
		{"18h hom nay", morning, at(2026, 12, 5, 18, 0), nil},
		{"hôm nay 18h", morning, at(2026, 12, 5, 18, 0), nil},
		{"sáng mai", morning, at(2026, 12, 6, 11, 0), nil},
		{"sang mai", morning, at(2026, 12, 6, 11, 0), nil},
		{"chiều nay", morning, at(2026, 12, 5, 17, 0), nil},
		{"tối nay", morning, at(2026, 12, 5, 20, 0), nil},
		{"3h chiều nay", morning, at(2026, 12, 5, 15, 0), nil},
		{"8h tối mai", morning, at(2026, 12, 6, 20, 0), nil},
		{"9h sáng mai", morning, at(2026, 12, 6, 9, 0), nil},
		{"trước 20:00", morning, at(2026, 12, 5, 20, 0), nil},
		{"Trước 20h", morning, at(2026, 12, 5, 20, 0), nil},
		{"25/12 9h", morning, at(2026, 12, 25, 9, 0), nil},
		{"9h 25/12", morning, at(2026, 12, 25, 9, 0), nil},
		{"20:00 25/12/2026", morning, at(2026, 12, 25, 20, 0), nil},
		{"25/12/2026 20:00", morning, at(2026, 12, 25, 20, 0), nil},
		{"ngày mai 7h", morning, at(2026, 12, 6, 7, 0), nil},
		{"mốt 8h", morning, at(2026, 12, 7, 8, 0), nil},
		// English.
		{"6pm today", morning, at(2026, 12, 5, 18, 0), nil},
		{"6 pm today", morning, at(2026, 12, 5, 18, 0), nil},
		{"6:30pm", morning, at(2026, 12, 5, 18, 30), nil},
		{"tomorrow morning", morning, at(2026, 12, 6, 11, 0), nil},
		{"this afternoon", morning, at(2026, 12, 5, 17, 0), nil},
		{"tonight", morning, at(2026, 12, 5, 20, 0), nil},
		{"before 20:00", morning, at(2026, 12, 5, 20, 0), nil},
		{"by 8am tomorrow", morning, at(2026, 12, 6, 8, 0), nil},
		{"12am tomorrow", morning, at(2026, 12, 6, 0, 0), nil},
		// A time alone already past today is tomorrow's.
		{"18h", evening, at(2026, 12, 6, 18, 0), nil},
		{"chiều", evening, at(2026, 12, 6, 17, 0), nil},
		{"6pm", evening, at(2026, 12, 6, 18, 0), nil},
		// A day said with it is kept, and refused once past.
		{"18h hôm nay", evening, at(2026, 12, 5, 18, 0), ErrDeadlinePast},
		{"6pm today", evening, at(2026, 12, 5, 18, 0), ErrDeadlinePast},
		{"chiều nay", evening, at(2026, 12, 5, 17, 0), ErrDeadlinePast},
		{"sáng nay", morning, at(2026, 12, 5, 11, 0), nil},
		{"8h hôm nay", morning, at(2026, 12, 5, 8, 0), ErrDeadlinePast},
		{"4/12 9h", morning, at(2026, 12, 4, 9, 0), ErrDeadlinePast},
		{"10:00 5/12/2026", morning, at(2026, 12, 5, 10, 0), ErrDeadlinePast},
		// The turn of the year, and the 30 days.
		{"2/1 9h", newYearsEve, at(2027, 1, 2, 9, 0), nil},
		{"9h 6/1/2027", morning, at(2027, 1, 6, 9, 0), ErrDeadlineFar},
		{"9h 25/12/2027", morning, at(2027, 12, 25, 9, 0), ErrDeadlineFar},
		// Not a deadline.
		{"", morning, time.Time{}, ErrDeadlineInvalid},
		{"mai", morning, time.Time{}, ErrDeadlineInvalid},
		{"hôm qua", morning, time.Time{}, ErrDeadlineInvalid},
		{"25h", morning, time.Time{}, ErrDeadlineInvalid},
		{"18h61", morning, time.Time{}, ErrDeadlineInvalid},
		{"13pm", morning, time.Time{}, ErrDeadlineInvalid},
		{"31/2 9h", morning, time.Time{}, ErrDeadlineInvalid},
		{"18h 19h", morning, time.Time{}, ErrDeadlineInvalid},
		{"25/12 mai 9h", morning, time.Time{}, ErrDeadlineInvalid},
		{"sáng chiều", morning, time.Time{}, ErrDeadlineInvalid},
		{"nay mai 9h", morning, time.Time{}, ErrDeadlineInvalid},
	} {
		got, err := ParseDeadline(tc.in, tc.now)
		if !errors.Is(err, tc.err) || tc.err != ErrDeadlineInvalid && !got.Equal(tc.want) {
			t.Errorf("ParseDeadline(%q) at %v = %v, %v; want %v, %v", tc.in, tc.now.Format("15:04 02/01"), got, err, tc.want, tc.err)
		}
	}
}

// FuzzParseDeadline: an accepted deadline lies after now and within
// MaxDeadlineAhead, in now's zone, on a whole minute.
func FuzzParseDeadline(f *testing.F) {
	for _, s := range []string{"18h", "18h hôm nay", "sáng mai", "chiều nay", "trước 20:00", "25/12 9h",
		"20:00 25/12/2026", "6pm today", "tomorrow morning", "before 20:00", "24:00", "h", "1/1/1 0:0",
		"18 giờ", "12am", "31/2 9h", "0h 1/1/99"} {
		f.Add(s)
	}
	now := at(2026, 12, 5, 10, 0)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDeadline(s, now)
		if err != nil {
			return
		}
		if !d.After(now) || d.Sub(now) > MaxDeadlineAhead || d.Location() != vietnam || d.Second() != 0 {
			t.Fatalf("accepted %q as %v", s, d)
		}
	})
}
