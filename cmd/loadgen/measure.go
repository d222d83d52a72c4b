package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// recorder keeps the latencies of updates posted inside the window.
type recorder struct {
	mu        sync.Mutex
	from, to  time.Time
	latencies []time.Duration
	bySteps   map[string][]time.Duration
	failures  int
}

func (r *recorder) add(start time.Time, d time.Duration, step string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.from.IsZero() && !start.Before(r.from) && (r.to.IsZero() || start.Before(r.to)) {
		r.latencies = append(r.latencies, d)
		if r.bySteps == nil {
			r.bySteps = map[string][]time.Duration{}
		}
		r.bySteps[step] = append(r.bySteps[step], d)
	}
}

func (r *recorder) fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures++
}

func (r *recorder) open(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.from = at
}

func (r *recorder) shut(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.to = at
}

// result is what one run measured.
type result struct {
	window    time.Duration
	latencies []time.Duration
	bySteps   map[string][]time.Duration // the same, by step of the journey
	failures  int
	errors    []string
	cpu       time.Duration  // child user+sys in the window
	split     cpuSplit       // every process's, in the window
	calls     map[string]int // Bot API calls by method, in the window
	trips     roundTrips     // statements and Redis commands, in the window
	idleRSS   int64          // KiB
	peakRSS   int64          // KiB
	load      string
}

