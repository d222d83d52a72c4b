package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"donorbot/internal/testenv"
)

// roundTrips are the statements PostgreSQL ran in the run's database and
// the commands Redis ran, by text and by name: what issue 22 counts per
// update, since the cost of donorbot's guarantees is in round trips.
type roundTrips struct {
	statements map[string]int64 // normalized query -> calls; nil without pg_stat_statements
	commands   map[string]int64 // Redis command -> calls
}

// countRoundTrips snapshots both counters. Statements are counted only
// when the server preloads pg_stat_statements (scripts/services.sh does
// when PostgreSQL ships it); Redis counts every client's commands, so the
// run's Redis must serve nothing else.
func (r *loadRun) countRoundTrips(ctx context.Context) (roundTrips, error) {
	var rt roundTrips
	if r.admin != nil && r.dbName != "" {
		rows, err := r.admin.QueryContext(ctx, `SELECT s.query, s.calls FROM pg_stat_statements s
			JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1`, r.dbName)
		if err == nil {
			rt.statements = map[string]int64{}
			for rows.Next() {
				var q string
				var n int64
				if err := rows.Scan(&q, &n); err != nil {
					rows.Close()
					return rt, fmt.Errorf("pg_stat_statements: %w", err)
				}
				rt.statements[strings.Join(strings.Fields(q), " ")] += n
			}
			if err := rows.Close(); err != nil {
				return rt, fmt.Errorf("pg_stat_statements: %w", err)
			}
		}
	}
	if r.rdb != nil {
		info, err := r.rdb.Info(ctx, "commandstats").Result()
		if err != nil {
			return rt, fmt.Errorf("redis INFO commandstats: %w", err)
		}
		rt.commands = testenv.ParseCommandStats(info)
	}
	return rt, nil
}

// since is what ran between an earlier snapshot and this one.
func (rt roundTrips) since(before roundTrips) roundTrips {
	diff := func(now, then map[string]int64) map[string]int64 {
		if now == nil {
			return nil
		}
		d := map[string]int64{}
		for k, n := range now {
			if n -= then[k]; n > 0 {
				d[k] = n
			}
		}
		return d
	}
	return roundTrips{statements: diff(rt.statements, before.statements), commands: diff(rt.commands, before.commands)}
}

// print writes the totals per update and the busiest statements and commands.
func (rt roundTrips) print(out io.Writer, updates int) {
	if updates == 0 {
		return
	}
	per := func(n int64) float64 { return float64(n) / float64(updates) }
	line := func(what string, m map[string]int64, top int, width int) {
		var total int64
		for _, n := range m {
			total += n
		}
		fmt.Fprintf(out, "%s per update=%.2f\n", what, per(total))
		keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int { return int(m[b] - m[a]) })
		for _, k := range keys[:min(top, len(keys))] {
			if per(m[k]) < 0.01 {
				break
			}
			label := k
			if len(label) > width {
				label = label[:width] + "…"
			}
			fmt.Fprintf(out, "  %6.2f  %s\n", per(m[k]), label)
		}
	}
	if rt.statements == nil {
		fmt.Fprintln(out, "sql statements per update: not counted (PostgreSQL without pg_stat_statements preloaded)")
	} else {
		line("sql statements", rt.statements, 30, 110)
	}
	if rt.commands != nil {
		line("redis commands", rt.commands, 12, 40)
	}
}
