package mobilize

import "math"

// reachZ is the standard normal's 90th percentile: the waves aim for a
// total that the drive's donations reach nine times in ten.
const reachZ = 1.2816

// Margin is how many donations above its target a drive's waves aim for.
// A forecast is an expectation: the target registrations × rate meet
// half the time, since whether each registered donor comes and may
// donate is a draw with chance rate. Donations from the n ≈ target ÷
// rate registrations the target needs vary by sqrt(n × rate × (1 −
// rate)) = sqrt(target × (1 − rate)) (the binomial's standard
// deviation), so aiming reachZ of them above the target reaches it with
// about 90% chance. The responses to invitations vary too, but each
// later checkpoint sees the registrations they brought and corrects for
// them; after the last one, only whether people come is left to chance.
func Margin(target int, rate float64) int {
	if target <= 0 {
		return 0
	}
	r := min(max(rate, 0), 1)
	return int(math.Ceil(reachZ*math.Sqrt(float64(target)*(1-r)) - 1e-9))
}

// WaveGap is the donations a wave tries to add: target + Margin −
// Expected, never below 0. It is the forecast's Gap plus the margin, and
// is not 0 while the expected donations only just meet the target.
func (f Forecast) WaveGap() int {
	return max(f.Target+Margin(f.Target, f.Rate)-f.Expected, 0)
}
