package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/lib/pq"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// TestReminderBroughtForwardByQuietHours: with quiet hours 21:00-07:00
// (issue 15), the 2 h reminder of a 07:30 slot, due 05:30, reaches its
// donors at 20:59 the evening before, saying it comes early, in each
// donor's language; at 20:58 only the 24 h one had come, and at 05:30
// nothing more comes.
func TestReminderBroughtForwardByQuietHours(t *testing.T) {
	clock := clockAtLocal(t, 20, 58)
	// The bot's own scheduler stays out of the way: the test runs the jobs.
	b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
		c.ReminderInterval = time.Hour
		c.QuietHours = "21:00-07:00"
	}))
	ctx := context.Background()
	ids := testenv.TelegramIDs(2)
	vi, en := ids[0], ids[1]
	seed(t, b, donorSpec{id: vi, group: profile.BloodOPos}, donorSpec{id: en, group: profile.BloodAPos})
	if _, err := b.Store.DB().Exec(`UPDATE donors SET language = 'en' WHERE telegram_id = $1`, en); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
		t.Fatal(err)
	}
	start := clockAtLocal(t, 7, 30).Now().AddDate(0, 0, 1)
	slots := publishHourDrive(t, b, "Ngày hội Sớm mai", start)
	confirmed(t, b, vi, slots[0])
	confirmed(t, b, en, slots[0])
	run := func() {
		t.Helper()
		if err := b.Handlers().SendReminders(ctx); err != nil {
			t.Fatalf("SendReminders at %s: %v", clock.Now().In(loc(t)).Format("02 15:04"), err)
		}
	}
	phoneVI, phoneEN := b.Phone(vi, "vi"), b.Phone(en, "en")

	// 20:58: the 24 h reminder (due 07:30 today) comes as usual.
	run()
	for _, p := range []*bottest.Phone{phoneVI, phoneEN} {
		if m := p.Expect("Ngày hội Sớm mai"); m.HasButtonText("Có") || m.HasButtonText("Yes") {
			t.Errorf("the 24 h reminder already holds the morning-of check: %q", m.Text)
		}
	}
	sent := deliveredTo(t, b, vi, en)
	if sent != 2 {
		t.Fatalf("at 20:58, %d reminders were queued, want the two 24 h ones", sent)
	}

	// 20:59: the last minute before quiet hours brings the 2 h one.
	clock.Advance(time.Minute)
	run()
	m := phoneVI.Expect("Nhắc trước", "Ngày hội Sớm mai", "có gì thay đổi")
	if !m.HasButtonText("Có") || !m.HasButtonText("Không") {
		t.Errorf("the early 2 h reminder lacks the morning-of check: %+v", m)
	}
	phoneEN.Expect("Early reminder", "Ngày hội Sớm mai", "changed")

	// 05:30, the reminder's own moment, and 07:00, the end of quiet hours:
	// nothing more.
	for _, step := range []time.Duration{8*time.Hour + 31*time.Minute, 90 * time.Minute} {
		clock.Advance(step)
		run()
		if n := deliveredTo(t, b, vi, en); n != 4 {
			t.Errorf("at %s, %d messages were queued in all, want the 4 of the evening",
				clock.Now().In(loc(t)).Format("02 15:04"), n)
		}
	}
	for _, id := range ids {
		if n := len(b.API.Messages(id)); n != 2 {
			t.Errorf("donor %d holds %d messages, want the 24 h and the early 2 h reminder", id, n)
		}
	}
}

// deliveredTo waits until the queue has sent all it holds for chats and
// returns how many messages it sent them.
func deliveredTo(t *testing.T, b *bottest.Bot, chats ...int64) int {
	t.Helper()
	var pending, sent int
	b.API.WaitUntil(t, "the queue sent what it holds for the chats", func() bool {
		err := b.Store.DB().QueryRow(`SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'sent')
			FROM broadcast_deliveries WHERE chat_id = ANY($1)`, pq.Array(chats)).Scan(&pending, &sent)
		return err == nil && pending == 0
	})
	return sent
}

// TestThanksAndDateReminderWaitForMorning: with quiet hours 21:00-07:00
// (issue 15), the thank-you after a drive that ended at 22:00 and an
// "eligible again" reminder for the next day are not sent early: nothing
// comes at 22:00 or at 06:59, both come at 07:00.
func TestThanksAndDateReminderWaitForMorning(t *testing.T) {
	clock := clockAtLocal(t, 20, 0)
	b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
		c.ReminderInterval = time.Hour
		c.QuietHours = "21:00-07:00"
	}))
	ctx := context.Background()
	donor := testenv.TelegramID()
	seed(t, b, donorSpec{id: donor, group: profile.BloodOPos})
	start := clockAtLocal(t, 21, 0).Now()
	slots := publishHourDrive(t, b, "Ngày hội Đêm", start)
	reg := confirmed(t, b, donor, slots[0])
	if err := b.Store.AddDateReminder(ctx, donor, calendarDay(t, b.Now()).AddDate(0, 0, 1), "eligible_again"); err != nil {
		t.Fatal(err)
	}
	run := func() {
		t.Helper()
		if err := b.Handlers().SendReminders(ctx); err != nil {
			t.Fatalf("SendReminders at %s: %v", clock.Now().In(loc(t)).Format("02 15:04"), err)
		}
	}
	// The 2 h reminder, due 19:00, goes now: not what this test is about.
	run()
	b.Phone(donor, "vi").Expect("Ngày hội Đêm")
	before := deliveredTo(t, b, donor)
	if _, err := b.Store.DB().Exec(`UPDATE registrations SET status = 'attended' WHERE id = $1`, reg); err != nil {
		t.Fatal(err)
	}

	// 22:00, the drive's end; 06:59 the next day.
	for _, step := range []time.Duration{2 * time.Hour, 8*time.Hour + 59*time.Minute} {
		clock.Advance(step)
		run()
		if n := deliveredTo(t, b, donor); n != before {
			t.Errorf("at %s, %d messages were sent, want none", clock.Now().In(loc(t)).Format("02 15:04"), n-before)
		}
	}
	clock.Advance(time.Minute)
	run()
	// Two deliveries of two broadcasts: either may arrive first.
	b.API.WaitText(t, donor, "Cảm ơn bạn đã hiến máu tại «Ngày hội Đêm»")
	b.API.WaitText(t, donor, "bạn có thể hiến máu lại")
}

// publishHourDrive publishes a one-hour drive of two half-hour slots from
// start, at the bot's clock.
func publishHourDrive(t *testing.T, b *bottest.Bot, title string, start time.Time) []drive.Slot {
	t.Helper()
	ctx := context.Background()
	d, slots, err := b.Store.CreateDrive(ctx, drive.DraftInput{
		Title: title, Wave: "Đợt 1", Organizer: "Đoàn phường Cửa Nam", Hospital: "Viện Huyết học - Truyền máu TW",
		Venue: "25 Phan Đình Phùng, Ba Đình, Hà Nội", Start: start, End: start.Add(time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 10, TargetUnits: 20,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	return slots
}
