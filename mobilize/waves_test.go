package mobilize

import (
	"math"
	"testing"
)

// The rule (waves.go): the due checkpoint is the smallest k >= days until
// the drive, unless its wave ran; earlier missed ones are not caught up.
func TestDueCheckpoint(t *testing.T) {
	cps := []int{10, 5, 2}
	for _, tc := range []struct {
		name      string
		daysUntil int
		done      []int
		want      int
		ok        bool
	}{
		{"too early", 11, nil, 0, false},
		{"the first checkpoint", 10, nil, 10, true},
		{"between the first two", 7, nil, 10, true},
		{"first ran", 7, []int{10}, 0, false},
		{"second reached", 5, []int{10}, 5, true},
		{"missed first is not caught up", 4, nil, 5, true},
		{"last", 2, []int{10, 5}, 2, true},
		{"the drive's day is still the last checkpoint's", 0, []int{10, 5}, 2, true},
		{"all ran", 1, []int{10, 5, 2}, 0, false},
		{"past", -1, nil, 0, false},
	} {
		got, ok := DueCheckpoint(cps, tc.daysUntil, tc.done)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: DueCheckpoint(%v, %d, %v) = %d, %v; want %d, %v", tc.name, cps, tc.daysUntil, tc.done, got, ok, tc.want, tc.ok)
		}
	}
}

func TestValidCheckpoints(t *testing.T) {
	for _, tc := range []struct {
		cps  []int
		want bool
	}{
		{[]int{10, 5, 2}, true},
		{[]int{0}, true},
		{[]int{60, 30, 14, 7, 1}, true},
		{nil, false},
		{[]int{5, 5}, false},
		{[]int{-1}, false},
		{[]int{61}, false},
		{[]int{1, 2, 3, 4, 5, 6}, false},
	} {
		if got := ValidCheckpoints(tc.cps); got != tc.want {
			t.Errorf("ValidCheckpoints(%v) = %v, want %v", tc.cps, got, tc.want)
		}
	}
}

// The rule (waves.go): rate = (donated + 0.10 × 100) ÷ (invited + 100).
func TestResponseRate(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Response
		want float64
	}{
		{"no history is the default", Response{}, 0.10},
		{"100 invited, 30 donated: 40 ÷ 200", Response{Invited: 100, Donated: 30}, 0.2},
		{"nobody donated: 10 ÷ 1100", Response{Invited: 1000}, 10.0 / 1100},
		{"more donated than invited counts as all", Response{Invited: 10, Donated: 50}, 20.0 / 110},
		{"negative counts are nothing", Response{Invited: -4, Donated: -1}, 0.10},
	} {
		if got := tc.r.Rate(); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: Rate(%+v) = %v, want %v", tc.name, tc.r, got, tc.want)
		}
	}
	if got := Expected(312, 0.13); got != 41 {
		t.Errorf("Expected(312, 0.13) = %d, want 41", got)
	}
}

// The rule (waves.go): a drive's own invitees count as invited, and its
// registered among them as donating at the show rate, rounded.
func TestResponseWithDrive(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		r                    Response
		invited, registered  int
		show                 float64
		wantInvited, wantDon int
	}{
		{"a first wave's answers: 2000 invited, 118 registered at 0.78 → 92", Response{}, 2000, 118, 0.78, 2000, 92},
		{"added to the unit's history", Response{Invited: 500, Donated: 40}, 100, 10, 0.9, 600, 49},
		{"more registered than invited counts as all", Response{}, 10, 50, 1, 10, 10},
		{"negative counts are nothing", Response{Invited: 5}, -3, -1, 0.8, 5, 0},
		{"a show rate over 1 counts as 1", Response{}, 10, 4, 1.5, 10, 4},
	} {
		got := tc.r.WithDrive(tc.invited, tc.registered, tc.show)
		if got.Invited != tc.wantInvited || got.Donated != tc.wantDon {
			t.Errorf("%s: %+v.WithDrive(%d, %d, %v) = %+v, want {%d %d}", tc.name, tc.r, tc.invited, tc.registered,
				tc.show, got, tc.wantInvited, tc.wantDon)
		}
	}
	// 2000 invited, 92 donating: (92 + 10) ÷ 2100 ≈ 4.9%, near the drive's own 4.6%, not the default 10%.
	if got := (Response{}).WithDrive(2000, 118, 0.78).Rate(); got < 0.048 || got > 0.05 {
		t.Errorf("rate after a first wave's answers = %v, want about 0.049", got)
	}
}
