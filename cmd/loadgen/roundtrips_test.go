package main

import (
	"strings"
	"testing"

	"donorbot/internal/testenv"
)

func TestParseCommandStats(t *testing.T) {
	info := "# Commandstats\r\ncmdstat_get:calls=12,usec=30,usec_per_call=2.50,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_evalsha:calls=3,usec=9,usec_per_call=3.00\r\nnot_a_stat:calls=9\r\n"
	got := testenv.ParseCommandStats(info)
	if len(got) != 2 || got["get"] != 12 || got["evalsha"] != 3 {
		t.Fatalf("got %v", got)
	}
}

func TestRoundTripsPerUpdate(t *testing.T) {
	before := roundTrips{statements: map[string]int64{"SELECT 1": 10}, commands: map[string]int64{"get": 5}}
	after := roundTrips{statements: map[string]int64{"SELECT 1": 30, "INSERT x": 10}, commands: map[string]int64{"get": 25, "set": 10}}
	var out strings.Builder
	after.since(before).print(&out, 10)
	for _, want := range []string{"sql statements per update=3.00", "2.00  SELECT 1", "1.00  INSERT x",
		"redis commands per update=3.00", "2.00  get", "1.00  set"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in:\n%s", want, out.String())
		}
	}
}
