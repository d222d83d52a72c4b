package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// confirmed registers donor for slot as if screened yesterday: confirmed,
// and queued long before any reminder fell due.
func confirmed(t *testing.T, b *bottest.Bot, donor int64, slot drive.Slot) int64 {
	t.Helper()
	ctx := context.Background()
	reg, err := b.Store.Register(ctx, donor, slot.ID, b.Now())
	if err != nil {
		t.Fatal(err)
	}
	answers := `[{"Question":"chronic","Yes":false},{"Question":"d14","Yes":false},{"Question":"m6","Yes":false}]`
	if _, err := b.Store.SetScreening(ctx, reg.ID, []byte(answers), 450, drive.RegConfirmed, b.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.DB().Exec(`UPDATE registrations SET queued_at = queued_at - interval '1 day' WHERE id = $1`, reg.ID); err != nil {
		t.Fatal(err)
	}
	return reg.ID
}

// TestReminderToALostChatDelaysNoOther: five donors owe their 2 h reminder
// and one of them deleted their account (Telegram answers 400 "chat not
// found"). One run of the scheduled jobs reminds the other four with the
// morning-of check, records the fifth as failed, and in the same run still
// marks the no-show of an ended drive, offers to widen an urgent need and
// sends a donor's "eligible again" reminder.
func TestReminderToALostChatDelaysNoOther(t *testing.T) {
	// The bot's own scheduler stays out of the way: the test runs the jobs.
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.ReminderInterval = time.Hour }))
	clock := b.Clock
	ctx := context.Background()
	ids := testenv.TelegramIDs(8)
	adminID, onCallID, absentID := ids[0], ids[1], ids[2]
	// reminded owe the 2 h reminder; the chat of the first is lost.
	reminded := ids[3:]
	lost := reminded[0]
	club := newClub(t, b, "CLB Ngan hang mau song 8800", adminID)
	specs := []donorSpec{{id: onCallID, group: profile.BloodBNeg, clubID: club.ID, onCall: true}}
	for _, id := range ids[2:] {
		specs = append(specs, donorSpec{id: id, group: profile.BloodOPos})
	}
	seed(t, b, specs...)

	// An urgent need whose admin asked to be offered a wider call after 2 h.
	admin := b.Phone(adminID, "vi")
	needID, _ := raiseNeed(t, admin, needOptions{group: "B-", component: "máu toàn phần", units: "2",
		widen: "Sau 2 giờ", expect: []string{"1 người phù hợp"}})
	b.Phone(onCallID, "vi").Expect("CẦN MÁU KHẨN CẤP")

	// A drive that ended an hour ago, where a donor never showed up.
	ended, endedSlots := publishedDrive(t, b, "Ngày hội Đã qua", 48*time.Hour, 5)
	absent := confirmed(t, b, absentID, endedSlots[0])
	for _, q := range []string{
		`UPDATE drive_slots SET starts_at = starts_at - interval '51 hours', ends_at = ends_at - interval '51 hours' WHERE drive_id = $1`,
		`UPDATE drives SET starts_at = starts_at - interval '51 hours', ends_at = ends_at - interval '51 hours' WHERE id = $1`,
	} {
		if _, err := b.Store.DB().Exec(q, ended.ID); err != nil {
			t.Fatal(err)
		}
	}

	clock.Advance(2*time.Hour + time.Minute)
	// Its first slot starts in 100 minutes: the 2 h reminder is due. The
	// lost chat registered first, so is reminded first.
	_, slots := publishedDrive(t, b, "Ngày hội Bình minh", 100*time.Minute, 10)
	for _, id := range reminded {
		confirmed(t, b, id, slots[0])
	}
	// One of them also asked to hear when they may donate again, from yesterday.
	if err := b.Store.AddDateReminder(ctx, reminded[2], calendarDay(t, b.Now()).AddDate(0, 0, -1), "eligible_again"); err != nil {
		t.Fatal(err)
	}
	b.API.ChatNotFound(lost)

	if err := b.Handlers().SendReminders(ctx); err != nil {
		t.Errorf("SendReminders: %v", err)
	}
	var status string
	if err := b.Store.DB().Get(&status, `SELECT status FROM registrations WHERE id = $1`, absent); err != nil {
		t.Fatal(err)
	}
	if status != "no_show" {
		t.Errorf("the absent donor's registration is %s after the run, want no_show", status)
	}
	admin.Expect("Yêu cầu #"+itoa(needID)+" mới có 0/2", "mở rộng")
	// The notices end with their next step as a button, not a command.
	if m := b.Phone(absentID, "vi").Expect("Chúng mình chưa gặp bạn tại «Ngày hội Đã qua»"); !m.HasButtonText("🩸 Ngày hội hiến máu") {
		t.Errorf("no-show notice without the drives button: %+v", m.InlineKeyboard)
	}

	for _, id := range reminded[1:] {
		m := b.Phone(id, "vi").Expect("Nhắc lịch hiến máu", "Ngày hội Bình minh", "có gì thay đổi")
		if !m.HasButtonText("Có") || !m.HasButtonText("Không") {
			t.Errorf("donor %d: reminder without the morning-of check buttons: %+v", id, m)
		}
	}
	if m := b.Phone(reminded[2], "vi").Expect("bạn có thể hiến máu lại"); !m.HasButtonText("🩸 Ngày hội hiến máu") {
		t.Errorf("eligible-again reminder without the drives button: %+v", m.InlineKeyboard)
	}
	var reason string
	b.API.WaitUntil(t, "the lost chat's reminder recorded as failed", func() bool {
		err := b.Store.DB().Get(&reason, `SELECT coalesce(reason, '') FROM broadcast_deliveries WHERE chat_id = $1 AND status = 'failed'`, lost)
		return err == nil
	})
	if !strings.Contains(reason, "chat not found") {
		t.Errorf("failed reminder's reason = %q, want Telegram's description", reason)
	}
	if n := len(b.API.Messages(lost)); n != 0 {
		t.Errorf("the lost chat holds %d messages", n)
	}
	b.Settle()
	// A delivery is counted once its send returned, a moment after the
	// phone shows it: wait for each count rather than read it once.
	for metricName, want := range map[string]string{
		`donorbot_scheduled_queued_total{kind="reminder_2h"}`:            "5",
		`donorbot_deliveries_total{kind="reminder_2h",outcome="sent"}`:   "4",
		`donorbot_deliveries_total{kind="reminder_2h",outcome="failed"}`: "1",
		`donorbot_scheduled_queued_total{kind="widen_offer"}`:            "1",
	} {
		b.API.WaitUntil(t, metricName+" = "+want, func() bool { return metric(t, b, metricName) == want })
	}
}
