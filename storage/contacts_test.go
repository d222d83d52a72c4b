package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/mobilize"
	"donorbot/storage"
)

// TestContactCapHoldsUnderConcurrentFanOuts: six drives announced at once
// to two donors, one with 3 announcements in the last 30 days and one with
// none, under a cap of 4: the first gets exactly one more, the second four,
// whatever order the transactions run in (each lists the donors in another
// order, so a lock taken in list order would deadlock).
func TestContactCapHoldsUnderConcurrentFanOuts(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donors := newDonors(t, s, 2)
	busy, fresh := donors[0], donors[1]
	start := tomorrow()
	announce := func(now time.Time, to []int64) (bool, int, error) {
		d, _, err := s.CreateDrive(ctx, draft(start, 2, 5), 4242)
		if err != nil {
			t.Fatalf("CreateDrive: %v", err)
		}
		msgs := make([]storage.ScheduledMessage, len(to))
		for i, id := range to {
			msgs[i] = storage.ScheduledMessage{ChatID: id, Text: "drive " + unique()}
		}
		return s.AnnounceDrive(ctx, d.ID, now, 4, msgs)
	}
	for _, daysAgo := range []int{20, 10, 1} {
		if ok, skipped, err := announce(testNow.AddDate(0, 0, -daysAgo), []int64{busy}); !ok || skipped != 0 || err != nil {
			t.Fatalf("seeding announcement: %t, %d skipped, %v", ok, skipped, err)
		}
	}

	const fanOuts = 6
	var wg sync.WaitGroup
	skips := make(chan int, fanOuts)
	for i := range fanOuts {
		to := []int64{busy, fresh}
		if i%2 == 1 {
			to = []int64{fresh, busy}
		}
		wg.Go(func() {
			ok, skipped, err := announce(testNow, to)
			if err != nil || !ok {
				t.Errorf("fan-out %d: %t, %v", i, ok, err)
			}
			skips <- skipped
		})
	}
	wg.Wait()
	close(skips)
	total := 0
	for n := range skips {
		total += n
	}
	// busy: 1 of 6 goes, 5 skipped; fresh: 4 go, 2 skipped.
	if total != 7 {
		t.Errorf("%d skipped in all, want 7", total)
	}
	window := testNow.Add(-mobilize.CapWindow)
	for id, want := range map[int64]int{busy: 4, fresh: 4} {
		sent, err := s.ContactsSince(ctx, id, "announcement", window)
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) != want {
			t.Errorf("donor %d: %d announcements in 30 days, want %d", id, len(sent), want)
		}
	}
}

// TestRecallAtContactCap: a donor sent 4 announcements in 30 days is not
// recalled, and nothing is recorded, so the recall goes once the oldest
// falls out of the window.
func TestRecallAtContactCap(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	id := newDonors(t, s, 1)[0]
	for _, daysAgo := range []int{29, 20, 10, 1} {
		d, _, err := s.CreateDrive(ctx, draft(tomorrow(), 2, 5), 4242)
		if err != nil {
			t.Fatal(err)
		}
		msgs := []storage.ScheduledMessage{{ChatID: id, Text: "drive"}}
		if ok, _, err := s.AnnounceDrive(ctx, d.ID, testNow.AddDate(0, 0, -daysAgo), 4, msgs); !ok || err != nil {
			t.Fatalf("announcement: %t %v", ok, err)
		}
	}
	day := testNow.Truncate(24 * time.Hour)
	recall := func(now time.Time) (bool, error) {
		return s.Recall(ctx, id, day, day, nil, now, 4, storage.ScheduledMessage{ChatID: id, Text: "recall"})
	}
	if ok, err := recall(testNow); ok || !errors.Is(err, storage.ErrAtContactCap) {
		t.Fatalf("recall at the cap: %t, %v; want ErrAtContactCap", ok, err)
	}
	if ok, err := recall(testNow.AddDate(0, 0, 1)); !ok || err != nil {
		t.Fatalf("recall a day later, under the cap: %t, %v", ok, err)
	}
	sent, err := s.ContactsSince(ctx, id, "recall", testNow.AddDate(0, 0, -60))
	if err != nil || len(sent) != 1 {
		t.Fatalf("recalls recorded: %v %v, want one", sent, err)
	}
}

// TestBroadcastContactCap: an announcement broadcast (the /newdrive path)
// leaves out the donor at the cap and records the others; a broadcast that
// is no contact (an urgent alert) reaches everyone and records nothing.
func TestBroadcastContactCap(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donors := newDonors(t, s, 2)
	busy, fresh := donors[0], donors[1]
	announcement := storage.NewBroadcast{Kind: "announcement", Text: "x", Recipients: []int64{busy},
		ContactKind: "announcement", ContactCap: 2}
	for _, daysAgo := range []int{5, 1} {
		announcement.ContactAt = testNow.AddDate(0, 0, -daysAgo)
		if _, err := s.CreateBroadcast(ctx, announcement); err != nil {
			t.Fatal(err)
		}
	}
	announcement.ContactAt, announcement.Recipients = testNow, []int64{fresh, busy}
	b, err := s.CreateBroadcast(ctx, announcement)
	if err != nil {
		t.Fatal(err)
	}
	if b.Total != 1 {
		t.Errorf("announcement to a donor at the cap and one under: %d deliveries, want 1", b.Total)
	}
	urgent, err := s.CreateBroadcast(ctx, storage.NewBroadcast{Kind: "urgent", Text: "x", Recipients: []int64{busy, fresh}})
	if err != nil || urgent.Total != 2 {
		t.Errorf("urgent alert: %d deliveries, %v; want 2", urgent.Total, err)
	}
	window := testNow.Add(-mobilize.CapWindow)
	for id, want := range map[int64]int{busy: 2, fresh: 1} {
		if sent, err := s.ContactsSince(ctx, id, "announcement", window); err != nil || len(sent) != want {
			t.Errorf("donor %d: %v %v, want %d contacts", id, sent, err, want)
		}
	}
}
