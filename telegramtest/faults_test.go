package telegramtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestFailNext429(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.FailNext("sendMessage", 2, 429, 7)
	for range 2 {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"})
		var tooMany *bot.TooManyRequestsError
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
			t.Fatalf("err = %v", err)
		}
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	calls := srv.CallsOf("sendMessage")
	if len(calls) != 3 || calls[0].Status != 429 || calls[0].Description != "Too Many Requests: retry after 7" || calls[2].Status != 200 {
		t.Fatalf("calls = %+v", calls)
	}
	// Only the successful send left a message, numbered 1.
	if m := srv.Messages(1); len(m) != 1 || m[0].ID != 1 {
		t.Fatalf("messages = %+v", m)
	}
	// Other codes and other methods.
	srv.FailNext("getMe", 1, 502, 0)
	if _, err := b.GetMe(ctx); err == nil {
		t.Fatal("want 502")
	}
	if c := srv.CallsOf("getMe"); c[0].Status != 502 || c[0].Description != "Bad Gateway" {
		t.Fatalf("getMe = %+v", c)
	}
}

func TestBlockedChat(t *testing.T) {
	srv := New(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.Block(ann.ID)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "reminder"})
	if !errors.Is(err, bot.ErrorForbidden) || err.Error() != "forbidden, Forbidden: bot was blocked by the user" {
		t.Fatalf("err = %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 2, Text: "other chat"}); err != nil {
		t.Fatal(err)
	}
	srv.Unblock(ann.ID)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "reminder"}); err != nil {
		t.Fatal(err)
	}
	if w := srv.SendWindows(); sum(w) != 2 {
		t.Fatalf("a blocked send must not count: %v", w)
	}
}

// fakeClock is a settable clock for deterministic rate-limit windows.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestRateLimit(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	srv := New(t, WithRateLimit(5, 2), WithClock(clock.now))
	b := newBot(t, srv)
	ctx := context.Background()
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}
	is429 := func(err error) bool {
		var tooMany *bot.TooManyRequestsError
		return errors.As(err, &tooMany) && tooMany.RetryAfter == 1
	}
	if send(1) != nil || send(1) != nil {
		t.Fatal("two sends to one chat are within the limit")
	}
	if err := send(1); !is429(err) {
		t.Fatalf("third send to chat 1: %v", err)
	}
	for chat := int64(2); chat <= 4; chat++ {
		if err := send(chat); err != nil {
			t.Fatal(err)
		}
	}
	if err := send(5); !is429(err) {
		t.Fatalf("sixth send in the second: %v", err)
	}
	// Chat actions are not sends.
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: 5, Action: "typing"}); err != nil {
		t.Fatal(err)
	}
	clock.add(time.Second)
	if err := send(1); err != nil {
		t.Fatalf("next second: %v", err)
	}
	w := srv.SendWindows()
	if len(w) != 2 || w[1_700_000_000] != 5 || w[1_700_000_001] != 1 {
		t.Fatalf("windows = %v", w)
	}
	if cw := srv.ChatSendWindows(1); cw[1_700_000_000] != 2 || cw[1_700_000_001] != 1 {
		t.Fatalf("chat windows = %v", cw)
	}
	if n := srv.MaxSendsIn(time.Second, 0); n != 5 {
		t.Fatalf("max in a sliding second = %d", n)
	}
	if n := srv.MaxSendsIn(2*time.Second, 1); n != 3 {
		t.Fatalf("max for chat 1 in 2s = %d", n)
	}
}

func TestRateLimitConcurrent(t *testing.T) {
	srv := New(t, WithRateLimit(20, 0))
	b := newBot(t, srv)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			_, _ = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: int64(i + 1), Text: "x"})
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range srv.CallsOf("sendMessage") {
		if c.OK() {
			ok++
		}
	}
	w := srv.SendWindows()
	for sec, n := range w {
		if n > 20 {
			t.Fatalf("window %d has %d sends", sec, n)
		}
	}
	if sum(w) != ok {
		t.Fatalf("windows %v count %d, %d calls succeeded", w, sum(w), ok)
	}
}

func TestLatency(t *testing.T) {
	srv := New(t, WithLatency(30*time.Millisecond))
	b := newBot(t, srv)
	srv.SetLatency(120 * time.Millisecond)
	start := time.Now()
	if _, err := b.GetMe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 120*time.Millisecond {
		t.Fatalf("answered after %v", d)
	}
	srv.SetLatency(0)
	if srv.Latency() != 0 {
		t.Fatal("latency not cleared")
	}
}

func sum(m map[int64]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
