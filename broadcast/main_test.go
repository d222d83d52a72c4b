package broadcast_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/redis/go-redis/v9"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/telegramtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild()) // a crash-test engine process, see crash_test.go
	}
	testenv.Main(m)
}

// env is one test's world: a fake Bot API, the package's database, and a
// Redis namespace of its own (so the limiter's keys are the test's own).
type env struct {
	t      testing.TB
	srv    *telegramtest.Server
	store  *storage.Store
	rdb    *redis.Client
	prefix string
	// logLevel is the engines' least level logged to the test's output.
	logLevel slog.Level
}

func newEnv(t testing.TB, opts ...telegramtest.Option) *env {
	t.Helper()
	srv := telegramtest.New(t, append([]telegramtest.Option{telegramtest.WithWaitTimeout(30 * time.Second)}, opts...)...)
	rdb, prefix := testenv.Redis(t)
	db := testenv.DB(t)
	// As storage.Open does: with database/sql's default of 2 idle
	// connections, every worker's query would open a new one.
	db.SetMaxIdleConns(40)
	v := &env{t: t, srv: srv, store: storage.New(db), rdb: rdb, prefix: prefix, logLevel: slog.LevelDebug}
	// Tests share the package database and claims see every broadcast: a
	// test that stops half-way must not leave work for the next one.
	t.Cleanup(func() {
		const q = `UPDATE broadcast_deliveries SET status = 'cancelled', claimed_at = NULL, done_at = now()
			WHERE status = 'pending'`
		if _, err := v.store.DB().Exec(q); err != nil {
			t.Errorf("cancel leftover deliveries: %v", err)
		}
	})
	return v
}

// countingClient counts the sendMessage calls that go through it.
type countingClient struct {
	http.Client
	sends atomic.Int64
}

func (c *countingClient) Do(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/sendMessage") {
		c.sends.Add(1)
	}
	return c.Client.Do(req)
}

// botClient is a go-telegram/bot client of the fake server, with a pool large
// enough that workers do not open a connection per send.
func botClient(t testing.TB, apiURL, token string) (*bot.Bot, *countingClient) {
	t.Helper()
	b, hc, err := newBotClient(apiURL, token)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b, hc
}

func newBotClient(apiURL, token string) (*bot.Bot, *countingClient, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	hc := &countingClient{Client: http.Client{Transport: tr, Timeout: time.Minute}}
	b, err := bot.New(token, bot.WithServerURL(apiURL), bot.WithSkipGetMe(), bot.WithHTTPClient(time.Minute, hc))
	return b, hc, err
}

// testConfig is fast: retries after milliseconds, progress every 200ms.
func (v *env) testConfig(rate int) broadcast.Config {
	return broadcast.Config{
		Rate: rate, Workers: 4, Batch: 5, Lease: 4 * time.Second, SendTimeout: time.Second,
		Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Poll: 50 * time.Millisecond, ProgressEvery: 200 * time.Millisecond, KeyPrefix: v.prefix,
	}
}

// engine builds an engine and runs it until the test ends.
func (v *env) engine(cfg broadcast.Config) (*broadcast.Engine, *countingClient) {
	v.t.Helper()
	b, hc := botClient(v.t, v.srv.URL(), v.srv.Token())
	log := slog.New(slog.NewTextHandler(v.t.Output(), &slog.HandlerOptions{Level: v.logLevel}))
	api := botapi.NewJSONCaller(hc, v.srv.URL(), v.srv.Token())
	e, err := broadcast.New(cfg, broadcast.Deps{Store: v.store, Redis: v.rdb, Bot: b, API: api, Log: log, Render: render})
	if err != nil {
		v.t.Fatalf("broadcast.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := e.Run(ctx); err != nil {
			v.t.Errorf("Run: %v", err)
		}
	}()
	v.t.Cleanup(func() { cancel(); <-done })
	return e, hc
}

// render stands for the handlers' renderer, which draws from locale files.
func render(p broadcast.Progress) (string, any) {
	text := fmt.Sprintf("%s #%d: sent %d/%d, failed %d, blocked %d, ETA %s",
		p.Kind, p.BroadcastID, p.Sent, p.Total, p.Failed, p.Blocked, p.ETA)
	switch {
	case p.Done && p.Stopped:
		return text + " (cancelled)", nil
	case p.Done:
		return text + " (done)", nil
	}
	data := fmt.Sprintf("bcast:v1:cancel:%d", p.BroadcastID)
	return text, botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{{{Text: "Cancel", CallbackData: data}}}}
}

// recipients returns n chat ids no other test uses.
func recipients(n int) []int64 {
	base := 1_000_000 + rand.Int64N(1_000_000_000)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = base + int64(i)
	}
	return ids
}

// waitFinished waits until the broadcast has no pending delivery and has
// shown its final progress.
func (v *env) waitFinished(e *broadcast.Engine, id int64) broadcast.Progress {
	v.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		p, err := e.Progress(context.Background(), id)
		if err != nil {
			v.t.Fatalf("Progress: %v", err)
		}
		b, err := v.store.Broadcast(context.Background(), id)
		if err != nil {
			v.t.Fatalf("Broadcast: %v", err)
		}
		if p.Done && !b.FinishedAt.IsZero() {
			return p
		}
		if time.Now().After(deadline) {
			v.t.Fatalf("broadcast %d not finished after 60s: %+v", id, p)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sends lists the successful sendMessage calls to the given chats.
func (v *env) sends(chats []int64) []telegramtest.Call {
	want := map[string]bool{}
	for _, c := range chats {
		want[fmt.Sprint(c)] = true
	}
	var out []telegramtest.Call
	for _, c := range v.srv.CallsOf("sendMessage") {
		if c.OK() && want[c.Params["chat_id"]] {
			out = append(out, c)
		}
	}
	return out
}

// checkWindows fails the test if any one-second window, fixed or sliding,
// saw more than limit sends, or the fake answered more 429s than the test
// injected: each other 429 is the fake's rate limit refusing a send.
func (v *env) checkWindows(limit, injected429 int) {
	v.t.Helper()
	for sec, n := range v.srv.SendWindows() {
		if n > limit {
			v.t.Errorf("second %d: %d sends, limit %d", sec, n, limit)
		}
	}
	// The engine spaces its tokens over a second in Redis; the fake stamps
	// the sends as they arrive, a few milliseconds later and not all by the
	// same delay, so the window is shortened by that jitter, at most half a
	// token's spacing, so that a token too many is still seen.
	arrivalJitter := min(20*time.Millisecond, time.Second/time.Duration(limit)/2)
	if n := v.srv.MaxSendsIn(time.Second-arrivalJitter, 0); n > limit {
		v.t.Errorf("%d sends within one sliding second (less %v of arrival jitter), limit %d", n, arrivalJitter, limit)
	}
	n := 0
	for _, c := range v.srv.Calls() {
		if c.Status == http.StatusTooManyRequests {
			n++
		}
	}
	if n != injected429 {
		v.t.Errorf("the fake answered 429 %d times, %d injected: the engine went over the limit", n, injected429)
	}
}

func fmtID(id int64) string { return strconv.FormatInt(id, 10) }
