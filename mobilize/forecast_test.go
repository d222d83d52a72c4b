package mobilize

import (
	"math"
	"testing"
)

// The rule (forecast.go): rate = (donated + 0.95 × 30) ÷ (registered + 30),
// bounded to [0, 1]; expected = round(registered × rate); gap = max(target −
// expected, 0).
func TestRate(t *testing.T) {
	cases := []struct {
		name string
		h    History
		want float64
	}{
		{"no history is the default", History{}, 0.95},
		{"30 registrations weigh as the default: (15 + 28.5) ÷ 60", History{Drives: 1, Registered: 30, Donated: 15}, 0.725},
		{"long history dominates: (2160 + 28.5) ÷ 3030", History{Drives: 6, Registered: 3000, Donated: 2160}, 2188.5 / 3030},
		{"nobody donated: 28.5 ÷ 130", History{Drives: 2, Registered: 100, Donated: 0}, 28.5 / 130},
		{"more donations than registrations count as all donated: 38.5 ÷ 40", History{Drives: 1, Registered: 10, Donated: 50}, 0.9625},
		{"negative counts are nothing", History{Registered: -5, Donated: -3}, 0.95},
	}
	for _, c := range cases {
		if got := c.h.Rate(); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: Rate(%+v) = %v, want %v", c.name, c.h, got, c.want)
		}
	}
}

func TestNewForecast(t *testing.T) {
	// 6 past drives, 3000 registered, 2160 donated: rate 2188.5 ÷ 3030 ≈ 0.7223.
	sixDrives := History{Drives: 6, Registered: 3000, Donated: 2160}
	cases := []struct {
		name               string
		target, registered int
		h                  History
		want               Forecast
	}{
		{"47 × 0.7223 = 33.9 → 34, gap 40 − 34", 40, 47, sixDrives,
			Forecast{Target: 40, Registered: 47, Expected: 34, Gap: 6, BasedOnDrives: 6}},
		{"beyond the target there is no gap: 100 × 0.7223 = 72", 40, 100, sixDrives,
			Forecast{Target: 40, Registered: 100, Expected: 72, Gap: 0, BasedOnDrives: 6}},
		{"no registrations expect nothing", 50, 0, History{},
			Forecast{Target: 50, Expected: 0, Gap: 50}},
		{"default: 10 × 0.95 = 9.5 → 10", 20, 10, History{},
			Forecast{Target: 20, Registered: 10, Expected: 10, Gap: 10}},
	}
	for _, c := range cases {
		got := NewForecast(c.target, c.registered, c.h)
		c.want.Rate = c.h.Rate()
		if got != c.want {
			t.Errorf("%s: NewForecast(%d, %d, %+v) = %+v, want %+v", c.name, c.target, c.registered, c.h, got, c.want)
		}
	}
}

func TestRatePercent(t *testing.T) {
	for rate, want := range map[float64]int{0.7223: 72, 0.95: 95, 0: 0, 1: 100} {
		if got := (Forecast{Rate: rate}).RatePercent(); got != want {
			t.Errorf("RatePercent(%v) = %d, want %d", rate, got, want)
		}
	}
}
