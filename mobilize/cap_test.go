package mobilize

import (
	"testing"
	"time"
)

func TestUnderCap(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	days := func(ds ...int) []time.Time {
		out := make([]time.Time, len(ds))
		for i, d := range ds {
			out[i] = now.AddDate(0, 0, -d)
		}
		return out
	}
	tests := []struct {
		name  string
		sent  []time.Time
		limit int
		want  bool
	}{
		{"none sent", nil, 4, true},
		{"three in window", days(1, 5, 29), 4, true},
		{"four in window", days(1, 5, 10, 29), 4, false},
		{"five in window", days(0, 1, 5, 10, 29), 4, false},
		{"one just out of window", days(1, 5, 10, 30), 4, true},
		{"old ones do not count", days(31, 40, 60, 90, 120), 4, true},
		{"no cap", days(0, 1, 2, 3, 4, 5), 0, true},
		{"negative is no cap", days(0, 1, 2, 3, 4, 5), -1, true},
		{"cap of one", days(2), 1, false},
		{"future times do not count", []time.Time{now.Add(time.Hour)}, 1, true},
		{"sent this instant counts", []time.Time{now}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UnderCap(tt.sent, now, tt.limit); got != tt.want {
				t.Errorf("UnderCap(%v, %d) = %v, want %v", tt.sent, tt.limit, got, tt.want)
			}
		})
	}
}
