package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"donorbot/bot"
	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// recallTexts are what a donor sees of a recall in one language.
type recallTexts struct {
	lang, intro, register, stop, question, stats string
}

var recallLanguages = []recallTexts{
	{lang: "vi", intro: "Từ hôm nay", register: "✍️ Đăng ký: ", stop: "🔕 Dừng các nhắc này",
		question: "Câu 1/", stats: "🔔 Nhắc hiến lại: đã nhắc 1 → đã đăng ký 1 → đã hiến 1"},
	{lang: "en", intro: "From today", register: "✍️ Register: ", stop: "🔕 Stop these reminders",
		question: "Question 1/", stats: "🔔 Recall: recalled 1 → registered 1 → donated 1"},
}

// recallBot starts a bot whose own scheduler stays out of the way (the
// test runs the jobs) on a fake clock standing at Epoch.
func recallBot(t *testing.T, quietHours string, opts ...bottest.Option) (*bottest.Bot, *bottest.FakeClock) {
	t.Helper()
	clock := clockAtLocal(t, 10, 0)
	opts = append(opts, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
		c.ReminderInterval = time.Hour
		c.QuietHours = quietHours
	}))
	return bottest.Start(t, opts...), clock
}

// runJobs runs the scheduled jobs once. fresh forgets which days' recall
// scans ran (tests of the package share a database and a calendar), so
// only the recall rows can keep a donor from being told twice.
func runJobs(t *testing.T, b *bottest.Bot, fresh bool) {
	t.Helper()
	if fresh {
		if _, err := b.Store.DB().Exec(`DELETE FROM recall_scans`); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Handlers().SendReminders(context.Background()); err != nil {
		t.Fatalf("SendReminders: %v", err)
	}
}

// onlyRecalled turns recall off for every donor but ids: the donors other
// tests of the package left in the shared database gave blood on the same
// fake days, and would be recalled, counted and offered the same drives.
func onlyRecalled(t *testing.T, b *bottest.Bot, ids ...int64) {
	t.Helper()
	if _, err := b.Store.DB().Exec(`UPDATE donors SET recall = false WHERE telegram_id <> ALL($1)`, pq.Array(ids)); err != nil {
		t.Fatal(err)
	}
}

// seedDonated seeds an onboarded donor in lang who gave whole blood on day.
func seedDonated(t *testing.T, b *bottest.Bot, id int64, lang string, day time.Time) *bottest.Phone {
	t.Helper()
	seed(t, b, donorSpec{id: id, group: profile.BloodOPos, donated: day})
	if _, err := b.Store.DB().Exec(`UPDATE donors SET language = $2 WHERE telegram_id = $1`, id, lang); err != nil {
		t.Fatal(err)
	}
	return b.Phone(id, lang)
}

// TestRecallWhenEligibleAgain: a donor gave whole blood; 83 days later the
// scheduler tells them nothing; on the 84th day (12 weeks) it tells them
// once that they may donate again, naming the upcoming drive with a
// register button and a button to stop recalls; running it again, even
// with its daily scan forgotten, sends nothing more. One tap registers
// them, and the organizer's /stats and /metrics count the donor recalled,
// registered and, once the result is recorded, donated.
func TestRecallWhenEligibleAgain(t *testing.T) {
	for _, tc := range recallLanguages {
		t.Run(tc.lang, func(t *testing.T) {
			ids := testenv.TelegramIDs(4)
			adminID, orgID, deskID, donorID := ids[0], ids[1], ids[2], ids[3]
			b, clock := recallBot(t, "21:00-07:00", bottest.Admins(adminID))
			ctx := context.Background()
			p := seedDonated(t, b, donorID, tc.lang, calendarDay(t, b.Now()))
			onlyRecalled(t, b, donorID)

			clock.Advance(83 * 24 * time.Hour)
			d, _ := publishedDrive(t, b, "Ngày hội Hiến lại "+tc.lang, 3*24*time.Hour, 5)
			runJobs(t, b, true)
			if n := deliveredTo(t, b, donorID); n != 0 {
				t.Fatalf("on day 83, %d messages were sent, want none", n)
			}

			clock.Advance(24 * time.Hour)
			runJobs(t, b, false)
			m := p.Expect(tc.intro, shownDate(t, tc.lang, b.Now()), d.Title)
			if !m.HasButtonText(tc.stop) {
				t.Errorf("the recall lacks %q: %+v", tc.stop, m.InlineKeyboard)
			}
			runJobs(t, b, false)
			runJobs(t, b, true)
			if n := deliveredTo(t, b, donorID); n != 1 {
				t.Fatalf("after three runs on day 84, %d messages were sent, want the one recall", n)
			}
			if got := metric(t, b, `donorbot_recalls_total{stage="recalled"}`); got != "1" {
				t.Errorf("recalled in /metrics = %q, want 1", got)
			}

			p.TapPrefix(tc.register)
			p.Expect(tc.question)
			var regID int64
			if err := b.Store.DB().Get(&regID, `SELECT r.id FROM registrations r JOIN donors d ON d.id = r.donor_id
				WHERE d.telegram_id = $1 AND r.drive_id = $2 AND r.recall_id IS NOT NULL`, donorID, d.ID); err != nil {
				t.Fatalf("no registration credited to the recall: %v", err)
			}
			if got := metric(t, b, `donorbot_recalls_total{stage="registered"}`); got != "1" {
				t.Errorf("registered in /metrics = %q, want 1", got)
			}
			// Screened (as the questionnaire would), then at the drive the
			// desk records 350 ml of whole blood.
			answers := `[{"Question":"chronic","Yes":false}]`
			if _, err := b.Store.SetScreening(ctx, regID, []byte(answers), 450, drive.RegConfirmed, b.Now()); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{orgID, deskID} {
				if err := b.Store.GrantRole(ctx, id, "organizer", 0, adminID); err != nil {
					t.Fatal(err)
				}
			}
			clock.Advance(2*24*time.Hour + 5*time.Minute) // the drive has begun
			desk := b.Phone(deskID, "vi")
			desk.Send("/checkin " + d.Code)
			desk.Expect("Điểm danh «" + d.Title + "»")
			desk.Send("0" + strings.TrimPrefix(seedPhone(donorID), "+84"))
			desk.Expect("Đã điểm danh: " + seedName(donorID))
			desk.Tap("🩸 Hiến 350 ml")
			desk.Tap("máu toàn phần")
			desk.Expect("Đã ghi: " + seedName(donorID))
			if got := metric(t, b, `donorbot_recalls_total{stage="donated"}`); got != "1" {
				t.Errorf("donated in /metrics = %q, want 1", got)
			}
			org := b.Phone(orgID, tc.lang)
			if _, err := b.Store.DB().Exec(`UPDATE donors SET language = $2 WHERE telegram_id = $1`, orgID, tc.lang); err != nil {
				t.Fatal(err)
			}
			org.Send("/stats " + d.Code)
			org.Expect(tc.stats)
		})
	}
}

// displayDay is the date of at as the bot shows it.
// TestRecallOff: of two donors eligible again the same day, the one who
// tapped "Stop these reminders" under an earlier recall, and the one who
// turned recall off in /settings, hear nothing; a third, with recall on,
// is recalled. Stopping says how to turn it back on.
func TestRecallOff(t *testing.T) {
	for _, tc := range recallLanguages {
		t.Run(tc.lang, func(t *testing.T) {
			b, clock := recallBot(t, "")
			ids := testenv.TelegramIDs(3)
			stopper, setter, keeper := ids[0], ids[1], ids[2]
			start := calendarDay(t, b.Now())
			// The stopper gave blood 84 days ago: recalled today.
			pStop := seedDonated(t, b, stopper, tc.lang, start.AddDate(0, 0, -84))
			publishedDrive(t, b, "Ngày hội Tắt nhắc "+tc.lang, 30*24*time.Hour, 5)
			runJobs(t, b, true)
			pStop.Expect(tc.intro)
			pStop.Tap(tc.stop)
			pStop.Expect(map[string]string{"vi": "Đã tắt nhắc", "en": "Reminders when you may donate again are off"}[tc.lang])

			// All three give blood today; the setter turns recall off in /settings.
			if err := b.Store.AddDonation(context.Background(), stopper, start, "whole_blood", 350, "drive", 0); err != nil {
				t.Fatal(err)
			}
			seedDonated(t, b, keeper, tc.lang, start)
			pSet := seedDonated(t, b, setter, tc.lang, start)
			pSet.Send("/settings")
			pSet.Tap(map[string]string{"vi": "🔕 Tắt nhắc khi hiến lại được", "en": "🔕 Turn off reminders when I may donate again"}[tc.lang])
			waitEdited(t, b, pSet, map[string]string{"vi": "Nhắc khi hiến lại được: tắt", "en": "Reminder when you may donate again: off"}[tc.lang])

			clock.Advance(84 * 24 * time.Hour)
			publishedDrive(t, b, "Ngày hội Tắt nhắc 2 "+tc.lang, 3*24*time.Hour, 5)
			runJobs(t, b, true)
			b.Phone(keeper, tc.lang).Expect(tc.intro)
			if n := deliveredTo(t, b, stopper); n != 1 {
				t.Errorf("the donor who stopped recalls got %d recalls, want only the first", n)
			}
			if n := deliveredTo(t, b, setter); n != 0 {
				t.Errorf("the donor who turned recall off got %d messages, want none", n)
			}
		})
	}
}

// TestRecallQuietHoursPerDonor: with quiet hours 21:00-07:00, two donors
// become eligible again at midnight. At 00:30 the one who turned quiet
// hours off in /settings is recalled, the other is not; at 07:00 the
// other is, and the first hears nothing more.
func TestRecallQuietHoursPerDonor(t *testing.T) {
	for _, tc := range recallLanguages {
		t.Run(tc.lang, func(t *testing.T) {
			b, clock := recallBot(t, "21:00-07:00")
			ids := testenv.TelegramIDs(2)
			night, morning := ids[0], ids[1]
			start := calendarDay(t, b.Now())
			pNight := seedDonated(t, b, night, tc.lang, start.AddDate(0, 0, -83))
			pMorning := seedDonated(t, b, morning, tc.lang, start.AddDate(0, 0, -83))
			pNight.Send("/settings")
			pNight.Tap(map[string]string{"vi": "🌙 Tắt giờ yên lặng (nhận tin cả ban đêm)", "en": "🌙 Turn quiet hours off (messages at night too)"}[tc.lang])
			waitEdited(t, b, pNight, map[string]string{"vi": "Giờ yên lặng (21:00-07:00): tắt", "en": "Quiet hours (21:00-07:00): off"}[tc.lang])
			publishedDrive(t, b, "Ngày hội Đêm khuya "+tc.lang, 3*24*time.Hour, 5)

			clock.Advance(14*time.Hour + 30*time.Minute) // 00:30 the next day: 84 days after
			runJobs(t, b, true)
			pNight.Expect(tc.intro)
			if n := deliveredTo(t, b, morning); n != 0 {
				t.Errorf("at 00:30 the donor with quiet hours on got %d messages, want none", n)
			}
			clock.Advance(6*time.Hour + 30*time.Minute) // 07:00
			runJobs(t, b, false)
			pMorning.Expect(tc.intro)
			if n := deliveredTo(t, b, night); n != 1 {
				t.Errorf("the donor recalled at night got %d messages, want the one recall", n)
			}
		})
	}
}

// waitEdited waits until the newest message holding a button of the phone's
// chat reads every substring (settings are rendered again in place).
func waitEdited(t *testing.T, b *bottest.Bot, p *bottest.Phone, substrs ...string) telegramtest.Message {
	t.Helper()
	return b.API.WaitMessage(t, p.User.ID, func(m telegramtest.Message) bool {
		for _, s := range substrs {
			if !strings.Contains(m.Text, s) {
				return false
			}
		}
		return true
	})
}

// TestRecallAtDeferralEndSettlesAskedReminder: a donor deferred on site
// for five days asked to be reminded the day it ends. That day they get
// one message, the recall with the drive to register for, not the recall
// and the reminder both; the reminder does not come later either.
func TestRecallAtDeferralEndSettlesAskedReminder(t *testing.T) {
	for _, tc := range recallLanguages {
		t.Run(tc.lang, func(t *testing.T) {
			b, clock := recallBot(t, "21:00-07:00")
			ctx := context.Background()
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodBPos})
			if _, err := b.Store.DB().Exec(`UPDATE donors SET language = $2 WHERE telegram_id = $1`, id, tc.lang); err != nil {
				t.Fatal(err)
			}
			end := calendarDay(t, b.Now()).AddDate(0, 0, 5)
			if err := b.Store.AddDeferral(ctx, id, "on_site", end, false, "on_site"); err != nil {
				t.Fatal(err)
			}
			if err := b.Store.AddDateReminder(ctx, id, end, "eligible_again"); err != nil {
				t.Fatal(err)
			}
			d, _ := publishedDrive(t, b, "Ngày hội Hết hoãn "+tc.lang, 7*24*time.Hour, 5)
			clock.Advance(5*24*time.Hour - 3*time.Hour) // 07:00 on the day the deferral ends
			runJobs(t, b, true)
			m := b.Phone(id, tc.lang).Expect(tc.intro, d.Title)
			if !m.HasButtonText(tc.stop) {
				t.Errorf("the recall lacks %q: %+v", tc.stop, m.InlineKeyboard)
			}
			clock.Advance(24 * time.Hour)
			runJobs(t, b, true)
			if n := deliveredTo(t, b, id); n != 1 {
				t.Errorf("%d messages were sent, want the recall alone", n)
			}
		})
	}
}

