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
