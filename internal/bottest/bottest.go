// Package bottest runs a real donorbot (runtime, handlers, PostgreSQL,
// Redis) against the fake Bot API server, and plays phone users on it, so
// journey tests read like a person using the bot: send text, tap a button.
package bottest

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/handlers"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/telegramtest"
)

var updateIDBase atomic.Int64

// Bot is a donorbot under test.
type Bot struct {
	t     testing.TB
	API   *telegramtest.Server
	Cfg   bot.Config
	Store *storage.Store
	Redis *redis.Client
	Logs  *LogBuffer
	// Clock is the bot's clock, standing at Epoch until the test moves it;
	// nil when the test brought its own (the Clock option).
	Clock *FakeClock
	// BroadcastsBefore is the highest broadcast id when the bot started:
	// the package's tests share a database, and what an earlier test left
	// queued (held for the morning, or for its stopped bot) is not this
	// test's.
	BroadcastsBefore int64

	opts    []bot.Option
	apiOpts []telegramtest.Option
	now     func() time.Time
	app     *bot.App
	cancel  context.CancelFunc
	done    chan error
}

// Option adjusts the bot's configuration or runtime.
type Option func(*Bot)

// Webhook runs the bot in webhook mode on a free loopback port.
func Webhook() Option {
	return func(b *Bot) {
		b.Cfg.ListenAddr = freeAddr(b.t)
		b.Cfg.WebhookURL = "http://" + b.Cfg.ListenAddr + "/telegram/webhook"
		b.Cfg.WebhookSecret = "test-secret_123"
	}
}

// Admins makes ids admins from the start (ADMIN_IDS).
func Admins(ids ...int64) Option {
	return func(b *Bot) { b.Cfg.AdminIDs = append(b.Cfg.AdminIDs, ids...) }
}

// Config edits the configuration directly.
func Config(edit func(*bot.Config)) Option { return func(b *Bot) { edit(&b.Cfg) } }

// AppOption passes options to the App, e.g. a middleware that injects
// faults (bot.WithMiddleware of package bot's tests).
func AppOption(opts ...bot.Option) Option {
	return func(b *Bot) { b.opts = append(b.opts, opts...) }
}

// API passes options to the fake Bot API server, e.g. a webhook retry
// schedule long enough to outlast an injected outage.
func API(opts ...telegramtest.Option) Option {
	return func(b *Bot) { b.apiOpts = append(b.apiOpts, opts...) }
}

// HTTPTimeouts shortens the HTTP server's connection timeouts.
func HTTPTimeouts(t bot.HTTPTimeouts) Option {
	return func(b *Bot) { b.opts = append(b.opts, bot.WithHTTPTimeouts(t)) }
}

// Clock gives the handlers a clock of the test's own instead of Bot.Clock,
// e.g. one standing at a chosen instant from the start.
func Clock(now func() time.Time) Option {
	return func(b *Bot) {
		b.now = now
		b.opts = append(b.opts, bot.WithClock(now))
	}
}

// Now reads the bot's clock: a test that writes through Store directly
// says "now" as the bot would.
func (b *Bot) Now() time.Time { return b.now() }

// Start runs a donorbot for the test on a fresh Redis namespace and the
// package's test database; it stops at cleanup.
func Start(t testing.TB, opts ...Option) *Bot {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	// Tests of one package share a database, so each fake server numbers
	// its updates in a range of its own: equal ids would be deduplicated.
	first := telegramtest.WithFirstUpdateID(updateIDBase.Add(1) * 10_000_000)
	// Generous waits: CI runs test packages in parallel on two cores.
	wait := telegramtest.WithWaitTimeout(20 * time.Second)
	b := &Bot{t: t, Redis: rdb, Logs: &LogBuffer{}}
	b.Store = storage.New(testenv.DB(t))
	if err := b.Store.DB().Get(&b.BroadcastsBefore, `SELECT coalesce(max(id), 0) FROM broadcasts`); err != nil {
		t.Fatalf("bottest: broadcasts: %v", err)
	}
	b.Cfg = bot.Config{
		DatabaseURL:   testenv.DatabaseURL(t),
		DatabaseConns: storage.DefaultConns,
		RedisURL:      testenv.RedisURL(t),
		RedisPrefix:   prefix,
		ListenAddr:    "127.0.0.1:0",
		TimeZone:      "Asia/Ho_Chi_Minh",
		Workers:       4,
		FloodPerMin:   600,
		ConvTTL:       time.Hour,
		InboxLease:    2 * time.Second,
		PollTimeout:   time.Second,
		LogLevel:      "debug",

		BroadcastRate:    200,
		BroadcastWorkers: 4,
		BroadcastLease:   time.Minute,
		// Tests type far faster than people: don't hold their replies to
		// one per second (broadcast's own tests cover that limit).
		ReplyPerMinute:     6000,
		ReplyBurst:         1000,
		ReminderOffsets:    []time.Duration{24 * time.Hour, 2 * time.Hour},
		ReminderInterval:   200 * time.Millisecond,
		CheckinOpensBefore: drive.DefaultCheckinOpensBefore,
	}
	for _, o := range opts {
		o(b)
	}
	if b.now == nil {
		b.Clock = NewClock(Epoch)
		b.now = b.Clock.Now
		b.opts = append(b.opts, bot.WithClock(b.now))
	}
	b.API = telegramtest.New(t, append([]telegramtest.Option{first, wait}, b.apiOpts...)...)
	b.Cfg.Token, b.Cfg.APIURL = b.API.Token(), b.API.URL()
	if err := b.Cfg.Validate(); err != nil {
		t.Fatalf("bottest: config: %v", err)
	}
	b.start()
	t.Cleanup(func() {
		b.Stop()
		if t.Failed() {
			t.Logf("bottest: donorbot's log lines at warn level and above:\n%s", b.Logs.Problems())
		}
	})
	return b
}

