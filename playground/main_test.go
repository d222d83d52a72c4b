package playground_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/testenv"
	"donorbot/playground"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// start runs a playground donorbot on the package's test database and a
// fresh Redis namespace, on a free port, until the test ends.
func start(t *testing.T, opts ...playground.Option) *playground.Instance {
	t.Helper()
	// The package's tests share one database: each starts with the
	// playground's people unknown to the bot, as on a first run.
	for _, u := range playground.Users() {
		if _, err := testenv.DB(t).Exec(`DELETE FROM donors WHERE telegram_id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Nor has the day's recall scan run, which would skip the new Bình.
	if _, err := testenv.DB(t).Exec(`DELETE FROM recall_scans`); err != nil {
		t.Fatal(err)
	}
	_, prefix := testenv.Redis(t)
	cfg, err := bot.LoadConfig([]string{
		"DATABASE_URL=" + testenv.DatabaseURL(t),
		"REDIS_URL=" + testenv.RedisURL(t),
		"REDIS_PREFIX=" + prefix,
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s",
		"REPLY_PER_MINUTE=6000",
		"REPLY_BURST=1000",
		// Tests click far faster than people.
		"FLOOD_PER_MINUTE=600",
		// Bình's recall comes within a second of the start, at any hour
		// the tests run (quiet hours would hold it until the morning).
		"REMINDER_INTERVAL=1s",
		"QUIET_HOURS=",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &logBuffer{}
	pg, err := playground.Start(ctx, cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})), opts...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- pg.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("playground stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("playground did not stop within 30s")
		}
		if t.Failed() {
			t.Logf("donorbot's warnings and errors:\n%s", logs)
		}
		if v := pg.API.Violations(); len(v) > 0 {
			t.Errorf("the bot made requests the real Bot API would refuse:\n%v", v)
		}
	})
	return pg
}

// logBuffer collects the bot's log lines, safe for concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
