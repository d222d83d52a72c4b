package main

import (
	"context"
	"testing"
)

// BenchmarkCampaign5k runs the five-wave campaign on 5,000 donors with
// both strategies: the time of a run, and each strategy's % of plan (also
// capped per drive) and mobilizing messages per unit collected. Figures:
// BENCHMARKS.md.
func BenchmarkCampaign5k(b *testing.B) {
	o := testOptions(b, 5_000, strategyBoth)
	var res []figures
	for b.Loop() {
		var err error
		if res, err = simulate(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
	for _, f := range res {
		b.ReportMetric(percent(f.Donated, f.Target), f.Strategy+"_%_of_plan")
		b.ReportMetric(percent(f.Reached, f.Target), f.Strategy+"_%_of_plan_reached")
		b.ReportMetric(perUnit(f.Mobilizing(), f.Donated), f.Strategy+"_msgs/unit")
		b.ReportMetric(float64(f.SkippedTotal()), f.Strategy+"_skipped_at_cap")
	}
}
