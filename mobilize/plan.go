package mobilize

import "math"

// Plan returns the first of the ranked candidates that a wave invites to
// close a gap of gap donations when a share responseRate (0 < rate <= 1)
// of the invited is expected to donate: ceil(gap / responseRate). A wave
// never takes more than half of the candidates left (rounded up): the
// rest are kept for the drive's later checkpoints, when the forecast has
// learned from this wave's answers. No gap, or a rate out of range, plans
// no one.
func Plan(ranked []Candidate, gap int, responseRate float64) []Candidate {
	if gap <= 0 || !(responseRate > 0 && responseRate <= 1) || len(ranked) == 0 {
		return nil
	}
	// The small epsilon keeps 41 / 0.1 at 410, not 411 by rounding.
	n := (len(ranked) + 1) / 2
	if want := math.Ceil(float64(gap)/responseRate - 1e-9); want < float64(n) {
		n = int(want)
	}
	return ranked[:n]
}
