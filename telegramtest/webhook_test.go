package telegramtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// hookRecorder is a bot's webhook endpoint that fails the first failFirst
// requests with 500.
type hookRecorder struct {
	mu        sync.Mutex
	failFirst int
	requests  int
	ids       []int64 // accepted update ids, in arrival order
	secrets   []string
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var u models.Update
	_ = json.Unmarshal(body, &u)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests++
	h.secrets = append(h.secrets, r.Header.Get(SecretHeader))
	if h.requests <= h.failFirst {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h.ids = append(h.ids, u.ID)
}

func (h *hookRecorder) accepted() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int64(nil), h.ids...)
}

func TestWebhookPushWithRedelivery(t *testing.T) {
	srv := New(t, WithWebhookRetry(5*time.Millisecond, 50))
	hook := &hookRecorder{failFirst: 1}
	hs := httptest.NewServer(hook)
	defer hs.Close()

	// Queued before the webhook is set: pushed once it is.
	first := srv.SendText(ann, "queued")
	b := newBot(t, srv)
	ctx := context.Background()
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hs.URL, SecretToken: "s3cret_TOKEN-1"}); err != nil {
		t.Fatal(err)
	}
	second := srv.SendText(ann, "live")
	srv.WaitUntil(t, "three delivery attempts", func() bool { return len(srv.Deliveries()) == 3 })
	if got := hook.accepted(); got[0] != first || got[1] != second {
		t.Fatalf("accepted %v, want [%d %d] in order", got, first, second)
	}
	d := srv.Deliveries()
	if len(d) != 3 {
		t.Fatalf("deliveries = %+v", d)
	}
	if d[0].UpdateID != first || d[0].Status != 500 || d[0].Attempt != 1 || d[0].OK() ||
		d[1].UpdateID != first || d[1].Status != 200 || d[1].Attempt != 2 ||
		d[2].UpdateID != second || d[2].Attempt != 1 || !d[2].OK() {
		t.Fatalf("deliveries = %+v", d)
	}
	for _, s := range hook.secrets {
		if s != "s3cret_TOKEN-1" {
			t.Fatalf("secret header %q", s)
		}
	}
	srv.WaitIdle(t)

	info, err := b.GetWebhookInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.URL != hs.URL || info.PendingUpdateCount != 0 || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.LastErrorDate == 0 {
		t.Fatalf("webhook info = %+v", info)
	}

	// deleteWebhook stops the pushing; updates wait for getUpdates.
	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	third := srv.SendText(ann, "after delete")
	if ups := getUpdates(t, srv, nil); len(ups) != 1 || ups[0].ID != third {
		t.Fatalf("updates = %+v", ups)
	}
	if len(srv.Deliveries()) != 3 {
		t.Fatal("pushed after deleteWebhook")
	}
	// drop_pending_updates forgets the queue.
	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{DropPendingUpdates: true}); err != nil {
		t.Fatal(err)
	}
	if srv.PendingUpdates() != 0 {
		t.Fatal("pending updates not dropped")
	}
}

func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	srv := New(t, WithWebhookRetry(time.Millisecond, 3))
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u models.Update
		_ = json.NewDecoder(r.Body).Decode(&u)
		calls.Add(1)
		if u.Message != nil && u.Message.Text == "poison" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer hs.Close()
	poison := srv.SendText(ann, "poison")
	fine := srv.SendText(ann, "fine")
	srv.SetWebhook(hs.URL, "")
	srv.WaitIdle(t)
	var poisonTries, fineTries int
	for _, d := range srv.Deliveries() {
		switch d.UpdateID {
		case poison:
			poisonTries++
		case fine:
			fineTries++
		}
	}
	if poisonTries != 3 || fineTries != 1 {
		t.Fatalf("poison %d tries, fine %d", poisonTries, fineTries)
	}
}

func TestWebhookNetworkErrorIsRetried(t *testing.T) {
	srv := New(t, WithWebhookRetry(time.Millisecond, 2))
	hs := httptest.NewServer(http.NotFoundHandler())
	deadURL := hs.URL
	hs.Close() // nothing listens there any more
	id := srv.SendText(ann, "x")
	srv.SetWebhook(deadURL, "")
	srv.WaitIdle(t)
	d := srv.Deliveries()
	if len(d) != 2 || d[0].UpdateID != id || d[0].Err == nil || d[0].Status != 0 {
		t.Fatalf("deliveries = %+v", d)
	}
}

func TestPushUpdateConcurrently(t *testing.T) {
	srv := New(t)
	var got atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(SecretHeader) == "sec" {
			got.Add(1)
		}
	}))
	defer hs.Close()
	id := srv.SendText(ann, "pay")
	ctx := context.Background()
	if _, err := srv.PushUpdate(ctx, id); err == nil {
		t.Fatal("PushUpdate without a webhook must fail")
	}
	srv.SetWebhook(hs.URL, "sec")
	srv.WaitIdle(t) // the regular delivery
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if status, err := srv.PushUpdate(ctx, id); err != nil || status != 200 {
				t.Errorf("push: %d %v", status, err)
			}
		})
	}
	wg.Wait()
	if n := got.Load(); n != 101 {
		t.Fatalf("webhook got %d requests, want 101", n)
	}
	if n := len(srv.Deliveries()); n != 101 {
		t.Fatalf("%d deliveries recorded", n)
	}
	if _, err := srv.PushUpdate(ctx, 1); err == nil {
		t.Fatal("unknown update")
	}
}

func TestRedeliverWebhook(t *testing.T) {
	srv := New(t)
	hook := &hookRecorder{}
	hs := httptest.NewServer(hook)
	defer hs.Close()
	srv.SetWebhook(hs.URL, "")
	id := srv.SendText(ann, "x")
	srv.WaitUntil(t, "first delivery", func() bool { return len(hook.accepted()) == 1 })
	if err := srv.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	srv.WaitUntil(t, "redelivery", func() bool { return len(hook.accepted()) == 2 })
	if got := hook.accepted(); got[0] != id || got[1] != id {
		t.Fatalf("accepted %v", got)
	}
}
