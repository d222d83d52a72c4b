package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// Reminder tests put their drives in years of their own: QueueDueReminders
// sees every drive of the shared test database, and only these are due then.

// queueDue queues the reminders due at now and returns those it rendered.
func queueDue(s *storage.Store, now time.Time, offsets []time.Duration, limit int) ([]storage.DueReminder, error) {
	var rs []storage.DueReminder
	_, err := s.QueueDueReminders(context.Background(), now, now, false, offsets, limit,
		func(r storage.DueReminder) (storage.ScheduledMessage, error) {
			rs = append(rs, r)
			return storage.ScheduledMessage{ChatID: r.ChatID, Text: "reminder " + r.Kind}, nil
		})
	return rs, err
}

func claim(t *testing.T, s *storage.Store, now time.Time) []string {
	t.Helper()
	rs, err := queueDue(s, now, nil, 100)
	if err != nil {
		t.Fatalf("QueueDueReminders(%s): %v", now, err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, fmt.Sprintf("%d:%s", r.TelegramID, r.Kind))
		if r.Drive.ID == 0 || r.Slot.ID == 0 || r.ChatID != r.TelegramID || r.Language != "vi" {
			t.Errorf("reminder %+v lacks details", r)
		}
	}
	slices.Sort(got)
	return got
}

func tag(id int64, kind string) string { return fmt.Sprintf("%d:%s", id, kind) }

// Issue 4: reminders 24 h and 2 h before the slot, for confirmed donors of
// published drives; one whose time has passed is skipped; a thank-you after
// the drive to those who attended.
var queueDueRuns atomic.Int64

