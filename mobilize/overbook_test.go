package mobilize_test

import (
	"slices"
	"testing"

	"donorbot/mobilize"
)

// TestNoShowRate: the learned no-show rate is no_show ÷ registered blended
// toward DefaultNoShowRate (0.10) by PriorNoShows (30):
// (noShow + 0.10 × 30) ÷ (registered + 30).
func TestNoShowRate(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    mobilize.Attendance
		want float64
	}{
		{"no history: the default", mobilize.Attendance{}, 0.10},
		{"18 of 120 never came: (18 + 3) ÷ 150", mobilize.Attendance{Registered: 120, NoShow: 18}, 0.14},
		{"everyone came: 3 ÷ 40", mobilize.Attendance{Registered: 10}, 0.075},
		{"no-shows counted twice cannot pass the registered", mobilize.Attendance{Registered: 10, NoShow: 50}, 13.0 / 40},
		{"negative counts are none", mobilize.Attendance{Registered: -4, NoShow: -1}, 0.10},
	} {
		if got := tc.a.NoShowRate(); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("%s: rate %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestOverbookSeats: the seats to add are booked × rate, rounded to the
// nearest; nothing without bookings or with a rate out of (0, 1).
func TestOverbookSeats(t *testing.T) {
	for _, tc := range []struct {
		booked int
		rate   float64
		want   int
	}{
		{100, 0.18, 18}, {6, 0.14, 1}, {3, 0.14, 0}, {4, 0.14, 1}, {0, 0.5, 0}, {10, 0, 0}, {10, 1, 0}, {10, -0.1, 0},
	} {
		if got := mobilize.OverbookSeats(tc.booked, tc.rate); got != tc.want {
			t.Errorf("OverbookSeats(%d, %v) = %d, want %d", tc.booked, tc.rate, got, tc.want)
		}
	}
}

// TestSpreadSeats: new seats go where donors wait, the longest waitlist
// first, then evenly, earlier slots first.
func TestSpreadSeats(t *testing.T) {
	for _, tc := range []struct {
		n       int
		waiting []int
		want    []int
	}{
		{2, []int{0, 2, 1}, []int{0, 2, 0}},
		{3, []int{0, 2, 1}, []int{0, 2, 1}},
		{5, []int{0, 2, 1}, []int{1, 2, 2}},
		{4, []int{0, 0}, []int{2, 2}},
		{1, []int{1, 1}, []int{1, 0}},
		{0, []int{3}, []int{0}},
		{3, nil, []int{}},
	} {
		if got := mobilize.SpreadSeats(tc.n, tc.waiting); !slices.Equal(got, tc.want) {
			t.Errorf("SpreadSeats(%d, %v) = %v, want %v", tc.n, tc.waiting, got, tc.want)
		}
	}
}
