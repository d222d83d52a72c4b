package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newBroadcast creates a broadcast to chats and cancels what is left of it
// when the test ends, so that claims in later tests see only their own rows.
func newBroadcast(t *testing.T, s *storage.Store, nb storage.NewBroadcast) storage.Broadcast {
	t.Helper()
	if nb.Kind == "" {
		nb.Kind = "announcement"
	}
	if nb.Text == "" {
		nb.Text = "Hiến máu cứu người"
	}
	b, err := s.CreateBroadcast(context.Background(), nb)
	if err != nil {
		t.Fatalf("CreateBroadcast: %v", err)
	}
	t.Cleanup(func() {
		if _, err := s.CancelBroadcast(context.Background(), b.ID); err != nil {
			t.Errorf("CancelBroadcast(%d): %v", b.ID, err)
		}
	})
	return b
}

// emptyQueue cancels every pending delivery, so that a test counting what
// it claims finds only its own: earlier tests and runs (go test -count) of
// this package's database leave scheduled messages behind.
func emptyQueue(t *testing.T, s *storage.Store) {
	t.Helper()
	if _, err := s.DB().Exec(`UPDATE broadcast_deliveries SET status = 'cancelled', claimed_at = NULL, done_at = now() WHERE status = 'pending'`); err != nil {
		t.Fatal(err)
	}
}

// chats returns n distinct chat ids unlikely to collide with other tests'.
func chats(n int) []int64 {
	base := 1_000_000 + rand.Int64N(1_000_000_000)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = base + int64(i)
	}
	return ids
}

func countsOf(t *testing.T, s *storage.Store, id int64) storage.DeliveryCounts {
	t.Helper()
	c, err := s.CountDeliveries(context.Background(), id)
	if err != nil {
		t.Fatalf("CountDeliveries: %v", err)
	}
	return c
}

