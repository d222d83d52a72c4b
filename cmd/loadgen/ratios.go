package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"time"
)

// figures are the two numbers of a run's report the ratios compare.
type figures struct {
	target     string
	throughput float64 // updates/s
	p99        time.Duration
}

var (
	targetLine  = regexp.MustCompile(`(?m)^target=(\S+) c=(\d+) `)
	updatesLine = regexp.MustCompile(`(?m)^updates=\d+ updates/s=(\d+) `)
	latencyLine = regexp.MustCompile(`(?m)^latency p50=\S+ p95=\S+ p99=(\S+) `)
)

// parseReport reads the figures back from a report that result.print wrote.
func parseReport(report string) (figures, error) {
	t, u, l := targetLine.FindStringSubmatch(report), updatesLine.FindStringSubmatch(report), latencyLine.FindStringSubmatch(report)
	if t == nil || u == nil || l == nil {
		return figures{}, fmt.Errorf("not a loadgen report: %.80q", report)
	}
	f := figures{target: t[1] + " c=" + t[2]}
	var err error
	if f.throughput, err = strconv.ParseFloat(u[1], 64); err != nil {
		return figures{}, err
	}
	if f.p99, err = time.ParseDuration(l[1]); err != nil {
		return figures{}, err
	}
	return f, nil
}

// printRatios reads two saved reports (loadgen ratios ours.txt peer.txt) and
// prints ours/peer for throughput (higher is better) and p99 (lower is).
func printRatios(out io.Writer, oursFile, peerFile string) error {
	var fs [2]figures
	for i, name := range []string{oursFile, peerFile} {
		raw, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if fs[i], err = parseReport(string(raw)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	ours, peer := fs[0], fs[1]
	if peer.throughput == 0 || peer.p99 == 0 {
		return fmt.Errorf("%s: no updates measured", peerFile)
	}
	fmt.Fprintf(out, "%s / %s: throughput %.2fx (%.0f / %.0f updates/s), p99 %.2fx (%s / %s)\n",
		ours.target, peer.target, ours.throughput/peer.throughput, ours.throughput, peer.throughput,
		ours.p99.Seconds()/peer.p99.Seconds(), ours.p99, peer.p99)
	return nil
}
