package mobilize_test

import (
	"testing"

	"donorbot/mobilize"
)

func ranked(n int) []mobilize.Candidate {
	out := make([]mobilize.Candidate, n)
	for i := range out {
		out[i].TelegramID = int64(i + 1)
	}
	return out
}

func TestPlan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cands int
		gap   int
		rate  float64
		want  int
	}{
		{"41 donations at 10%", 1000, 41, 0.1, 410},
		{"a rate that does not divide", 1000, 10, 0.3, 34},
		{"every invitee donates", 1000, 7, 1, 7},
		{"no gap", 1000, 0, 0.1, 0},
		{"over target", 1000, -5, 0.1, 0},
		{"no rate", 1000, 10, 0, 0},
		{"a rate over one", 1000, 10, 1.5, 0},
		{"a negative rate", 1000, 10, -0.2, 0},
		{"a tiny rate: half the candidates, not everyone", 1000, 10, 1e-300, 500},
		{"more wanted than half: half, rounded up", 7, 10, 0.1, 4},
		{"one candidate", 1, 3, 0.2, 1},
		{"no candidates", 0, 3, 0.2, 0},
	} {
		got := mobilize.Plan(ranked(tc.cands), tc.gap, tc.rate)
		if len(got) != tc.want {
			t.Errorf("%s: %d invited, want %d", tc.name, len(got), tc.want)
			continue
		}
		for i, c := range got {
			if c.TelegramID != int64(i+1) {
				t.Errorf("%s: invitee %d is %d, want the ranking's head", tc.name, i, c.TelegramID)
				break
			}
		}
	}
}
