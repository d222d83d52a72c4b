package main

import (
	"fmt"
	"io"
	"strings"
)

// printTable prints the parameters and each strategy's figures as
// Markdown tables, for BENCHMARKS.md.
func printTable(out io.Writer, o options, res []figures) {
	p := o.params
	history := "a previous campaign on record (2 drives per unit)"
	if !o.history {
		history = "cold start (no past drive)"
	}
	fmt.Fprintf(out, "seed %d, %d donors, %d units, drives on days %v, target %.1f%% of a unit's members, %s, contact cap 4 per 30 days\n\n",
		o.seed, p.Donors, len(p.UnitShares), p.DriveDays, 100*p.TargetShare, history)
	fmt.Fprintln(out, "% of plan: donated ÷ target; % of plan reached: Σ min(donated, target) ÷ target, per drive.")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| strategy | target | registered | arrived | donated | % of plan | drives at target | % of plan reached | announcements | invitations | recalls | messages per unit | all messages | skipped at cap | donors at cap | run |")
	fmt.Fprintln(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, f := range res {
		fmt.Fprintf(out, "| %s | %d | %d | %d | %d | %.1f | %d/%d | %.1f | %d | %d | %d | %.1f | %d | %d | %d | %.0f s |\n",
			f.Strategy, f.Target, f.Registered, f.Arrived, f.Donated, percent(f.Donated, f.Target),
			f.AtTarget, f.Drives, percent(f.Reached, f.Target),
			f.Sent[kindAnnouncement], f.Sent[kindInvitation], f.Sent[kindRecall],
			perUnit(f.Mobilizing(), f.Donated), f.SentTotal(), f.SkippedTotal(), f.AtCap, f.Elapsed.Seconds())
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| strategy | wave | target | registered | arrived | donated | % of plan | drives at target | % of plan reached | announced | invited | skipped at cap | messages per unit |")
	fmt.Fprintln(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, f := range res {
		for _, w := range f.Waves {
			fmt.Fprintf(out, "| %s | %s | %d | %d | %d | %d | %.1f | %d/%d | %.1f | %d | %d | %d | %.1f |\n",
				f.Strategy, w.Name, w.Target, w.Registered, w.Arrived, w.Donated, percent(w.Donated, w.Target),
				w.AtTarget, w.Drives, percent(w.Reached, w.Target),
				w.Announced, w.Invited, w.SkippedCap, perUnit(w.Announced+w.Invited, w.Donated))
		}
	}
	fmt.Fprintln(out)
	for _, f := range res {
		var kinds []string
		for _, k := range f.sortedKinds() {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, f.Sent[k]))
		}
		a := f.Answers
		fmt.Fprintf(out, "%s: sent by kind: %s (fake server: %d sendMessage); invited at 10/5/2 days: %d/%d/%d; "+
			"skipped at cap by kind: %v; offers %v, taps %v, refused by screening %d, waitlisted %d\n",
			f.Strategy, strings.Join(kinds, ", "), f.FakeSent, f.Checkpoints[10], f.Checkpoints[5], f.Checkpoints[2],
			f.Skipped, a.Offers, a.Answered, a.Refused, a.Waitlisted)
	}
}
