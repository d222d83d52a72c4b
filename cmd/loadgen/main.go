// Command loadgen measures donorbot under load: it runs the real bot (or, for
// the ceiling, a bare go-telegram/bot echo bot) as a child process in
// webhook mode against the in-repo fake Bot API server, pushes a realistic
// mix of donor traffic as webhook POSTs from C concurrent simulated donors,
// and reports updates/s, the latency from POST until the bot's first reply
// reaches the fake server (p50/p95/p99 and a histogram), the child's CPU
// (user+sys over wall time) and its idle and peak memory.
//
//	go run ./cmd/loadgen -target donorbot -c 64 -d 20s
//	go run ./cmd/loadgen -target echo -c 64 -d 20s
//	go run ./cmd/loadgen -target grammy -c 64 -d 20s   # the grammY peer, bench/peer-grammy
//	go run ./cmd/loadgen ratios donorbot.txt grammy.txt # two saved reports: donorbot/peer
//
// PostgreSQL and Redis come from DONORBOT_TEST_DATABASE_URL and
// DONORBOT_TEST_REDIS_URL (`eval "$(scripts/services.sh --fast start .dev/test)"`);
// the run gets a database and a Redis key prefix of its own and removes
// them at the end. `make load` does all of it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "echo-serve" || os.Args[1] == "floor-serve") {
		serve := serveEcho
		if os.Args[1] == "floor-serve" {
			serve = serveFloor
		}
		if err := serve(os.Getenv); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen", os.Args[1]+":", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) == 4 && os.Args[1] == "ratios" {
		if err := printRatios(os.Stdout, os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen ratios:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// options are the command-line settings of one run.
type options struct {
	target      string
	concurrency int
	donors      int
	duration    time.Duration
	warmup      time.Duration
	workers     int
	bin         string
	pprofDir    string
	dbURL       string
	redisURL    string
}

// journeys: the target answers the donors' journeys (donors, a drive, the
// real screens); the others answer the same updates with synthetic ids.
func (o options) journeys() bool { return o.target == "donorbot" || o.target == "grammy" }

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", "donorbot", "donorbot; grammy for the peer bot of bench/peer-grammy; echo for the ceiling; floor for the work any donorbot update costs, calls for its Bot API calls alone (see floor.go)")
	fs.IntVar(&o.concurrency, "c", 64, "concurrent simulated donors (each waits for the bot before its next action)")
	fs.IntVar(&o.donors, "donors", 2000, "onboarded donors in the fixture; each simulated donor cycles through its share")
	fs.DurationVar(&o.duration, "d", 20*time.Second, "measured duration")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured traffic before")
	fs.IntVar(&o.workers, "workers", 64, "donorbot WORKERS (the default)")
	fs.StringVar(&o.bin, "bin", "", "donorbot binary (default: go build ./cmd/donorbot)")
	fs.StringVar(&o.pprofDir, "pprof", "", "write donorbot CPU and alloc profiles of the measured window here")
	fs.StringVar(&o.dbURL, "db", os.Getenv("DONORBOT_TEST_DATABASE_URL"), "PostgreSQL admin URL (a database is created per run)")
	fs.StringVar(&o.redisURL, "redis", os.Getenv("DONORBOT_TEST_REDIS_URL"), "Redis URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !slices.Contains([]string{"donorbot", "grammy", "echo", "floor", "calls"}, o.target) {
		return fmt.Errorf("-target %q: want donorbot, grammy, echo, floor or calls", o.target)
	}
	if (o.journeys() || o.target == "floor") && (o.dbURL == "" || o.redisURL == "") {
		return errors.New("set DONORBOT_TEST_DATABASE_URL and DONORBOT_TEST_REDIS_URL (or -db and -redis)")
	}
	if o.concurrency < 1 || o.donors < o.concurrency {
		return fmt.Errorf("-c %d, -donors %d: want 1 <= c <= donors", o.concurrency, o.donors)
	}
	r, err := newRun(ctx, o)
	if err != nil {
		return err
	}
	defer r.close()
	res, err := r.measure(ctx)
	if err != nil {
		return err
	}
	res.print(out, o)
	return nil
}
