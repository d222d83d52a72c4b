package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/datefmt"
	"donorbot/drive"
	"donorbot/internal/bottest"
)

// formSavedReply is the console form's answer.
type formSavedReply struct {
	ID           int64
	Queued       int
	SkippedAtCap int    `json:"skipped_at_cap"`
	AnnounceAt   string `json:"announce_at"`
	Notice       string
}

// TestNewDriveInQuietHoursWaits: with quiet hours 21:00-07:00, a drive
// published from /newdrive at 22:00 is kept until 07:00: the organizer is
// told so, the unit's donor gets nothing at night, and the scheduler's
// job publishes and announces it at 07:00.
func TestNewDriveInQuietHoursWaits(t *testing.T) {
	clock := clockAtLocal(t, 22, 0)
	b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
		c.ReminderInterval = time.Hour
		c.QuietHours = "21:00-07:00"
	}))
	ctx := context.Background()
	orgID, unit := unitOrganizer(t, b)
	donor := b.NewPhone("en")
	seedDonorIn(t, b, donor.User.ID, "en", "Mary Nguyen")
	if err := b.Store.JoinUnit(ctx, donor.User.ID, unit.ID); err != nil {
		t.Fatal(err)
	}
	title := "Quiet newdrive " + itoa(orgID)
	org := b.Phone(orgID, "vi")
	publishByNewDrive(b, org, title, unit.Name)
	morning := clock.Now().In(loc(t)).Add(9 * time.Hour) // 07:00 the next day
	org.Expect("🌙 Đang trong giờ yên tĩnh. Ngày hội", "sẽ được đăng và gửi thông báo lúc 07:00, "+datefmt.Day("vi", morning)+".")

	announced := func() bool {
		for _, m := range donor.Messages() {
			if strings.Contains(m.Text, title) {
				return true
			}
		}
		return false
	}
	clock.Advance(8*time.Hour + 59*time.Minute) // 06:59
	if err := b.Handlers().SendReminders(ctx); err != nil {
		t.Fatal(err)
	}
	b.Settle()
	if announced() {
		t.Fatal("announced in quiet hours")
	}
	clock.Advance(time.Minute)
	if err := b.Handlers().SendReminders(ctx); err != nil {
		t.Fatal(err)
	}
	donor.Expect("A new voluntary blood donation drive", title)
}

// TestConsolePublishInQuietHoursWaits: the console's form saved without a
// time at 22:00 answers when the announcement goes out (07:00), in the
// organizer's language, and the drive stays a draft until then; by day the
// form's answer counts the donors reached and those skipped at the cap.
func TestConsolePublishInQuietHoursWaits(t *testing.T) {
	clock := clockAtLocal(t, 22, 0)
	b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
		c.ReminderInterval = time.Hour
		c.QuietHours = "21:00-07:00"
		c.ContactCap = 1
	}))
	ctx := context.Background()
	orgID, unit, donor, hospitalID := unitWithMember(t, b)
	title := "Quiet console " + itoa(orgID)
	body := validFormBody(b, 0, hospitalID, unit.ID, title)
	body["wave"] = 0
	res := b.Console(orgID, "en").Post("/drives", body)
	var saved formSavedReply
	res.Decode(t, &saved)
	morning := clock.Now().In(loc(t)).Add(9 * time.Hour)
	if res.Status != http.StatusOK || saved.AnnounceAt != morning.Format(time.RFC3339) ||
		saved.Notice != "Saved. It is quiet hours: the announcement goes out at 07:00 on "+datefmt.Day("en", morning)+"." {
		t.Fatalf("create at 22:00: %d %s", res.Status, res.Body)
	}
	if d, err := b.Store.Drive(ctx, saved.ID); err != nil || d.Status != drive.StatusDraft || !d.AnnounceAt.Equal(morning) {
		t.Fatalf("drive %+v, %v: want a draft announced at 07:00", d, err)
	}
	clock.Advance(9 * time.Hour)
	if err := b.Handlers().SendReminders(ctx); err != nil {
		t.Fatal(err)
	}
	donor.Expect("A new voluntary blood donation drive", title)

	// By day, the next drive is announced at once; the donor got one
	// message in 30 days already, the cap, and is skipped.
	second := "Day console " + itoa(orgID)
	body = validFormBody(b, 0, hospitalID, unit.ID, second)
	body["wave"] = 0
	res = b.Console(orgID, "vi").Post("/drives", body)
	var day formSavedReply
	res.Decode(t, &day)
	if res.Status != http.StatusOK || day.Queued != 0 || day.SkippedAtCap != 1 || day.AnnounceAt != "" ||
		day.Notice != "Đã gửi thông báo tới 0 người, bỏ qua 1 người đã nhận đủ 1 tin trong 30 ngày." {
		t.Errorf("create by day: %d %s", res.Status, res.Body)
	}
}
