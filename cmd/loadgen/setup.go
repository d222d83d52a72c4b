package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/telegramtest"
)

const (
	webhookSecret = "load-secret"
	firstDonorID  = 1_000_001
)

// loadRun is one measured run: fake server, child process, fixtures.
type loadRun struct {
	o        options
	api      *telegramtest.Server
	router   *router
	child    *exec.Cmd
	childErr chan error
	webhook  string
	pprof    string // host:port of the child's pprof, if any
	idleRSS  int64  // KiB
	dbName   string
	admin    *sqlx.DB
	rdb      *redis.Client
	prefix   string
	tmp      string
	closing  sync.Once
}

func newRun(ctx context.Context, o options) (*loadRun, error) {
	r := &loadRun{o: o, router: newRouter(), childErr: make(chan error, 1)}
	if err := r.start(ctx); err != nil {
		r.close() // what start got to before it failed
		return nil, err
	}
	return r, nil
}

// start makes the run's temp dir, fake Bot API server, database and child
// process, and waits until the child serves.
func (r *loadRun) start(ctx context.Context) (err error) {
	o := r.o
	if r.tmp, err = os.MkdirTemp("", "loadgen"); err != nil {
		return err
	}
	r.api, err = telegramtest.NewServer(telegramtest.WithCallHook(r.router.deliver))
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	r.webhook = "http://" + addr + "/telegram/webhook"
	env := []string{
		"TELEGRAM_BOT_TOKEN=" + r.api.Token(),
		"TELEGRAM_API_URL=" + r.api.URL(),
		"WEBHOOK_URL=" + r.webhook,
		"WEBHOOK_SECRET=" + webhookSecret,
		"LISTEN_ADDR=" + addr,
	}
	var cmd *exec.Cmd
	switch o.target {
	case "echo", "calls", "floor":
		self, err := os.Executable()
		if err != nil {
			return err
		}
		serve := "floor-serve" // floor and calls
		if o.target == "echo" {
			serve = "echo-serve"
		}
		cmd = exec.Command(self, serve)
		dbURL := "" // none for calls, even if the shell has one
		if o.target == "floor" {
			if dbURL, err = r.createDatabase(ctx); err != nil {
				return err
			}
		}
		env = append(env, "DATABASE_URL="+dbURL)
	case "grammy":
		dbURL, err := r.createDatabase(ctx)
		if err != nil {
			return err
		}
		if err := r.openRedis(); err != nil {
			return err
		}
		// The peer has no migrations of its own: it works on donorbot's
		// schema, with the same fixtures.
		if err := migrate(ctx, dbURL); err != nil {
			return err
		}
		if cmd, err = peerCommand(ctx); err != nil {
			return err
		}
		env = append(env, "DATABASE_URL="+dbURL, "REDIS_URL="+o.redisURL, "REDIS_PREFIX="+r.prefix)
	default: // donorbot
		dbURL, err := r.createDatabase(ctx)
		if err != nil {
			return err
		}
		if err := r.openRedis(); err != nil {
			return err
		}
		bin := o.bin
		if bin == "" {
			bin = filepath.Join(r.tmp, "donorbot")
			build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/donorbot")
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				return fmt.Errorf("go build ./cmd/donorbot: %w", err)
			}
		}
		if o.pprofDir != "" {
			if r.pprof, err = freeAddr(); err != nil {
				return err
			}
			env = append(env, "PPROF_ADDR="+r.pprof)
		}
		cmd = exec.Command(bin, "serve")
		env = append(env,
			"DATABASE_URL="+dbURL, "REDIS_URL="+o.redisURL, "REDIS_PREFIX="+r.prefix,
			"WORKERS="+strconv.Itoa(o.workers),
			// Simulated donors act far faster than people; production
			// limits would measure the limits, not the bot.
			"FLOOD_PER_MINUTE=100000", "REPLY_PER_MINUTE=100000", "REPLY_BURST=10000",
			// Telegram allows about 30 messages/s per bot; the fake has no
			// such limit, and the benchmark measures the bot itself.
			"BROADCAST_RATE=10000",
			"LOG_LEVEL=info")
	}
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	// The child dies with this process, even when it is killed (or ends on
	// SIGPIPE, as `loadgen | head` does) before it could stop the child.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	r.child = cmd
	go func() { r.childErr <- cmd.Wait() }()
	if err := r.waitServing(ctx); err != nil {
		return err
	}
	if o.journeys() {
		if err := r.fixtures(ctx); err != nil {
			return err
		}
	}
	time.Sleep(2 * time.Second) // let start-up garbage go before reading idle memory
	if r.idleRSS, err = procStatusKiB(cmd.Process.Pid, "VmRSS"); err != nil {
		return err
	}
	return nil
}