// TestRecallTwoWeeksAfterPlatelets: apheresis needs two weeks between
// donations, not twelve: a donor who gave platelets 13 days ago hears
// nothing, and is recalled the next day, offered the drive they are not
// registered for yet, not the one they are.
func TestRecallTwoWeeksAfterPlatelets(t *testing.T) {
	for _, tc := range recallLanguages {
		t.Run(tc.lang, func(t *testing.T) {
			b, clock := recallBot(t, "21:00-07:00")
			id := testenv.TelegramID()
			p := seedDonated(t, b, id, tc.lang, time.Time{})
			gave := calendarDay(t, b.Now()).AddDate(0, 0, -13)
			if err := b.Store.AddDonation(context.Background(), id, gave, "platelets", 0, "drive", 0); err != nil {
				t.Fatal(err)
			}
			booked, bookedSlots := publishedDrive(t, b, "Ngày hội Đã đăng ký "+tc.lang, 2*24*time.Hour, 5)
			d, _ := publishedDrive(t, b, "Ngày hội Tiểu cầu "+tc.lang, 5*24*time.Hour, 5)
			// publishedDrive closed the first when it made the second.
			if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'published' WHERE id = $1`, booked.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Store.Register(context.Background(), id, bookedSlots[0].ID, b.Now()); err != nil {
				t.Fatal(err)
			}
			runJobs(t, b, true)
			if n := deliveredTo(t, b, id); n != 0 {
				t.Fatalf("13 days after platelets, %d messages were sent, want none", n)
			}
			clock.Advance(24 * time.Hour)
			runJobs(t, b, true)
			m := p.Expect(tc.intro, shownDate(t, tc.lang, b.Now()), d.Title)
			if strings.Contains(m.Text, booked.Title) {
				t.Errorf("the recall offers the drive the donor is registered for:\n%s", m.Text)
			}
		})
	}
}

// TestRecallWithoutDrives: with no drive open to the donor, the recall
// says so and offers the drives list instead of register buttons.
func TestRecallWithoutDrives(t *testing.T) {
	for _, tc := range []struct{ lang, none, list string }{
		{"vi", "Hiện chưa có ngày hội nào còn chỗ", "📅 Xem các ngày hội"},
		{"en", "No drive open to you has free seats", "📅 See the drives"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b, _ := recallBot(t, "")
			id := testenv.TelegramID()
			p := seedDonated(t, b, id, tc.lang, calendarDay(t, b.Now()).AddDate(0, 0, -84))
			if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
				t.Fatal(err)
			}
			runJobs(t, b, true)
			m := p.Expect(tc.none)
			if !m.HasButtonText(tc.list) {
				t.Errorf("the recall lacks %q: %+v", tc.list, m.InlineKeyboard)
			}
			p.Tap(tc.list)
			p.Expect(map[string]string{"vi": "Hiện chưa có ngày hội hiến máu nào", "en": "There are no upcoming blood drives"}[tc.lang])
		})
	}
}
