// Command donorbot runs the donorbot Telegram bot.
//
//	donorbot serve                 apply pending migrations, then serve
//	donorbot playground            serve a chat page against a built-in Bot API emulator
//	donorbot start                 serve with TELEGRAM_BOT_TOKEN, the playground without
//	donorbot seed                  load demo data (idempotent)
//	donorbot migrate up|down|status
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq"

	"donorbot/bot"
	"donorbot/demo"
	"donorbot/migrations"
	"donorbot/playground"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Environ(), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "donorbot:", err)
		os.Exit(1)
	}
}

const usage = "usage: donorbot serve | donorbot start | donorbot health | donorbot playground | donorbot seed | donorbot migrate up|down|status"

// noToken is what `start` says when it falls back to the playground.
const noToken = `TELEGRAM_BOT_TOKEN is not set: starting the offline playground (no Telegram needed).
To run a real bot, get a token from @BotFather (/newbot) and set TELEGRAM_BOT_TOKEN.
`

func run(ctx context.Context, args, environ []string, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cfg, err := bot.LoadConfig(environ)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: logLevel(cfg.LogLevel)}))
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, environ, log)
	case "start":
		// What `make run` and `docker compose up` do: a newcomer without a
		// token still gets a bot to talk to.
		if cfg.Token != "" {
			return serve(ctx, cfg, environ, log)
		}
		fmt.Fprint(stderr, noToken)
		return runPlayground(ctx, cfg, log, stderr)
	case "health":
		return health(ctx, cfg.ListenAddr)
	case "playground":
		return runPlayground(ctx, cfg, log, stderr)
	case "seed":
		return seed(ctx, cfg, stderr)
	case "migrate":
		if len(args) != 2 {
			return errors.New(usage)
		}
		return migrate(ctx, cfg.DatabaseURL, args[1], stderr)
	default:
		return fmt.Errorf("unknown command %q; %s", args[0], usage)
	}
}

func serve(ctx context.Context, cfg bot.Config, environ []string, log *slog.Logger) error {
	if err := servePprof(ctx, environ, log); err != nil {
		return err
	}
	app, err := bot.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	releaseStartupMemory()
	return app.Run(ctx)
}

// runPlayground runs the playground, which brings its own token: a real one
// is ignored.
func runPlayground(ctx context.Context, cfg bot.Config, log *slog.Logger, stderr io.Writer) error {
	pg, err := playground.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "donorbot playground: open %s in a browser (Ctrl-C stops)\n", pg.URL)
	return pg.Run(ctx)
}

func migrate(ctx context.Context, url, direction string, out io.Writer) error {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return fmt.Errorf("open DATABASE_URL: %w", err)
	}
	defer db.Close()
	p, err := migrations.Provider(db)
	if err != nil {
		return err
	}
	switch direction {
	case "up":
		results, err := p.Up(ctx)
		for _, r := range results {
			fmt.Fprintln(out, "applied", r.Source.Path)
		}
		return err
	case "down":
		r, err := p.Down(ctx)
		if r != nil {
			fmt.Fprintln(out, "rolled back", r.Source.Path)
		}
		return err
	case "status":
		statuses, err := p.Status(ctx)
		if err != nil {
			return err
		}
		for _, s := range statuses {
			fmt.Fprintf(out, "%-30s %s\n", s.Source.Path, s.State)
		}
		return nil
	}
	return errors.New(usage)
}

func seed(ctx context.Context, cfg bot.Config, out io.Writer) error {
	sum, err := demo.SeedDatabase(ctx, cfg.DatabaseURL, time.Now().In(cfg.Location), nil)
	if err != nil {
		return err
	}
	verb := "loaded"
	if !sum.Created {
		verb = "already present"
	}
	fmt.Fprintf(out, "demo data %s: %d clubs, 1 unit, %d donors, campaign %q with %d drives\n",
		verb, len(sum.Clubs), demo.Donors, sum.Campaign.Name, len(sum.Drives))
	return nil
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// servePprof serves net/http/pprof on PPROF_ADDR when it is set (a loopback
// address: profiles expose internals), for profiling under load. It is not
// part of Config because it is a debugging aid, off by default.
func servePprof(ctx context.Context, environ []string, log *slog.Logger) error {
	var addr string
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "PPROF_ADDR="); ok {
			addr = v
		}
	}
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("PPROF_ADDR %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof server", "err", err)
		}
	}()
	log.Info("pprof serving", "addr", ln.Addr().String())
	return nil
}

// health asks a running donorbot's /healthz (PostgreSQL and Redis reachable)
// on LISTEN_ADDR, for container health checks in images without curl.
func health(ctx context.Context, listenAddr string) error {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %q: %w", listenAddr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: HTTP %d %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}
