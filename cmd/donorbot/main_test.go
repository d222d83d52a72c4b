package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/telegramtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	testenv.Main(m)
}

func TestRunUsageAndConfigErrors(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, nil, nil, &out); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no command: got %v, want usage", err)
	}
	if err := run(ctx, []string{"serve"}, []string{"REDIS_URL=redis://x"}, &out); err == nil || err.Error() != "config: DATABASE_URL is not set" {
		t.Errorf("missing DATABASE_URL: got %v", err)
	}
	env := []string{"DATABASE_URL=" + testenv.DatabaseURL(t), "REDIS_URL=" + testenv.RedisURL(t)}
	if err := run(ctx, []string{"serve"}, env, &out); err == nil || !strings.Contains(err.Error(), "@BotFather") {
		t.Errorf("serve without token: got %v, want the @BotFather hint", err)
	}
	if err := run(ctx, []string{"fly"}, env, &out); err == nil || !strings.Contains(err.Error(), `unknown command "fly"`) {
		t.Errorf("unknown command: got %v", err)
	}
}

func TestMigrateStatus(t *testing.T) {
	env := []string{"DATABASE_URL=" + testenv.DatabaseURL(t), "REDIS_URL=" + testenv.RedisURL(t)}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "up"}, env, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "status"}, env, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "00001_foundation.sql") || !strings.Contains(out.String(), "applied") {
		t.Errorf("status output: %q", out.String())
	}
}

// TestServeStartsAndStopsOnSignal runs the real command against the fake
// Bot API server: it serves a user and stops cleanly when its context ends
// (what SIGINT/SIGTERM do through signal.NotifyContext).
func TestServeStartsAndStopsOnSignal(t *testing.T) {
	api := telegramtest.New(t)
	_, prefix := testenv.Redis(t)
	env := []string{
		"TELEGRAM_BOT_TOKEN=" + api.Token(),
		"TELEGRAM_API_URL=" + api.URL(),
		"DATABASE_URL=" + testenv.DatabaseURL(t),
		"REDIS_URL=" + testenv.RedisURL(t),
		"REDIS_PREFIX=" + prefix,
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() { done <- run(ctx, []string{"serve"}, env, &logs) }()
	u := telegramtest.User{ID: 7001, FirstName: "An", LanguageCode: "vi"}
	api.SendText(u, "/start")
	api.WaitText(t, u.ID, "Nghị định 13/2023")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s")
	}
}
