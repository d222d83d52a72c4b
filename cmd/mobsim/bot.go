package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// clock is the simulation's one clock: the bot's handlers read it, the
// run moves it.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *clock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = at
}

// simBot is a donorbot running in this process on the run's database,
// against the fake Bot API server, whose sent messages it collects.
type simBot struct {
	api    *telegramtest.Server
	app    *bot.App
	cancel context.CancelFunc
	done   chan error
	inbox  *inbox
	redis  string // the Redis URL
	prefix string // the bot's Redis namespace
}

// startBot starts donorbot as cmd/donorbot would, with the simulation's
// clock, a broadcast rate far above Telegram's (the fake has no limit, and
// the run measures decisions, not the rate) and a scheduler that never
// ticks on its own: the run calls SendReminders at the simulated times.
func startBot(ctx context.Context, dbURL, redisURL string, c *clock) (*simBot, error) {
	in := &inbox{}
	api, err := telegramtest.NewServer(telegramtest.WithCallHook(in.record))
	if err != nil {
		return nil, fmt.Errorf("fake Bot API server: %w", err)
	}
	prefix := "mobsim:" + strings.ToLower(rand.Text()[:8]) + ":"
	cfg := bot.Config{
		Token: api.Token(), APIURL: api.URL(),
		DatabaseURL: dbURL, DatabaseConns: storage.DefaultConns, RedisURL: redisURL, RedisPrefix: prefix,
		ListenAddr: "127.0.0.1:0", TimeZone: "Asia/Ho_Chi_Minh",
		Workers: 4, FloodPerMin: 600, ConvTTL: time.Hour, InboxLease: 2 * time.Second, PollTimeout: time.Second,
		LogLevel:      "warn",
		BroadcastRate: 5000, BroadcastWorkers: 16, BroadcastLease: time.Minute,
		ReplyPerMinute: 6000, ReplyBurst: 1000,
		ReminderOffsets:    []time.Duration{24 * time.Hour, 2 * time.Hour},
		ReminderInterval:   24 * time.Hour,
		CheckinOpensBefore: drive.DefaultCheckinOpensBefore,
		ContactCap:         4,
		QuietHours:         bot.DefaultQuietHours,
	}
	if err := cfg.Validate(); err != nil {
		api.Close()
		return nil, err
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(ctx)
	app, err := bot.New(ctx, cfg, log, bot.WithClock(c.Now))
	if err != nil {
		cancel()
		api.Close()
		return nil, fmt.Errorf("start donorbot: %w", err)
	}
	b := &simBot{api: api, app: app, cancel: cancel, done: make(chan error, 1), inbox: in,
		redis: redisURL, prefix: prefix}
	go func() { b.done <- app.Run(ctx) }()
	return b, nil
}

// stop stops the bot and the fake server and deletes the bot's Redis keys.
func (b *simBot) stop() error {
	b.cancel()
	err := <-b.done
	b.api.Close()
	opt, perr := redis.ParseURL(b.redis)
	if perr != nil {
		return errors.Join(err, fmt.Errorf("redis url: %w", perr))
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, b.prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		if derr := rdb.Del(ctx, iter.Val()).Err(); derr != nil {
			return errors.Join(err, fmt.Errorf("delete %s: %w", iter.Val(), derr))
		}
	}
	return errors.Join(err, iter.Err())
}

// contactSkipped reads the bot's counter of donors skipped at the contact
// cap, by message kind, from its /metrics.
func (b *simBot) contactSkipped(ctx context.Context) (map[string]int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+b.app.MetricsAddr()+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	out := map[string]int{}
	const name = `donorbot_contact_cap_skipped_total{kind="`
	for _, line := range strings.Split(string(body), "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok {
			continue
		}
		kind, value, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %w", line, err)
		}
		out[kind] = int(v)
	}
	return out, nil
}