func (r *loadRun) measure(ctx context.Context) (*result, error) {
	rec := &recorder{}
	var nextUpd atomic.Int64
	nextUpd.Store(1_000_000)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = r.o.concurrency
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var errs []string
	for i := range r.o.concurrency {
		d := &donor{r: r, client: client, events: map[int64]chan event{}, nextUpd: &nextUpd, rec: rec}
		for c := firstDonorID + i; c < firstDonorID+r.o.donors; c += r.o.concurrency {
			d.chats = append(d.chats, int64(c))
			d.events[int64(c)] = r.router.subscribe(int64(c))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; runCtx.Err() == nil; n++ {
				err := d.journey(runCtx, d.chats[n%len(d.chats)])
				if err != nil && runCtx.Err() == nil {
					errMu.Lock()
					if len(errs) < 10 {
						errs = append(errs, err.Error())
					}
					errMu.Unlock()
				}
			}
		}()
	}
	pid := r.child.Process.Pid
	select {
	case <-time.After(r.o.warmup):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	cpu0, err := procCPU(pid)
	if err != nil {
		return nil, err
	}
	split0, err := readCPUSplit(pid)
	if err != nil {
		return nil, err
	}
	calls0 := r.router.callCounts()
	trips0, err := r.countRoundTrips(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rec.open(start)
	profiles := make(chan error, 1)
	go func() { profiles <- r.profile(ctx) }()
	select {
	case <-time.After(r.o.duration):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	end := time.Now()
	rec.shut(end)
	cpu1, err := procCPU(pid)
	if err != nil {
		return nil, err
	}
	split1, err := readCPUSplit(pid)
	if err != nil {
		return nil, err
	}
	trips1, err := r.countRoundTrips(ctx)
	if err != nil {
		return nil, err
	}
	calls := r.router.callCounts()
	for m, n := range calls0 {
		calls[m] -= n
	}
	peak, err := procStatusKiB(pid, "VmHWM")
	if err != nil {
		return nil, err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	stop()
	wg.Wait()
	if err := <-profiles; err != nil {
		return nil, err
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return &result{window: end.Sub(start), latencies: slices.Clone(rec.latencies), bySteps: maps.Clone(rec.bySteps), failures: rec.failures,
		errors: errs, cpu: cpu1 - cpu0, split: split1.since(split0), calls: calls, trips: trips1.since(trips0), idleRSS: r.idleRSS, peakRSS: peak, load: strings.TrimSpace(string(load))}, nil
}

// profile fetches the child's CPU profile over most of the window, then its
// allocation profile, when -pprof is set.
func (r *loadRun) profile(ctx context.Context) error {
	if r.pprof == "" {
		return nil
	}
	secs := max(1, int(r.o.duration.Seconds())-3)
	time.Sleep(time.Second)
	for _, p := range []struct{ name, path string }{
		{"goroutines.txt", "/debug/pprof/goroutine?debug=1"},
		{"cpu.pprof", fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs)},
		{"allocs.pprof", "/debug/pprof/allocs"},
	} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.pprof+p.path, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("pprof: %w", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return errors.Join(err, fmt.Errorf("pprof %s: HTTP %d", p.path, resp.StatusCode))
		}
		if err := os.MkdirAll(r.o.pprofDir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(r.o.pprofDir, p.name), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (res *result) print(out io.Writer, o options) {
	lat := res.latencies
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	secs := res.window.Seconds()
	host, _ := os.Hostname()
	fmt.Fprintf(out, "target=%s c=%d donors=%d workers=%d window=%.1fs machine=%s/%d-cpu %s load=%q\n",
		o.target, o.concurrency, o.donors, o.workers, secs, host, runtime.NumCPU(), runtime.Version(), res.load)
	fmt.Fprintf(out, "updates=%d updates/s=%.0f timeouts=%d\n", len(lat), float64(len(lat))/secs, res.failures)
	fmt.Fprintf(out, "latency p50=%s p95=%s p99=%s max=%s\n", round(pct(0.50)), round(pct(0.95)), round(pct(0.99)), round(pct(1)))
	fmt.Fprintf(out, "cpu=%.2f cores (user+sys %s over %.1fs) idle_rss=%.1fMiB peak_rss=%.1fMiB\n",
		res.cpu.Seconds()/secs, round(res.cpu), secs, float64(res.idleRSS)/1024, float64(res.peakRSS)/1024)
	if n := len(lat); n > 0 && res.split.total > 0 {
		// Per update, in the machine's cores: what each process spends on one.
		fmt.Fprintf(out, "machine busy=%.0f%% cpu per update:", 100*res.split.busy.Seconds()/res.split.total.Seconds())
		for _, g := range []string{"target", "postgres", "redis", "driver+fake", "other"} {
			fmt.Fprintf(out, " %s=%dµs", g, res.split.groups[g].Microseconds()/int64(n))
		}
		fmt.Fprintln(out)
		total := 0
		for _, c := range res.calls {
			total += c
		}
		fmt.Fprintf(out, "bot api calls per update=%.2f:", float64(total)/float64(n))
		for _, m := range slices.Sorted(maps.Keys(res.calls)) {
			fmt.Fprintf(out, " %s=%.2f", m, float64(res.calls[m])/float64(n))
		}
		fmt.Fprintln(out)
		res.trips.print(out, n)
	}
	res.printSteps(out)
	bounds := []time.Duration{time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
		20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond, time.Second}
	fmt.Fprintln(out, "histogram (first reply after POST):")
	prev := time.Duration(0)
	for _, b := range append(bounds, 1<<62) {
		n := 0
		for _, l := range lat {
			if l >= prev && l < b {
				n++
			}
		}
		label := "< " + b.String()
		if b == 1<<62 {
			label = ">= " + prev.String()
		}
		if len(lat) > 0 {
			fmt.Fprintf(out, "  %-9s %7d %5.1f%%\n", label, n, 100*float64(n)/float64(len(lat)))
		}
		prev = b
	}
	for _, e := range res.errors {
		fmt.Fprintln(out, "error:", e)
	}
}

func round(d time.Duration) time.Duration {
	if d > 10*time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(10 * time.Microsecond)
}

// printSteps shows which steps of the journey make the tail: the overall p99
// is set by the slowest kinds of update, not by an average one.
func (res *result) printSteps(out io.Writer) {
	if len(res.bySteps) == 0 {
		return
	}
	fmt.Fprintln(out, "latency by step (share of updates, p50, p99):")
	for _, step := range slices.Sorted(maps.Keys(res.bySteps)) {
		lat := slices.Sorted(slices.Values(res.bySteps[step]))
		pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
		fmt.Fprintf(out, "  %-22s %5.1f%% p50=%-8s p99=%s\n", step, 100*float64(len(lat))/float64(len(res.latencies)),
			round(pct(0.5)), round(pct(0.99)))
	}
}
