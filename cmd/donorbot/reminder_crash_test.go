package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// TestSIGKILLBetweenReminderDueAndSent kills `donorbot serve` once five
// reminders are marked due and their sends are held by the Bot API, then
// starts it again: every donor gets the reminder exactly once.
func TestSIGKILLBetweenReminderDueAndSent(t *testing.T) {
	api := telegramtest.New(t, telegramtest.WithWaitTimeout(60*time.Second))
	_, prefix := testenv.Redis(t)
	const lease = 4 * time.Second
	env := serveEnv(t, api, prefix,
		"LISTEN_ADDR=127.0.0.1:0",
		"POLL_TIMEOUT=1s",
		"REMINDER_INTERVAL=200ms",
		"BROADCAST_LEASE="+lease.String(),
		"LOG_LEVEL=warn")
	first := startChild(t, env)
	api.WaitCalls(t, "getUpdates", 1) // migrated and running

	// From now on every Bot API call is held far longer than the process
	// lives: the reminders are due, none can be sent.
	api.SetLatency(time.Minute)
	ctx := context.Background()
	store := storage.New(testenv.DB(t))
	// The donorbot processes under test run on the wall clock: so does
	// what this test writes as "now".
	now := time.Now()
	// Registered while the slot is ten hours away, so that no scheduler
	// tick meanwhile sees a reminder owed; moved below in one transaction.
	start := now.Add(10 * time.Hour).Truncate(time.Minute)
	d, slots, err := store.CreateDrive(ctx, drive.DraftInput{
		Title: "Ngày hội Sau sự cố", Wave: "Đợt 1", Organizer: "Đoàn phường Bến Nghé", Hospital: "Bệnh viện Chợ Rẫy",
		Venue: "201B Nguyễn Chí Thanh, quận 5", Start: start, End: start.Add(time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 10, TargetUnits: 50,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishDrive(ctx, d.ID, now); err != nil {
		t.Fatal(err)
	}
	donors := testenv.TelegramIDs(5)
	var regs []int64
	for _, id := range donors {
		if _, err := store.CreateDonor(ctx, id, id, "vi", "v1"); err != nil {
			t.Fatal(err)
		}
		reg, err := store.Register(ctx, id, slots[0].ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.SetScreening(ctx, reg.ID, []byte(`[]`), 450, drive.RegConfirmed, now); err != nil {
			t.Fatal(err)
		}
		regs = append(regs, reg.ID)
	}
	// Then, at once: registered yesterday and the slot 100 minutes away, so
	// the 2 h reminder (due 20 minutes ago) is owed to all five together.
	shift := start.Sub(now.Add(100 * time.Minute).Truncate(time.Minute))
	tx, err := store.DB().Beginx()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE registrations SET queued_at = queued_at - interval '1 day' WHERE id = ANY($1)`,
		`UPDATE drive_slots SET starts_at = starts_at - make_interval(secs => $2), ends_at = ends_at - make_interval(secs => $2)
			WHERE id IN (SELECT slot_id FROM registrations WHERE id = ANY($1))`,
		`UPDATE drives SET starts_at = starts_at - make_interval(secs => $2), ends_at = ends_at - make_interval(secs => $2)
			WHERE id IN (SELECT drive_id FROM registrations WHERE id = ANY($1))`,
	} {
		args := []any{pq.Array(regs)}
		if strings.Contains(q, "$2") {
			args = append(args, shift.Seconds())
		}
		if _, err := tx.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	due := func() int {
		var n int
		const q = `SELECT count(*) FROM reminders_sent r JOIN registrations g ON g.id = r.registration_id
			WHERE g.drive_id = $1 AND NOT r.skipped`
		if err := store.DB().Get(&n, q, d.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	api.WaitUntil(t, "the five reminders marked due", func() bool { return due() == len(donors) })
	time.Sleep(300 * time.Millisecond) // their sends are held now
	first.kill(t)
	api.SetLatency(0)
	for _, id := range donors {
		if n := len(api.Messages(id)); n != 0 {
			t.Fatalf("donor %d got %d messages before the kill", id, n)
		}
	}

	second := startChild(t, env)
	reminded := func(id int64) int {
		n := 0
		for _, m := range api.Messages(id) {
			if strings.Contains(m.Text, "Ngày hội Sau sự cố") {
				n++
			}
		}
		return n
	}
	api.WaitUntil(t, "every donor reminded", func() bool {
		for _, id := range donors {
			if reminded(id) == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(lease + time.Second) // a duplicate would come after a lease
	second.kill(t)
	for _, id := range donors {
		if n := reminded(id); n != 1 {
			t.Errorf("donor %d got the reminder %d times, want once", id, n)
		}
	}
	if n := due(); n != len(donors) {
		t.Errorf("%d reminders recorded due, want %d", n, len(donors))
	}
}