func TestCreateBroadcast(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		ids := chats(10_000)
		blockedID := ids[7]
		if _, err := s.CreateDonor(ctx, blockedID, blockedID, "vi", "v1"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDonorReachable(ctx, blockedID, false); err != nil {
			t.Fatal(err)
		}
		markup := json.RawMessage(`{"inline_keyboard":[[{"text":"Đăng ký","callback_data":"reg:v1:1"}]]}`)
		start := time.Now()
		b := newBroadcast(t, s, storage.NewBroadcast{
			Kind: "urgent", Text: "Cần gấp nhóm máu O-", ReplyMarkup: markup, CreatedBy: 42,
			ProgressChatID: 42, Recipients: append(ids, ids[:100]...), // duplicates are sent once
		})
		t.Logf("10,000 recipients written in %v", time.Since(start))
		if b.Total != len(ids) {
			t.Errorf("Total = %d, want %d", b.Total, len(ids))
		}
		got, err := s.Broadcast(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != "urgent" || got.CreatedBy != 42 || got.ProgressChatID != 42 || got.ProgressMessageID != 0 ||
			got.Lang != "vi" || got.Total != len(ids) || !got.CancelledAt.IsZero() || !got.FinishedAt.IsZero() {
			t.Errorf("Broadcast = %+v", got)
		}
		var gotMarkup, wantMarkup any
		_ = json.Unmarshal(got.ReplyMarkup, &gotMarkup)
		_ = json.Unmarshal(markup, &wantMarkup)
		if gm, _ := json.Marshal(gotMarkup); string(gm) != mustJSON(wantMarkup) {
			t.Errorf("ReplyMarkup = %s, want %s", got.ReplyMarkup, markup)
		}
		want := storage.DeliveryCounts{Total: len(ids), Pending: len(ids) - 1, Blocked: 1}
		if c := countsOf(t, s, b.ID); c != want {
			t.Errorf("counts = %+v, want %+v", c, want)
		}
	})

	t.Run("ErrTextRequired", func(t *testing.T) {
		_, err := s.CreateBroadcast(ctx, storage.NewBroadcast{Kind: "announcement", Recipients: chats(3)})
		if err == nil {
			t.Fatal("CreateBroadcast with empty text: no error")
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestClaimDeliveries(t *testing.T) {
	s := storage.New(testenv.DB(t))
	emptyQueue(t, s)
	ctx := context.Background()
	low := newBroadcast(t, s, storage.NewBroadcast{Recipients: chats(50)})
	urgent := newBroadcast(t, s, storage.NewBroadcast{Kind: "urgent", Priority: 10, Recipients: chats(5)})

	t.Run("PriorityFirst", func(t *testing.T) {
		ds, err := s.ClaimDeliveries(ctx, 6, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 6 {
			t.Fatalf("claimed %d, want 6", len(ds))
		}
		for i, d := range ds[:5] {
			if d.BroadcastID != urgent.ID {
				t.Errorf("delivery %d from broadcast %d, want the urgent %d first", i, d.BroadcastID, urgent.ID)
			}
		}
		if ds[5].BroadcastID != low.ID {
			t.Errorf("delivery 5 from broadcast %d, want %d", ds[5].BroadcastID, low.ID)
		}
		for _, d := range ds {
			if err := s.MarkDeliverySent(ctx, d.ID, 1); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("ConcurrentClaimsAreDisjoint", func(t *testing.T) {
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				ds, err := s.ClaimDeliveries(ctx, 5, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, d := range ds {
					seen[d.ID]++
				}
			})
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Errorf("8 workers × 5 claimed %d distinct deliveries, want 40", len(seen))
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("delivery %d claimed %d times", id, n)
			}
		}
	})

	t.Run("LeaseExpires", func(t *testing.T) {
		// 9 of low's 49 remain unclaimed; the 40 above are held.
		ds, err := s.ClaimDeliveries(ctx, 100, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 9 {
			t.Fatalf("claimed %d, want the 9 unheld", len(ds))
		}
		time.Sleep(300 * time.Millisecond)
		ds, err = s.ClaimDeliveries(ctx, 100, 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 49 {
			t.Fatalf("after the lease claimed %d, want all 49", len(ds))
		}
		ids := make([]int64, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		// Any instant but the claim's own is stale; the lease runs on the database's clock.
		if err := s.ReleaseDeliveries(ctx, ids[:10], time.Now()); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.ClaimDeliveries(ctx, 100, time.Minute); len(again) != 0 {
			t.Errorf("release with a stale claim time freed %d deliveries", len(again))
		}
		if err := s.ReleaseDeliveries(ctx, ids[:10], ds[0].ClaimedAt); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.ClaimDeliveries(ctx, 100, time.Minute); len(again) != 10 {
			t.Errorf("after release claimed %d, want 10", len(again))
		}
	})
}

func TestDeliveryOutcomes(t *testing.T) {
	s := storage.New(testenv.DB(t))
	emptyQueue(t, s)
	ctx := context.Background()
	ids := chats(6)
	if _, err := s.CreateDonor(ctx, ids[5], ids[5], "vi", "v1"); err != nil {
		t.Fatal(err)
	}
	b := newBroadcast(t, s, storage.NewBroadcast{Recipients: ids})
	ds, err := s.ClaimDeliveries(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 6 {
		t.Fatalf("claimed %d, want 6", len(ds))
	}
	for i, d := range ds {
		if d.ChatID != ids[i] {
			t.Fatalf("delivery %d goes to %d, want %d: recipients in the order given", i, d.ChatID, ids[i])
		}
	}
	if err := s.MarkDeliverySent(ctx, ds[0].ID, 77); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDeliveryBlocked(ctx, ds[1].ID, "Forbidden: bot was blocked by the user"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDeliveryFailed(ctx, ds[2].ID, "Bad Request: chat not found"); err != nil {
		t.Fatal(err)
	}
	// A final status is never overwritten by a late outcome.
	if err := s.MarkDeliveryBlocked(ctx, ds[0].ID, "late"); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryDelivery(ctx, ds[3].ID, time.Hour, true, "Internal Server Error"); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryDelivery(ctx, ds[4].ID, 0, false, ""); err != nil {
		t.Fatal(err)
	}
	// The donor of ds[5] blocks the bot meanwhile: the next claim says so.
	if err := s.SetDonorReachable(ctx, ids[5], false); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseDeliveries(ctx, []int64{ds[5].ID}, ds[5].ClaimedAt); err != nil {
		t.Fatal(err)
	}
	again, err := s.ClaimDeliveries(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 || again[0].ID != ds[4].ID || again[1].ID != ds[5].ID {
		t.Fatalf("claimed %+v, want deliveries %d (429, due now) and %d", again, ds[4].ID, ds[5].ID)
	}
	if again[0].FailedAttempts != 0 || again[0].Unreachable || !again[1].Unreachable {
		t.Errorf("claimed %+v: want 0 failed attempts, then an unreachable recipient", again)
	}

	want := storage.DeliveryCounts{Total: 6, Pending: 3, Sent: 1, Failed: 1, Blocked: 1}
	if c := countsOf(t, s, b.ID); c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	if done, err := s.FinishBroadcast(ctx, b.ID); err != nil || done {
		t.Errorf("FinishBroadcast with pending deliveries = %t, %v; want false", done, err)
	}

	n, err := s.CancelBroadcast(ctx, b.ID)
	if err != nil || n != 3 {
		t.Fatalf("CancelBroadcast = %d, %v; want 3", n, err)
	}
	// A send already under way when the admin cancelled is still recorded.
	if err := s.MarkDeliverySent(ctx, again[0].ID, 78); err != nil {
		t.Fatal(err)
	}
	want = storage.DeliveryCounts{Total: 6, Sent: 2, Failed: 1, Blocked: 1, Cancelled: 2}
	if c := countsOf(t, s, b.ID); c != want {
		t.Errorf("after cancel counts = %+v, want %+v", c, want)
	}
	for i, wantDone := range []bool{true, false} {
		if done, err := s.FinishBroadcast(ctx, b.ID); err != nil || done != wantDone {
			t.Errorf("FinishBroadcast call %d = %t, %v; want %t", i+1, done, err, wantDone)
		}
	}
	got, err := s.Broadcast(ctx, b.ID)
	if err != nil || got.CancelledAt.IsZero() || got.FinishedAt.IsZero() {
		t.Errorf("Broadcast = %+v, %v; want cancelled and finished", got, err)
	}
	if _, err := s.CancelBroadcast(ctx, -1); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CancelBroadcast(-1) = %v, want ErrNotFound", err)
	}

	if err := s.ForgetDeliveries(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if c := countsOf(t, s, b.ID); c.Total != 5 || c.Sent != 1 {
		t.Errorf("after ForgetDeliveries counts = %+v, want 5 with 1 sent", c)
	}
}

func BenchmarkCreateBroadcast10k(b *testing.B) {
	s := storage.New(testenv.DB(b))
	ctx := context.Background()
	ids := chats(10_000)
	for b.Loop() {
		bc, err := s.CreateBroadcast(ctx, storage.NewBroadcast{Kind: "announcement", Text: "x", Recipients: ids})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.CancelBroadcast(ctx, bc.ID); err != nil {
			b.Fatal(err)
		}
	}
}
