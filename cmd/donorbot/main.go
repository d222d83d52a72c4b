// Command donorbot runs the donorbot Telegram bot.
//
//	donorbot serve                 apply pending migrations, then serve
//	donorbot migrate up|down|status
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/lib/pq"

	"donorbot/bot"
	"donorbot/migrations"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Environ(), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "donorbot:", err)
		os.Exit(1)
	}
}

const usage = "usage: donorbot serve | donorbot migrate up|down|status"

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
		app, err := bot.New(ctx, cfg, log)
		if err != nil {
			return err
		}
		return app.Run(ctx)
	case "migrate":
		if len(args) != 2 {
			return errors.New(usage)
		}
		return migrate(ctx, cfg.DatabaseURL, args[1], stderr)
	default:
		return fmt.Errorf("unknown command %q; %s", args[0], usage)
	}
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

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}
