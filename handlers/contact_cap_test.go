package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/internal/bottest"
)

// TestContactCapSkipsAnnouncement: a donor who already got 4 drive
// announcements in 30 days gets no 5th, while a donor who joined the unit
// later does; once the fake clock moves past 30 days from the first four,
// the capped donor gets the next one again.
func TestContactCapSkipsAnnouncement(t *testing.T) {
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.ContactCap = 4 }))
	ctx := context.Background()
	orgID, unit := unitOrganizer(t, b)
	busy := b.NewPhone("vi")
	seedDonorIn(t, b, busy.User.ID, "vi", "Lan Trần")
	if err := b.Store.JoinUnit(ctx, busy.User.ID, unit.ID); err != nil {
		t.Fatal(err)
	}
	hospitals, err := b.Store.Hospitals(ctx)
	if err != nil || len(hospitals) == 0 {
		t.Fatalf("hospitals: %v %v", hospitals, err)
	}
	announce := func(title string) {
		t.Helper()
		body := validFormBody(b, 0, hospitals[0].ID, unit.ID, title)
		body["wave"] = 0
		if res := b.Console(orgID, "vi").Post("/drives", body); res.Status != http.StatusOK {
			t.Fatalf("create %s: %d %s", title, res.Status, res.Body)
		}
		b.Settle()
	}
	got := func(p *bottest.Phone, title string) bool {
		for _, m := range p.Messages() {
			if strings.Contains(m.Text, title) {
				return true
			}
		}
		return false
	}
	prefix := "Cap " + itoa(orgID) + " "
	for i := range 4 {
		title := prefix + itoa(int64(i+1))
		announce(title)
		busy.Expect(title)
		b.Clock.Advance(24 * time.Hour)
	}

	fresh := b.NewPhone("en")
	seedDonorIn(t, b, fresh.User.ID, "en", "Mary Nguyen")
	if err := b.Store.JoinUnit(ctx, fresh.User.ID, unit.ID); err != nil {
		t.Fatal(err)
	}
	fifth := prefix + "5"
	announce(fifth)
	fresh.Expect("A new voluntary blood donation drive", fifth)
	if got(busy, fifth) {
		t.Fatal("the donor at the cap got a 5th announcement in 30 days")
	}

	// The first of the four went 4 days ago: a minute short of 30 days
	// after it, the donor is still at the cap; a minute past, they are not.
	b.Clock.Advance(26*24*time.Hour - time.Minute)
	sixth := prefix + "6"
	announce(sixth)
	fresh.Expect(sixth)
	if got(busy, sixth) {
		t.Fatal("the donor at the cap got an announcement a minute before 30 days")
	}
	b.Clock.Advance(2 * time.Minute)
	seventh := prefix + "7"
	announce(seventh)
	busy.Expect(seventh)
	fresh.Expect(seventh)
	// Checked again now that later broadcasts went out: none came late.
	if got(busy, fifth) || got(busy, sixth) {
		t.Fatal("an announcement over the cap reached the donor late")
	}
}

// TestScheduledAnnouncementWaitsForQuietHours: with quiet hours
// 21:00-07:00, a drive an organizer scheduled to be announced at 22:00 is
// not announced then, nor at 06:59; at 07:00 it is.
func TestScheduledAnnouncementWaitsForQuietHours(t *testing.T) {
	clock := clockAtLocal(t, 20, 0)
	b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
		c.ReminderInterval = time.Hour
		c.QuietHours = "21:00-07:00"
	}))
	ctx := context.Background()
	orgID, unit, donor, hospitalID := unitWithMember(t, b)
	title := "Night drive " + itoa(orgID)
	body := validFormBody(b, 0, hospitalID, unit.ID, title)
	body["wave"] = 0
	body["announce_at"] = clock.Now().Add(2 * time.Hour).In(loc(t)).Format("2006-01-02T15:04")
	res := b.Console(orgID, "vi").Post("/drives", body)
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var saved struct{ ID int64 }
	res.Decode(t, &saved)
	announced := func() bool {
		if d, err := b.Store.Drive(ctx, saved.ID); err != nil || d.Status != drive.StatusDraft {
			return true
		}
		for _, m := range donor.Messages() {
			if strings.Contains(m.Text, title) {
				return true
			}
		}
		return false
	}
	// 22:01, then 06:59.
	for _, step := range []time.Duration{2*time.Hour + time.Minute, 8*time.Hour + 58*time.Minute} {
		clock.Advance(step)
		if err := b.Handlers().SendReminders(ctx); err != nil {
			t.Fatal(err)
		}
		b.Settle()
		if announced() {
			t.Fatalf("announced in quiet hours, at %s", clock.Now().In(loc(t)).Format("15:04"))
		}
	}
	clock.Advance(time.Minute)
	if err := b.Handlers().SendReminders(ctx); err != nil {
		t.Fatal(err)
	}
	donor.Expect("A new voluntary blood donation drive", title)
}

