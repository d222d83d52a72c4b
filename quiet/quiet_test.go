package quiet

import (
	"errors"
	"testing"
	"time"
)

var hcm = time.FixedZone("ICT", 7*3600)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.March, day, hour, minute, 0, 0, hcm)
}

func mustParse(t *testing.T, s string) Hours {
	t.Helper()
	q, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return q
}

// TestSendAt is the quiet-hours rule of issue 15: non-urgent messages to
// donors are not delivered between 21:00 and 07:00 local time; a reminder
// due then goes out at the last minute before (20:59, saying so), a
// thank-you or a date reminder waits until 07:00.
func TestSendAt(t *testing.T) {
	for _, c := range []struct {
		name   string
		window string
		due    time.Time
		mode   Mode
		want   time.Time
		early  bool
	}{
		{"20:59 is before quiet hours", "21:00-07:00", at(10, 20, 59), Early, at(10, 20, 59), false},
		{"21:00 starts them: a reminder goes at 20:59", "21:00-07:00", at(10, 21, 0), Early, at(10, 20, 59), true},
		{"2 h before a 07:30 slot goes out 20:59 the day before", "21:00-07:00", at(11, 5, 30), Early, at(10, 20, 59), true},
		{"06:59 is still quiet: a reminder goes at 20:59 the day before", "21:00-07:00", at(11, 6, 59), Early, at(10, 20, 59), true},
		{"07:00 ends them", "21:00-07:00", at(11, 7, 0), Early, at(11, 7, 0), false},
		{"a thank-you due 22:00 waits until 07:00", "21:00-07:00", at(10, 22, 0), Wait, at(11, 7, 0), false},
		{"a date reminder due 00:00 waits until 07:00", "21:00-07:00", at(11, 0, 0), Wait, at(11, 7, 0), false},
		{"a thank-you due 06:59 waits one minute", "21:00-07:00", at(11, 6, 59), Wait, at(11, 7, 0), false},
		{"a thank-you due 20:59 goes then", "21:00-07:00", at(10, 20, 59), Wait, at(10, 20, 59), false},
		{"a window within one day: inside", "13:00-15:00", at(10, 14, 0), Early, at(10, 12, 59), true},
		{"a window within one day: inside, waiting", "13:00-15:00", at(10, 13, 0), Wait, at(10, 15, 0), false},
		{"a window within one day: 22:00 is not in it", "13:00-15:00", at(10, 22, 0), Early, at(10, 22, 0), false},
		{"a window within one day: its end", "13:00-15:00", at(10, 15, 0), Wait, at(10, 15, 0), false},
		{"off: 03:00 goes at 03:00", "", at(11, 3, 0), Early, at(11, 3, 0), false},
		{"off: waiting changes nothing", "", at(11, 3, 0), Wait, at(11, 3, 0), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, early := mustParse(t, c.window).SendAt(c.due, c.mode)
			if !got.Equal(c.want) || early != c.early {
				t.Errorf("SendAt(%s) = %s, early %v; want %s, early %v", c.due.Format("02 15:04"),
					got.Format("02 15:04"), early, c.want.Format("02 15:04"), c.early)
			}
		})
	}
}

// TestHorizon: the scheduler's view of the same rule, at a given now.
func TestHorizon(t *testing.T) {
	for _, c := range []struct {
		name    string
		window  string
		now     time.Time
		want    time.Time
		sending bool
	}{
		{"20:58: what is due", "21:00-07:00", at(10, 20, 58), at(10, 20, 58), true},
		{"20:59: also what falls due before 07:00", "21:00-07:00", at(10, 20, 59), at(11, 7, 0), true},
		{"20:59:59 still", "21:00-07:00", at(10, 20, 59).Add(59 * time.Second), at(11, 7, 0), true},
		{"21:00: nothing", "21:00-07:00", at(10, 21, 0), time.Time{}, false},
		{"06:59: nothing", "21:00-07:00", at(11, 6, 59), time.Time{}, false},
		{"07:00: what is due", "21:00-07:00", at(11, 7, 0), at(11, 7, 0), true},
		{"within one day, 12:59", "13:00-15:00", at(10, 12, 59), at(10, 15, 0), true},
		{"within one day, 14:00", "13:00-15:00", at(10, 14, 0), time.Time{}, false},
		{"off", "", at(11, 3, 0), at(11, 3, 0), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, sending := mustParse(t, c.window).Horizon(c.now)
			if !got.Equal(c.want) || sending != c.sending {
				t.Errorf("Horizon(%s) = %s, %v; want %s, %v", c.now.Format("02 15:04:05"), got, sending, c.want, c.sending)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"21:00-07:00", "13:00-15:00", "00:00-23:59", ""} {
		if got := mustParse(t, s).String(); got != s {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
	}
	for _, s := range []string{"21:00", "21:00-21:00", "24:00-07:00", "21:60-07:00", "9:00-07:00", "+1:00-07:00", "21:00-07:00 ", "21:00–07:00"} {
		if _, err := Parse(s); !errors.Is(err, ErrFormat) {
			t.Errorf("Parse(%q) = %v, want ErrFormat", s, err)
		}
	}
}
