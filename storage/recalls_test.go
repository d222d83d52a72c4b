package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestRecallOncePerEligibleDay: four schedulers recalling one donor for
// one eligible-from day at once queue one message; a later day's recall
// is another; the "eligible again" reminder asked for up to today is
// settled with the first, a later one is not.
func TestRecallOncePerEligibleDay(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	id := newDonors(t, s, 1)[0]
	day := time.Date(2031, 3, 10, 0, 0, 0, 0, time.UTC)
	now := day.Add(3 * time.Hour)
	for _, on := range []time.Time{day, day.AddDate(0, 0, 100)} {
		if err := s.AddDateReminder(ctx, id, on, "eligible_again"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	results := make(chan bool, 4)
	for range 4 {
		wg.Go(func() {
			ok, err := s.Recall(ctx, id, day, day, []int64{7}, now, 0, storage.ScheduledMessage{ChatID: id, Text: "recall"})
			if err != nil {
				t.Error(err)
			}
			results <- ok
		})
	}
	wg.Wait()
	close(results)
	recalled := 0
	for ok := range results {
		if ok {
			recalled++
		}
	}
	if recalled != 1 {
		t.Errorf("%d of 4 concurrent recalls went through, want 1", recalled)
	}
	ok, err := s.Recall(ctx, id, day.AddDate(0, 0, 84), day.AddDate(0, 0, 84), nil, now.AddDate(0, 0, 84), 0,
		storage.ScheduledMessage{ChatID: id, Text: "recall"})
	if err != nil || !ok {
		t.Errorf("the recall of a later day: %t, %v", ok, err)
	}
	var deliveries, unsettled int
	if err := s.DB().Get(&deliveries, `SELECT count(*) FROM broadcast_deliveries WHERE chat_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if deliveries != 2 {
		t.Errorf("%d deliveries queued, want one per eligible day", deliveries)
	}
	if err := s.DB().Get(&unsettled, `SELECT count(*) FROM date_reminders r JOIN donors d ON d.id = r.donor_id
		WHERE d.telegram_id = $1 AND r.sent_at IS NULL`, id); err != nil {
		t.Fatal(err)
	}
	if unsettled != 1 {
		t.Errorf("%d date reminders left unsettled, want the one after both recalls", unsettled)
	}
}
