package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// The crash test runs the real `donorbot serve` in a child process: the test
// binary started again with childEnv set, whose TestMain then calls run as
// main does. The fake Bot API stays in the parent and records every call
// across the kill.
const childEnv = "DONORBOT_CRASH_CHILD"

func runChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if addr := os.Getenv(heapCheckEnv); addr != "" {
		if err := serveHeapCheck(addr); err != nil {
			fmt.Fprintln(os.Stderr, "heap check:", err)
			return 1
		}
	}
	if err := run(ctx, []string{"serve"}, os.Environ(), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "donorbot:", err)
		return 1
	}
	return 0
}

// child is a donorbot process.
type child struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	log bytes.Buffer
}

func (c *child) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.Write(p)
}

func startChild(t *testing.T, env []string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$")}
	c.cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
	c.cmd.Stderr = c
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.kill(t)
		}
		if t.Failed() {
			c.mu.Lock()
			t.Logf("child %d log:\n%s", c.cmd.Process.Pid, c.log.String())
			c.mu.Unlock()
		}
	})
	return c
}

// kill sends SIGKILL: no shutdown code runs.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait() // "signal: killed", expected
}

// TestSIGKILLMidTrafficAndBroadcast kills `donorbot serve` (long polling)
// while users write and a broadcast is going out, then starts it again.
// Nothing is lost: every update is handled and every recipient gets the
// broadcast. Duplicates stay within the documented bound: an update (or a
// broadcast message) that was being handled when the process died may be
// sent again, so at most one per worker.
func TestSIGKILLMidTrafficAndBroadcast(t *testing.T) {
	api := telegramtest.New(t, telegramtest.WithLatency(15*time.Millisecond), telegramtest.WithWaitTimeout(60*time.Second))
	rdb, prefix := testenv.Redis(t)
	const workers, bcastWorkers = 4, 4
	env := serveEnv(t, api, prefix,
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s",
		"INBOX_LEASE=2s",
		fmt.Sprint("WORKERS=", workers),
		fmt.Sprint("BROADCAST_WORKERS=", bcastWorkers),
		"BROADCAST_RATE=50",
		// 8s, not shorter: with a 2s lease the restarted engine was seen to
		// loop claiming and releasing its last deliveries (lease/2 passed
		// while waiting for rate tokens); the default is 1m.
		"BROADCAST_LEASE=8s",
		"FLOOD_PER_MINUTE=6000",
		"REPLY_PER_MINUTE=6000",
		"REPLY_BURST=1000",
		"LOG_LEVEL=warn")

	// A broadcast to 150 chats that nobody uses otherwise: 3 s at 50/s.
	store := storage.New(testenv.DB(t))
	hc := &http.Client{Timeout: time.Minute}
	b, err := tg.New(api.Token(), tg.WithServerURL(api.URL()), tg.WithSkipGetMe(), tg.WithHTTPClient(time.Minute, hc))
	if err != nil {
		t.Fatal(err)
	}
	starter, err := broadcast.New(broadcast.Config{KeyPrefix: prefix}, broadcast.Deps{Store: store, Redis: rdb, Bot: b,
		API: botapi.NewJSONCaller(hc, api.URL(), api.Token())})
	if err != nil {
		t.Fatal(err)
	}
	var recipients []int64
	for i := range 150 {
		recipients = append(recipients, int64(88600+i))
	}
	first := startChild(t, env)
	if _, err := starter.Start(context.Background(), broadcast.Spec{Kind: "urgent", Text: "Cần gấp máu O-", Recipients: recipients}); err != nil {
		t.Fatal(err)
	}
	const users, each = 10, 20
	for range each {
		for u := range users {
			api.SendText(telegramtest.User{ID: int64(88201 + u), FirstName: "An", LanguageCode: "vi"}, "/help")
		}
	}
	answered := func() int {
		n := 0
		for u := range users {
			n += len(api.Messages(int64(88201 + u)))
		}
		return n
	}
	broadcastSent := func() int {
		n := 0
		for _, c := range recipients {
			n += len(api.Messages(c))
		}
		return n
	}
	api.WaitUntil(t, "a third of the traffic answered", func() bool { return answered() >= users*each/3 })
	first.kill(t)
	atKill, bcastAtKill := answered(), broadcastSent()
	if atKill >= users*each || bcastAtKill >= len(recipients) {
		t.Fatalf("killed too late: %d/%d answers, %d/%d broadcast messages", atKill, users*each, bcastAtKill, len(recipients))
	}

	second := startChild(t, env)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("at the end: %d/%d answers, %d/%d broadcast messages", answered(), users*each, broadcastSent(), len(recipients))
		}
	})
	api.WaitUntil(t, "every update answered and every recipient reached", func() bool {
		if answered() < users*each {
			return false
		}
		for _, c := range recipients {
			if len(api.Messages(c)) == 0 {
				return false
			}
		}
		return true
	})
	var unhandled int
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := store.DB().Get(&unhandled, `SELECT count(*) FROM updates WHERE handled_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		if unhandled == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // let a late duplicate show
	second.kill(t)

	if unhandled != 0 {
		t.Errorf("%d updates left unhandled", unhandled)
	}
	dups := answered() - users*each
	bdups := broadcastSent() - len(recipients)
	t.Logf("killed after %d/%d answers and %d/%d broadcast messages; %d duplicate answers, %d duplicate broadcast messages",
		atKill, users*each, bcastAtKill, len(recipients), dups, bdups)
	if dups > workers {
		t.Errorf("%d duplicate answers, want at most %d (one update in hand per worker)", dups, workers)
	}
	if bdups > bcastWorkers {
		t.Errorf("%d duplicate broadcast messages, want at most %d (one send in flight per worker)", bdups, bcastWorkers)
	}
	for u := range users {
		for _, m := range api.Messages(int64(88201 + u)) {
			if !strings.Contains(m.Text, "/profile") {
				t.Errorf("user %d got %q, want only help answers", 88201+u, m.Text)
			}
		}
	}
}
