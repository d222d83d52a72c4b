package mobilize

import "math"

// DefaultRate is the show-and-donate rate assumed for a unit with no
// history. Source: the seeds of issue 21, where a province registering
// 8,000 donors collects 7,600 units, i.e. 7,600 ÷ 8,000 = 0.95.
const DefaultRate = 0.95

// PriorRegistrations is how many past registrations the default weighs as.
// A rate measured on fewer registrations is mostly noise (on 30 donors the
// binomial standard error of a rate near 0.8 is about 7 points, and one
// drive's rain can move it by 20), so history is blended toward the
// default: with 30 past registrations the two weigh the same, with 300 the
// history weighs ten times more.
const PriorRegistrations = 30

// History is what a unit's finished drives gave: Drives counts those with
// at least one registration, Registered their registrations holding a seat
// or past it, Donated the donations recorded for them.
type History struct {
	Drives     int
	Registered int
	Donated    int
}

// Rate is the show-and-donate rate learned from h: donated ÷ registered,
// blended toward DefaultRate by PriorRegistrations, bounded to [0, 1].
func (h History) Rate() float64 {
	return blendedRate(h.Donated, h.Registered, DefaultRate, PriorRegistrations)
}

// Forecast is what a drive can expect from its registrations.
//
//   - Expected: Registered × Rate, rounded to the nearest unit.
//   - Gap: Target − Expected, never below 0.
//   - BasedOnDrives: the finished drives the rate was learned from (0: the
//     default alone).
type Forecast struct {
	Target        int
	Registered    int
	Rate          float64
	Expected      int
	Gap           int
	BasedOnDrives int
}

// NewForecast forecasts a drive with the given target and registrations
// from its unit's history.
func NewForecast(target, registered int, h History) Forecast {
	registered = max(registered, 0)
	rate := h.Rate()
	expected := int(math.Round(float64(registered) * rate))
	return Forecast{Target: target, Registered: registered, Rate: rate, Expected: expected,
		Gap: max(target-expected, 0), BasedOnDrives: h.Drives}
}

// RatePercent is Rate as a whole percentage, rounded to the nearest.
func (f Forecast) RatePercent() int { return int(math.Round(f.Rate * 100)) }
