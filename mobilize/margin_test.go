package mobilize

import "testing"

// The rule (margin.go): margin = ceil(1.2816 × sqrt(target × (1 − rate))),
// the binomial standard deviation of the donations that target ÷ rate
// registrations give, times the normal's 90th percentile.
func TestMargin(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target int
		rate   float64
		want   int
	}{
		{"125 at 0.78: 1.2816 × sqrt(27.5) = 6.72", 125, 0.78, 7},
		{"100 at the default 0.95: 1.2816 × sqrt(5) = 2.87", 100, 0.95, 3},
		{"40 at 0.5: 1.2816 × sqrt(20) = 5.73", 40, 0.5, 6},
		{"every registration donates: no chance left", 100, 1, 0},
		{"a rate over 1 counts as 1", 100, 1.3, 0},
		{"a negative rate counts as 0: 1.2816 × 10", 100, -0.5, 13},
		{"no target", 0, 0.8, 0},
		{"a negative target", -5, 0.8, 0},
	} {
		if got := Margin(tc.target, tc.rate); got != tc.want {
			t.Errorf("%s: Margin(%d, %v) = %d, want %d", tc.name, tc.target, tc.rate, got, tc.want)
		}
	}
}

func TestWaveGap(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Forecast
		want int
	}{
		{"short: gap 20 + margin 3", Forecast{Target: 100, Rate: 0.95, Expected: 80}, 23},
		{"just meeting the target still aims for the margin", Forecast{Target: 100, Rate: 0.95, Expected: 100}, 3},
		{"beyond target and margin", Forecast{Target: 100, Rate: 0.95, Expected: 110}, 0},
		{"no target", Forecast{Rate: 0.9, Expected: 3}, 0},
	} {
		if got := tc.f.WaveGap(); got != tc.want {
			t.Errorf("%s: %+v.WaveGap() = %d, want %d", tc.name, tc.f, got, tc.want)
		}
	}
}
