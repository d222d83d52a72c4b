package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
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

// TestServeRefusesUnservableConfigBeforeAnySideEffect: a webhook path the
// bot cannot serve, or a Redis prefix holding glob characters, stops serve
// with one line naming the variable, before Telegram is called at all (a
// webhook path of /healthz is also the health check's route, which
// http.ServeMux refuses with a panic, and by then setWebhook would have sent
// Telegram's updates to a process about to die).
func TestServeRefusesUnservableConfigBeforeAnySideEffect(t *testing.T) {
	api := telegramtest.New(t)
	_, prefix := testenv.Redis(t)
	base := []string{
		"TELEGRAM_BOT_TOKEN=" + api.Token(),
		"TELEGRAM_API_URL=" + api.URL(),
		"DATABASE_URL=" + testenv.DatabaseURL(t),
		"REDIS_URL=" + testenv.RedisURL(t),
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s",
		"WEBHOOK_SECRET=s3cret",
	}
	tests := []struct{ name, env, variable string }{
		{"WebhookOnHealthz", "WEBHOOK_URL=https://bot.example.org/healthz", "WEBHOOK_URL"},
		{"WebhookOnMetrics", "WEBHOOK_URL=https://bot.example.org/metrics", "WEBHOOK_URL"},
		{"WebhookWildcard", "WEBHOOK_URL=https://bot.example.org/{hook}", "WEBHOOK_URL"},
		{"WebhookSpace", "WEBHOOK_URL=https://bot.example.org/tg hook", "WEBHOOK_URL"},
		{"RedisPrefixGlob", "REDIS_PREFIX=*", "REDIS_PREFIX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := append(slices.Clone(base), tt.env)
			if !strings.HasPrefix(tt.env, "REDIS_PREFIX=") {
				env = append(env, "REDIS_PREFIX="+prefix)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var logs syncBuffer
			err := run(ctx, []string{"serve"}, env, &logs)
			if err == nil || !strings.Contains(err.Error(), tt.variable) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want one line naming %s", err, tt.variable)
			}
			if calls := api.Calls(); len(calls) != 0 {
				t.Errorf("Telegram was called %d times (first %s) before the refusal", len(calls), calls[0].Method)
			}
		})
	}
}

// TestServeMetricsOnTheirOwnAddress: with METRICS_ADDR set, /metrics is
// served there and not on LISTEN_ADDR, which the webhook may expose.
func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	api := telegramtest.New(t, telegramtest.WithWaitTimeout(30*time.Second))
	_, prefix := testenv.Redis(t)
	listen, metricsAddr := freeLoopbackAddr(t), freeLoopbackAddr(t)
	env := serveEnv(t, api, prefix,
		"LISTEN_ADDR="+listen,
		"METRICS_ADDR="+metricsAddr,
		"POLL_TIMEOUT=1s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var logs syncBuffer
	go func() { done <- run(ctx, []string{"serve"}, env, &logs) }()
	api.WaitUntil(t, "serving", func() bool { return len(api.CallsOf("getUpdates")) > 0 })
	status := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v (log: %s)", url, err, logs.String())
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := status("http://" + metricsAddr + "/metrics"); code != http.StatusOK || !strings.Contains(body, "donorbot_duplicate_updates_total") {
		t.Errorf("METRICS_ADDR /metrics: got %d, want 200 with donorbot's series", code)
	}
	if code, _ := status("http://" + listen + "/metrics"); code != http.StatusNotFound {
		t.Errorf("LISTEN_ADDR /metrics: got %d, want 404", code)
	}
	if code, _ := status("http://" + listen + "/healthz"); code != http.StatusOK {
		t.Errorf("LISTEN_ADDR /healthz: got %d, want 200", code)
	}
	stopServe(t, cancel, done)
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
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
	// Generous wait: CI runs test packages in parallel on two cores.
	api := telegramtest.New(t, telegramtest.WithWaitTimeout(30*time.Second))
	_, prefix := testenv.Redis(t)
	env := serveEnv(t, api, prefix,
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var logs syncBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve output:\n%s", logs.String())
		}
	})
	go func() { done <- run(ctx, []string{"serve"}, env, &logs) }()
	u := telegramtest.User{ID: 7001, FirstName: "An", LanguageCode: "vi"}
	api.SendText(u, "/start")
	api.WaitText(t, u.ID, "Nghị định 13/2023")
	stopServe(t, cancel, done)
}

func TestSeedCommandIsIdempotent(t *testing.T) {
	env := []string{"DATABASE_URL=" + testenv.DatabaseURL(t), "REDIS_URL=" + testenv.RedisURL(t)}
	for _, want := range []string{"demo data loaded", "demo data already present"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"seed"}, env, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "30 donors") {
			t.Errorf("seed output %q, want %q", out.String(), want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the command's writer and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPlaygroundCommand runs `donorbot start` with no token, as `make run`
// and `docker compose up` in a fresh clone do: it says it falls back to the
// playground and where the page is, and a user played through the page's
// API gets the bot's answer.
func TestPlaygroundCommand(t *testing.T) {
	_, prefix := testenv.Redis(t)
	env := []string{
		"DATABASE_URL=" + testenv.DatabaseURL(t),
		"REDIS_URL=" + testenv.RedisURL(t),
		"REDIS_PREFIX=" + prefix,
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"start"}, env, &out) }()
	pageURL := regexp.MustCompile(`open (http://\S+/playground/) in a browser`)
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == ""; time.Sleep(20 * time.Millisecond) {
		if m := pageURL.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no page URL announced; output:\n%s", out.String())
		}
	}
	if !strings.HasPrefix(out.String(), "TELEGRAM_BOT_TOKEN is not set: starting the offline playground") {
		t.Errorf("start without a token did not say why it runs the playground; output:\n%s", out.String())
	}
	res, err := http.Post(url+"api/send", "application/json", strings.NewReader(`{"user":910004,"text":"/start"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var text string
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(text, "Nghị định 13/2023"); {
		res, err := http.Get(url + "api/chat?user=910004&since=none")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if text = string(raw); time.Now().After(deadline) {
			t.Fatalf("no consent message; chat: %s", text)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("playground returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("playground did not stop within 30s")
	}
}

func TestHealthCommand(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		fmt.Fprint(w, `{"postgres":"ok","redis":"down"}`)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	if err := health(context.Background(), "0.0.0.0:"+port); err != nil {
		t.Errorf("healthy: got %v", err)
	}
	status = http.StatusServiceUnavailable
	if err := health(context.Background(), "127.0.0.1:"+port); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("unhealthy: got %v, want an error naming 503", err)
	}
}

// serveEnv is the environment of a donorbot process talking to api, on the
// test's database and Redis namespace (prefix), plus extra settings.
func serveEnv(t *testing.T, api *telegramtest.Server, prefix string, extra ...string) []string {
	return append([]string{
		"TELEGRAM_BOT_TOKEN=" + api.Token(),
		"TELEGRAM_API_URL=" + api.URL(),
		"DATABASE_URL=" + testenv.DatabaseURL(t),
		"REDIS_URL=" + testenv.RedisURL(t),
		"REDIS_PREFIX=" + prefix,
		// The process runs on the wall clock; quiet hours would make what it
		// sends depend on the time of day the test runs at.
		"QUIET_HOURS=",
	}, extra...)
}

// stopServe cancels a run started in the test and waits for it to return
// cleanly.
func stopServe(t *testing.T, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
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
