package mobilize

// blendedRate is hits ÷ trials blended toward prior as if prior had been
// seen over weight trials before: (hits + prior × weight) ÷ (trials +
// weight). Few trials stay near the prior, many follow the data. Negative
// counts are nothing, and hits never exceed trials (a donation recorded
// twice must not lift a rate above 1). The result is in [0, 1].
func blendedRate(hits, trials int, prior float64, weight int) float64 {
	trials = max(trials, 0)
	hits = min(max(hits, 0), trials)
	rate := (float64(hits) + prior*float64(weight)) / float64(trials+weight)
	return min(max(rate, 0), 1)
}
