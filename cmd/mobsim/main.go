// Command mobsim is the proof by simulation of issue 21: it runs a
// campaign of five waves on a synthetic population (package mobsim)
// through the real bot, once announcing every drive to all its audience
// and once with auto-fill, and prints the figures side by side.
//
//	mobsim [-seed 1] [-donors 50000] [-strategy both] [-history=true] [-target-share 0.025] [-db URL] [-redis URL]
//
// Each strategy gets a fresh database on the -db server (created, migrated,
// loaded with COPY, dropped at the end) and a fresh Redis namespace. See
// BENCHMARKS.md for a run and what it means.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"donorbot/mobsim"
	"donorbot/storage"
)

// Strategies.
const (
	strategyAll      = "all"
	strategyAutofill = "autofill"
	strategyBoth     = "both"
)

type options struct {
	seed     uint64
	donors   int
	strategy string
	dbURL    string
	redisURL string
	// history: the units have a previous campaign's drives on record;
	// without, the bot starts cold, as with a unit new to donorbot.
	history bool
	// params are the population's, Donors set from donors.
	params mobsim.Params
}

func main() {
	o := options{params: mobsim.DefaultParams()}
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the population and of the donors' answers")
	flag.IntVar(&o.donors, "donors", o.params.Donors, "donors in the population")
	flag.StringVar(&o.strategy, "strategy", strategyBoth, "all, autofill or both")
	flag.BoolVar(&o.history, "history", true, "store the previous campaign's drives (false: a cold start, no past drive)")
	flag.Float64Var(&o.params.TargetShare, "target-share", o.params.TargetShare, "each drive's target as a share of its unit's members")
	flag.StringVar(&o.dbURL, "db", firstEnv("DONORBOT_TEST_DATABASE_URL", "DATABASE_URL"),
		"PostgreSQL server URL (a database that exists, e.g. postgres); each run creates and drops its own")
	flag.StringVar(&o.redisURL, "redis", firstEnv("DONORBOT_TEST_REDIS_URL", "REDIS_URL"), "Redis URL")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mobsim:", err)
		os.Exit(1)
	}
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// run runs the strategies o asks for and prints their table to out.
func run(ctx context.Context, o options, out io.Writer) error {
	o.params.Donors = o.donors
	res, err := simulate(ctx, o)
	if err != nil {
		return err
	}
	printTable(out, o, res)
	return nil
}

// simulate runs the strategies o asks for (o.params.Donors donors) and
// returns their figures.
func simulate(ctx context.Context, o options) ([]figures, error) {
	if o.dbURL == "" || o.redisURL == "" {
		return nil, fmt.Errorf("-db and -redis are required (or DONORBOT_TEST_DATABASE_URL and DONORBOT_TEST_REDIS_URL)")
	}
	if p := o.params.TargetShare; !(p > 0 && p <= 1) {
		return nil, fmt.Errorf("-target-share %v: want a share in (0, 1]", p)
	}
	strategies := []string{strategyAll, strategyAutofill}
	switch o.strategy {
	case strategyBoth:
	case strategyAll, strategyAutofill:
		strategies = []string{o.strategy}
	default:
		return nil, fmt.Errorf("-strategy %q: want all, autofill or both", o.strategy)
	}
	var res []figures
	for _, s := range strategies {
		f, err := runStrategy(ctx, o, s)
		if err != nil {
			return nil, fmt.Errorf("strategy %s: %w", s, err)
		}
		res = append(res, f)
	}
	return res, nil
}

// firstDay is the simulation's first day, a Monday, at midnight in the
// bot's zone: far from Tết and from any date the bot treats specially.
var firstDay = time.Date(2031, time.March, 3, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// runStrategy runs one strategy on a fresh database and returns its figures.
func runStrategy(ctx context.Context, o options, strategy string) (_ figures, err error) {
	started := time.Now()
	db, err := createDatabase(ctx, o.dbURL)
	if err != nil {
		return figures{}, err
	}
	defer func() {
		if derr := db.drop(); err == nil {
			err = derr
		}
	}()
	store, err := storage.Open(ctx, db.url)
	if err != nil {
		return figures{}, err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return figures{}, err
	}
	pop := mobsim.New(o.params, o.seed, firstDay)
	units, err := loadPopulation(ctx, store, pop, firstDay, o.history)
	if err != nil {
		return figures{}, err
	}
	drives, err := createCampaign(ctx, store, pop, units, strategy, firstDay)
	if err != nil {
		return figures{}, err
	}
	clk := &clock{at: firstDay}
	b, err := startBot(ctx, db.url, o.redisURL, clk)
	if err != nil {
		return figures{}, err
	}
	defer func() {
		if serr := b.stop(); err == nil && serr != nil && ctx.Err() == nil {
			err = serr
		}
	}()
	c := &campaign{pop: pop, store: store, bot: b, clock: clk, first: firstDay, drives: drives,
		byID: map[int64]campaignDrive{}, registered: map[int64]map[int]bool{},
		answers: answerCounts{Offers: map[string]int{}, Answered: map[string]int{}}}
	for _, d := range drives {
		c.byID[d.ID] = d
		c.registered[d.ID] = map[int]bool{}
	}
	if err := c.simulate(ctx); err != nil {
		return figures{}, err
	}
	f, err := c.collect(ctx, strategy, pop.Members(), 4)
	f.Elapsed = time.Since(started)
	return f, err
}
