package drive

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestReminderRules(t *testing.T) {
	rules, err := ReminderRules([]time.Duration{2 * time.Hour, 24 * time.Hour, 90 * time.Minute, 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	want := []ReminderRule{
		{Kind: "24h", Offset: 24 * time.Hour, Until: 2 * time.Hour},
		{Kind: "2h", Offset: 2 * time.Hour, Until: 90 * time.Minute},
		{Kind: "90m", Offset: 90 * time.Minute, Until: 0},
	}
	if !slices.Equal(rules, want) {
		t.Fatalf("ReminderRules = %v, want %v", rules, want)
	}
	for _, bad := range []time.Duration{0, -time.Hour, 30 * time.Second, 8 * 24 * time.Hour, time.Hour + time.Second} {
		if _, err := ReminderRules([]time.Duration{bad}); !errors.Is(err, ErrReminderOffset) {
			t.Errorf("ReminderRules(%s) = %v, want ErrReminderOffset", bad, err)
		}
	}
}

// Issue 4: reminders 24 hours and 2 hours before the slot; a reminder whose
// time has passed by more than its window is not sent.
func TestReminders(t *testing.T) {
	start := at(7, 30)
	long := start.Add(-7 * 24 * time.Hour) // registered a week before
	tests := []struct {
		name      string
		since     time.Time
		now       time.Time
		due, stal []string
	}{
		{"NothingTwoDaysBefore", long, start.Add(-48 * time.Hour), nil, nil},
		{"24hAtItsTime", long, start.Add(-24 * time.Hour), []string{"24h"}, nil},
		{"24hThreeHoursBefore", long, start.Add(-3 * time.Hour), []string{"24h"}, nil},
		{"2hSupersedes24h", long, start.Add(-2 * time.Hour), []string{"2h"}, []string{"24h"}},
		{"2hOneHourBefore", long, start.Add(-time.Hour), []string{"2h"}, []string{"24h"}},
		{"AllStaleOnceStarted", long, start, nil, []string{"24h", "2h"}},
		// Registered 20 hours before: the 24h reminder fell due before the
		// registration, whose confirmation said it all.
		{"RegisteredAfterDue", start.Add(-20 * time.Hour), start.Add(-19 * time.Hour), nil, []string{"24h"}},
		{"RegisteredAfterDueThen2h", start.Add(-20 * time.Hour), start.Add(-time.Hour), []string{"2h"}, []string{"24h"}},
		{"ZeroSince", time.Time{}, start.Add(-23 * time.Hour), []string{"24h"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, stale, err := Reminders(start, tt.since, DefaultReminderOffsets, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(due, tt.due) || !slices.Equal(stale, tt.stal) {
				t.Fatalf("Reminders = due %v stale %v, want due %v stale %v", due, stale, tt.due, tt.stal)
			}
		})
	}
	if _, _, err := Reminders(start, long, []time.Duration{0}, start); !errors.Is(err, ErrReminderOffset) {
		t.Errorf("Reminders with offset 0 = %v, want ErrReminderOffset", err)
	}
}

func TestThanksDue(t *testing.T) {
	end := at(11, 30)
	tests := []struct {
		name       string
		now        time.Time
		due, stale bool
	}{
		{"BeforeEnd", end.Add(-time.Minute), false, false},
		{"AtEnd", end, true, false},
		{"NextDay", end.Add(24 * time.Hour), true, false},
		{"TooLate", end.Add(ThanksWindow), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if due, stale := ThanksDue(end, tt.now); due != tt.due || stale != tt.stale {
				t.Fatalf("ThanksDue = %t, %t; want %t, %t", due, stale, tt.due, tt.stale)
			}
		})
	}
}