// TestNewDriveTellsOrganizerSkippedAtCap: with a cap of one message per
// 30 days, a drive published from /newdrive reaches the unit's donor who
// got nothing yet, not the one already announced a drive this month, and
// the organizer reads that one donor was skipped.
func TestNewDriveTellsOrganizerSkippedAtCap(t *testing.T) {
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.ContactCap = 1 }))
	ctx := context.Background()
	orgID, unit := unitOrganizer(t, b)
	busy := b.NewPhone("vi")
	seedDonorIn(t, b, busy.User.ID, "vi", "Lan Trần")
	if err := b.Store.JoinUnit(ctx, busy.User.ID, unit.ID); err != nil {
		t.Fatal(err)
	}
	hospitals, err := b.Store.Hospitals(ctx)
	if err != nil || len(hospitals) == 0 {
		t.Fatalf("hospitals: %v %v", hospitals, err)
	}
	first := "Cap console " + itoa(orgID)
	body := validFormBody(b, 0, hospitals[0].ID, unit.ID, first)
	body["wave"] = 0
	if res := b.Console(orgID, "vi").Post("/drives", body); res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	busy.Expect(first)
	fresh := b.NewPhone("en")
	seedDonorIn(t, b, fresh.User.ID, "en", "Mary Nguyen")
	if err := b.Store.JoinUnit(ctx, fresh.User.ID, unit.ID); err != nil {
		t.Fatal(err)
	}

	title := "Cap newdrive " + itoa(orgID)
	org := b.Phone(orgID, "vi")
	publishByNewDrive(b, org, title, unit.Name)
	org.Expect("Đã bỏ qua 1 người đã nhận đủ 1 tin trong 30 ngày")
	fresh.Expect("A new voluntary blood donation drive", title)
	org.Expect("Đã gửi xong")
	for _, m := range busy.Messages() {
		if strings.Contains(m.Text, title) {
			t.Fatal("the donor at the cap got the /newdrive announcement")
		}
	}
	// On record with the donors it went to, as a scheduled one is: the
	// funnel counts its messages.
	var recipients int
	if err := b.Store.DB().Get(&recipients, `SELECT a.recipients FROM drive_announcements a
		JOIN drives d ON d.id = a.drive_id WHERE d.title = $1`, title); err != nil || recipients != 1 {
		t.Errorf("the announcement's record: %d recipients, %v; want 1", recipients, err)
	}
}

// publishByNewDrive walks org through /newdrive in Vietnamese for a drive
// of the unit named unitName 12 days ahead, with no campaign, and taps
// "publish and announce" at the preview.
func publishByNewDrive(b *bottest.Bot, org *bottest.Phone, title, unitName string) {
	org.Send("/newdrive")
	org.Expect("Bước 1/12")
	org.Send(title)
	org.Expect("Bước 2/12")
	org.Tap("Bỏ qua")
	org.Expect("Bước 4/12")
	org.Send("Đoàn thanh niên")
	org.Send(b.Now().AddDate(0, 0, 12).Format("02/01/2006"))
	org.Expect("Bước 6/12")
	org.Send("07:30-09:30")
	org.Expect("Bước 7/12")
	org.Send("30")
	org.Expect("Bước 8/12")
	org.Send("10")
	org.Send("Hội trường tầng 2")
	org.Send("Bệnh viện Bạch Mai")
	org.Send("40")
	org.Expect("Bước 12/12")
	org.Tap(unitName)
	org.Expect("Xem trước", title)
	org.Tap("📣 Đăng và thông báo")
}