// waitServing waits for the child's setWebhook, which it calls once ready.
func (r *loadRun) waitServing(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for len(r.api.CallsOf("setWebhook")) == 0 {
		select {
		case err := <-r.childErr:
			return fmt.Errorf("%s exited before serving: %v", r.o.target, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.New("child did not call setWebhook within 60s")
		}
	}
	return nil
}

// openRedis gives the run its Redis key prefix, and the client that
// removes the run's keys at the end.
func (r *loadRun) openRedis() error {
	r.prefix = fmt.Sprintf("load:%d:", os.Getpid())
	opts, err := redis.ParseURL(r.o.redisURL)
	if err != nil {
		return fmt.Errorf("-redis %q: %w", r.o.redisURL, err)
	}
	r.rdb = redis.NewClient(opts)
	return nil
}

// migrate creates donorbot's schema in the run's database.
func migrate(ctx context.Context, dbURL string) error {
	store, err := storage.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer store.Close()
	return store.Migrate(ctx)
}

// loadDBPrefix names each run's database, <prefix><pid>_<random>, so a run
// can drop the ones of runs that were killed before their cleanup.
const loadDBPrefix = "donorbot_load_"

func (r *loadRun) createDatabase(ctx context.Context) (string, error) {
	u, err := url.Parse(r.o.dbURL)
	if err != nil {
		return "", fmt.Errorf("-db %q: %w", r.o.dbURL, err)
	}
	admin, err := sqlx.ConnectContext(ctx, "postgres", r.o.dbURL)
	if err != nil {
		return "", fmt.Errorf("connect %s: %w", r.o.dbURL, err)
	}
	r.admin = admin
	// The counters of statements per update (roundtrips.go); without the
	// library preloaded the view stays empty and the run says so.
	_, _ = admin.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
	testenv.DropOrphanDatabases(ctx, admin, u, loadDBPrefix)
	var salt [4]byte
	_, _ = rand.Read(salt[:])
	name := fmt.Sprintf("%s%d_%x", loadDBPrefix, os.Getpid(), salt)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	r.dbName = name
	u.Path = "/" + name
	return u.String(), nil
}

// fixtures onboards the donors with one INSERT and publishes one drive of
// 32 slots of 1,000 seats, as an organizer would.
func (r *loadRun) fixtures(ctx context.Context) error {
	u, err := url.Parse(r.o.dbURL)
	if err != nil {
		return err
	}
	u.Path = "/" + r.dbName
	db, err := sqlx.ConnectContext(ctx, "postgres", u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	const q = `INSERT INTO donors (telegram_id, chat_id, language, consent_version, consent_at, full_name,
			phone, sex, birth_date, weight_kg, blood_group, onboarded_at)
		SELECT i, i, 'vi', 'v1', now(), 'Người Hiến ' || i, '+849' || lpad((i % 100000000)::text, 8, '0'),
			'male', date '1990-01-01', 65, 'O+', now()
		FROM generate_series($1::bigint, $2::bigint) AS i`
	if _, err := db.ExecContext(ctx, q, firstDonorID, firstDonorID+r.o.donors-1); err != nil {
		return fmt.Errorf("insert donors: %w", err)
	}
	store := storage.New(db)
	// The bot under load runs on the wall clock, so the drive is dated from it.
	now := time.Now()
	start := now.Add(48 * time.Hour).Truncate(time.Hour)
	d, _, err := store.CreateDrive(ctx, drive.DraftInput{
		Title: "Ngày hội Tải nặng", Wave: "Đợt 1", Organizer: "Đoàn Thanh niên", Hospital: "Viện Huyết học - Truyền máu TW",
		Venue: "26 Hàng Bài, Hà Nội", Start: start, End: start.Add(16 * time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 1000, TargetUnits: 10000,
	}, 1)
	if err != nil {
		return fmt.Errorf("create drive: %w", err)
	}
	if _, err := store.PublishDrive(ctx, d.ID, now); err != nil {
		return fmt.Errorf("publish drive: %w", err)
	}
	return nil
}

func (r *loadRun) close() {
	r.closing.Do(func() {
		if r.child != nil && r.child.ProcessState == nil {
			_ = r.child.Process.Signal(syscall.SIGTERM)
			select {
			case <-r.childErr:
			case <-time.After(15 * time.Second):
				_ = r.child.Process.Kill()
				<-r.childErr
			}
		}
		if r.api != nil {
			r.api.Close()
		}
		if r.rdb != nil {
			ctx := context.Background()
			iter := r.rdb.Scan(ctx, 0, r.prefix+"*", 1000).Iterator()
			for iter.Next(ctx) {
				r.rdb.Del(ctx, iter.Val())
			}
			r.rdb.Close()
		}
		if r.admin != nil {
			if r.dbName != "" {
				if _, err := r.admin.Exec("DROP DATABASE IF EXISTS " + r.dbName + " WITH (FORCE)"); err != nil {
					fmt.Fprintln(os.Stderr, "loadgen: drop database:", err)
				}
			}
			r.admin.Close()
		}
		if r.tmp != "" {
			os.RemoveAll(r.tmp)
		}
	})
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