func TestQueueDueReminders(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	// Each run (go test -count) takes a week of its own: what earlier runs
	// left in this database is then never due with it.
	week := 7 * int(queueDueRuns.Add(1))
	T := time.Date(2041, time.March, 9, 0, 30, 0, 0, time.UTC).AddDate(0, 0, week) // 07:30 in Ho Chi Minh City
	d, slots := publishedDrive(t, s, T, 2, 1)
	donors := newDonors(t, s, 4)
	for i, slot := range []int{0, 0, 1} { // donor 1 is waitlisted
		if _, err := s.Register(ctx, donors[i], slots[slot].ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	cancelled, cslots := publishedDrive(t, s, T, 1, 1)
	if _, err := s.Register(ctx, donors[3], cslots[0].ID, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelDrive(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name string
		now  time.Time
		want []string
	}{
		{"NothingYet", T.Add(-25 * time.Hour), nil},
		{"24h", T.Add(-24 * time.Hour), []string{tag(donors[0], "24h")}},
		// Slot 1 starts at T+30m: its 24h reminder falls due at T-23h30m.
		{"OnlyOnce", T.Add(-24*time.Hour + 10*time.Minute), nil},
		// Slot 1 starts at T+30m: its 24h reminder is stale at T-1h, its 2h due.
		{"2hAnd24hSkipped", T.Add(-time.Hour), []string{tag(donors[0], "2h"), tag(donors[2], "2h")}},
		{"NothingAfterStart", T.Add(10 * time.Minute), nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if got := claim(t, s, st.now); !slices.Equal(got, st.want) {
				t.Errorf("claimed %v, want %v", got, st.want)
			}
		})
	}
	var skipped []string
	const q = `SELECT x.kind FROM reminders_sent x JOIN registrations r ON r.id = x.registration_id
		WHERE r.drive_id = $1 AND x.skipped ORDER BY x.kind`
	if err := s.DB().Select(&skipped, q, d.ID); err != nil || !slices.Equal(skipped, []string{"24h"}) {
		t.Errorf("skipped reminders = %v, %v; want [24h] (slot 1's)", skipped, err)
	}

	t.Run("Thanks", func(t *testing.T) {
		mine, err := s.MyRegistrations(ctx, donors[0], testNow)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mine {
			if err := s.MarkAttendance(ctx, m.Drive.ID, m.Registration.ID, drive.RegAttended); err != nil {
				t.Fatal(err)
			}
		}
		if got := claim(t, s, d.End.Add(-time.Minute)); got != nil {
			t.Errorf("before the end: %v", got)
		}
		if got, want := claim(t, s, d.End.Add(time.Hour)), []string{tag(donors[0], drive.KindThanks)}; !slices.Equal(got, want) {
			t.Errorf("after the end: %v, want %v", got, want)
		}
		if got := claim(t, s, d.End.Add(2*time.Hour)); got != nil {
			t.Errorf("thanks twice: %v", got)
		}
	})
	t.Run("ThanksTooLate", func(t *testing.T) {
		mine, err := s.MyRegistrations(ctx, donors[2], testNow)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkAttendance(ctx, d.ID, mine[0].Registration.ID, drive.RegAttended); err != nil {
			t.Fatal(err)
		}
		if got := claim(t, s, d.End.Add(drive.ThanksWindow)); got != nil {
			t.Errorf("thanks after the window: %v", got)
		}
	})
	t.Run("ErrReminderOffset", func(t *testing.T) {
		if _, err := queueDue(s, T, []time.Duration{0}, 10); !errors.Is(err, drive.ErrReminderOffset) {
			t.Errorf("QueueDueReminders with offset 0 = %v, want drive.ErrReminderOffset", err)
		}
	})
}

// A reminder that fell due before the donor registered is skipped: the
// confirmation has just said it all. The nearer one still goes out.
func TestQueueDueRemindersRegisteredAfterDue(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	T := time.Date(2043, time.April, 20, 0, 30, 0, 0, time.UTC)
	d, slots := publishedDrive(t, s, T, 1, 2)
	donors := newDonors(t, s, 2)
	for _, id := range donors {
		if _, err := s.Register(ctx, id, slots[0].ID, T.Add(-7*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// Donor 0 took the place 20 hours before the slot, after its 24h
	// reminder fell due; donor 1 a week before.
	const q = `UPDATE registrations r SET queued_at = $3 FROM donors dn
		WHERE dn.id = r.donor_id AND r.drive_id = $1 AND dn.telegram_id = $2`
	for i, since := range []time.Time{T.Add(-20 * time.Hour), T.Add(-7 * 24 * time.Hour)} {
		if _, err := s.DB().Exec(q, d.ID, donors[i], since); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := claim(t, s, T.Add(-19*time.Hour)), []string{tag(donors[1], "24h")}; !slices.Equal(got, want) {
		t.Errorf("19 h before: claimed %v, want %v", got, want)
	}
	want := []string{tag(donors[0], "2h"), tag(donors[1], "2h")}
	if got := claim(t, s, T.Add(-time.Hour)); !slices.Equal(got, want) {
		t.Errorf("1 h before: claimed %v, want %v", got, want)
	}
	var skipped []int64
	const sq = `SELECT dn.telegram_id FROM reminders_sent x JOIN registrations r ON r.id = x.registration_id
		JOIN donors dn ON dn.id = r.donor_id WHERE r.drive_id = $1 AND x.skipped AND x.kind = '24h'`
	if err := s.DB().Select(&skipped, sq, d.ID); err != nil || !slices.Equal(skipped, donors[:1]) {
		t.Errorf("skipped 24h reminders of %v, %v; want %v", skipped, err, donors[:1])
	}
}

// Two schedulers queueing at once never queue the same reminder, and
// together queue them all.
func TestQueueDueRemindersConcurrently(t *testing.T) {
	s := openPool(t)
	ctx := context.Background()
	T := time.Date(2042, time.June, 14, 0, 30, 0, 0, time.UTC)
	_, slots := publishedDrive(t, s, T, 10, 30)
	donors := newDonors(t, s, 300)
	for i, id := range donors {
		if _, err := s.Register(ctx, id, slots[i%len(slots)].ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	// Slots start from 30 minutes to 5 hours later: those starting within
	// 2 hours owe their 2h reminder, the others their 24h one.
	now := T.Add(-30 * time.Minute)
	want := map[int64]string{}
	for i, id := range donors {
		want[id] = "24h"
		if slots[i%len(slots)].Start.Sub(now) <= 2*time.Hour {
			want[id] = "2h"
		}
	}
	claimed := make([][]storage.DueReminder, 2)
	var wg sync.WaitGroup
	for w := range claimed {
		wg.Go(func() {
			for {
				rs, err := queueDue(s, now, drive.DefaultReminderOffsets, 7)
				if err != nil {
					t.Errorf("scheduler %d: %v", w, err)
					return
				}
				if len(rs) == 0 {
					return
				}
				claimed[w] = append(claimed[w], rs...)
			}
		})
	}
	wg.Wait()
	seen := map[int64]int{}
	for w, rs := range claimed {
		t.Logf("scheduler %d claimed %d", w, len(rs))
		for _, r := range rs {
			if r.Kind != want[r.TelegramID] {
				t.Errorf("donor %d: claimed a %s reminder, want %s", r.TelegramID, r.Kind, want[r.TelegramID])
			}
			seen[r.TelegramID]++
		}
	}
	for _, id := range donors {
		if seen[id] != 1 {
			t.Errorf("donor %d got %d reminders, want 1", id, seen[id])
		}
	}
	if len(seen) != len(donors) {
		t.Errorf("%d donors reminded, want %d", len(seen), len(donors))
	}
}