func (b *Bot) start() {
	b.t.Helper()
	log := slog.New(slog.NewJSONHandler(b.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	app, err := bot.New(ctx, b.Cfg, log, b.opts...)
	if err != nil {
		cancel()
		b.t.Fatalf("bottest: start donorbot: %v", err)
	}
	b.app, b.cancel, b.done = app, cancel, make(chan error, 1)
	go func() { b.done <- app.Run(ctx) }()
	// Serving once the intake is set up: deleteWebhook (polling) or setWebhook.
	method := "deleteWebhook"
	if b.Cfg.WebhookURL != "" {
		method = "setWebhook"
	}
	n := len(b.API.CallsOf(method))
	b.API.WaitUntil(b.t, "donorbot serving", func() bool { return len(b.API.CallsOf(method)) > n })
}

// Stop shuts the bot down gracefully and waits for it.
func (b *Bot) Stop() {
	if b.cancel == nil {
		return
	}
	b.cancel()
	select {
	case err := <-b.done:
		if err != nil {
			b.t.Errorf("bottest: donorbot stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		b.t.Errorf("bottest: donorbot did not stop within 30s")
	}
	b.cancel = nil
}

// Restart stops the bot and starts a new process-equivalent on the same
// database, Redis and address: nothing in memory survives.
func (b *Bot) Restart() {
	b.t.Helper()
	b.Stop()
	b.start()
}

// Addr is the bot's HTTP address.
func (b *Bot) Addr() string { return b.app.Addr() }

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("bottest: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// RedisKeys lists the Redis keys of the bot's namespace that contain s.
func (b *Bot) RedisKeys(s string) []string {
	b.t.Helper()
	var keys []string
	iter := b.Redis.Scan(context.Background(), 0, "*", 1000).Iterator()
	for iter.Next(context.Background()) {
		k := iter.Val()
		if strings.Contains(k, b.Cfg.RedisPrefix) && strings.Contains(k, s) {
			keys = append(keys, k)
		}
	}
	if err := iter.Err(); err != nil {
		b.t.Fatalf("bottest: scan redis: %v", err)
	}
	return keys
}

// LogBuffer collects the bot's log lines, safe for concurrent writers.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Contains reports whether any log line contains s.
func (l *LogBuffer) Contains(s string) bool { return strings.Contains(l.String(), s) }

// Settle waits until every update the fake server holds has been taken by
// the bot and handled, and its replies sent (the outbox calls not yet tried:
// one that failed waits for its retry).
func (b *Bot) Settle() {
	b.t.Helper()
	b.API.WaitIdle(b.t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var pending int
		err := b.Store.DB().Get(&pending, `SELECT (SELECT count(*) FROM updates WHERE handled_at IS NULL) +
			(SELECT count(*) FROM outbox o WHERE sent_at IS NULL AND EXISTS (
				SELECT FROM generate_subscripts(o.attempts, 1) AS i WHERE o.attempts[i] = 0 AND get_bit(o.done, i - 1) = 0))`)
		if err != nil {
			b.t.Fatalf("bottest: count pending updates: %v", err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("bottest: %d updates still unhandled after 20s", pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Handlers are the running bot's handlers, for tests that act as a second
// process calling the same entry points (e.g. a reminder scheduler).
func (b *Bot) Handlers() *handlers.Handlers { return b.app.Handlers() }

// Problems returns the logged lines at warn level and above.
func (l *LogBuffer) Problems() string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
