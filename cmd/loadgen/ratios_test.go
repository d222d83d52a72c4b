package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRatiosOfTwoReports: `make load` ends with donorbot's figures over the
// peer's, read back from the reports the two runs printed.
func TestRatiosOfTwoReports(t *testing.T) {
	dir := t.TempDir()
	write := func(name, report string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ours := write("donorbot.txt", `target=donorbot c=16 donors=2000 workers=64 window=20.0s machine=vm/2-cpu go1.26.8 load="3.1 3.0 2.9 4/300 1"
updates=11000 updates/s=550 timeouts=0
latency p50=14.8ms p95=49.6ms p99=63.6ms max=120ms
`)
	peer := write("grammy.txt", `target=grammy c=16 donors=2000 workers=64 window=20.0s machine=vm/2-cpu go1.26.8 load="3.1 3.0 2.9 4/300 1"
updates=11000 updates/s=500 timeouts=0
latency p50=1.1ms p95=5.23ms p99=25.44ms max=37.3ms
`)
	var out bytes.Buffer
	if err := printRatios(&out, ours, peer); err != nil {
		t.Fatal(err)
	}
	want := "donorbot c=16 / grammy c=16: throughput 1.10x (550 / 500 updates/s), p99 2.50x (63.6ms / 25.44ms)\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
	if err := printRatios(&out, ours, write("empty.txt", "loadgen: setup failed\n")); err == nil || !strings.Contains(err.Error(), "not a loadgen report") {
		t.Errorf("a file without a report: err = %v", err)
	}
}
