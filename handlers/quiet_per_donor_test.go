package handlers_test

import (
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// TestRemindersAtNightForDonorWithoutQuietHours: with quiet hours
// 21:00-07:00 and a 07:30 slot, the donor who keeps quiet hours gets the
// 2 h reminder early, at 20:59; the one who turned them off in /settings
// gets it at its moment, 05:30, not saying it is early. A thank-you after
// a drive ending at 22:00 reaches the second at once, the first at 07:00.
func TestRemindersAtNightForDonorWithoutQuietHours(t *testing.T) {
	for _, tc := range []struct{ lang, quietOff, saved, early string }{
		{"vi", "🌙 Tắt giờ yên lặng (nhận tin cả ban đêm)", "Giờ yên lặng (21:00-07:00): tắt", "Nhắc trước"},
		{"en", "🌙 Turn quiet hours off (messages at night too)", "Quiet hours (21:00-07:00): off", "Early reminder"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			clock := clockAtLocal(t, 20, 58)
			b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
				c.ReminderInterval = time.Hour
				c.QuietHours = "21:00-07:00"
			}))
			ids := testenv.TelegramIDs(2)
			keeps, night := ids[0], ids[1]
			pKeeps := seedDonated(t, b, keeps, tc.lang, time.Time{})
			pNight := seedDonated(t, b, night, tc.lang, time.Time{})
			pNight.Send("/settings")
			pNight.Tap(tc.quietOff)
			waitEdited(t, b, pNight, tc.saved)
			if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
				t.Fatal(err)
			}
			slots := publishHourDrive(t, b, "Ngày hội Không giờ yên lặng "+tc.lang, clockAtLocal(t, 7, 30).Now().AddDate(0, 0, 1))
			ended := publishHourDrive(t, b, "Ngày hội Tối muộn "+tc.lang, clockAtLocal(t, 21, 0).Now())
			for _, id := range ids {
				confirmed(t, b, id, slots[0])
				reg := confirmed(t, b, id, ended[0])
				if _, err := b.Store.DB().Exec(`UPDATE registrations SET status = 'attended' WHERE id = $1`, reg); err != nil {
					t.Fatal(err)
				}
			}
			runJobs(t, b, false) // 20:58: the 24 h reminders
			clock.Advance(time.Minute)
			runJobs(t, b, false) // 20:59
			pKeeps.Expect(tc.early, "Không giờ yên lặng")
			if n := deliveredTo(t, b, night); n != 1 {
				t.Errorf("at 20:59 the donor without quiet hours got %d messages, want the 24 h reminder only", n)
			}
			clock.Advance(time.Hour + time.Minute) // 22:00: the evening drive is over
			runJobs(t, b, false)
			pNight.Expect("Ngày hội Tối muộn")
			if n := deliveredTo(t, b, keeps); n != 2 {
				t.Errorf("at 22:00 the donor keeping quiet hours got %d messages, want the two reminders", n)
			}
			clock.Advance(7*time.Hour + 30*time.Minute) // 05:30
			runJobs(t, b, false)
			m := pNight.Expect("Không giờ yên lặng")
			if strings.Contains(m.Text, tc.early) {
				t.Errorf("the reminder at its moment says it is early: %q", m.Text)
			}
			clock.Advance(90 * time.Minute) // 07:00
			runJobs(t, b, false)
			pKeeps.Expect("Ngày hội Tối muộn")
			for id, want := range map[int64]int{keeps: 3, night: 3} {
				if n := deliveredTo(t, b, id); n != want {
					t.Errorf("donor %d got %d messages in all, want %d", id, n, want)
				}
			}
		})
	}
}

// TestNoShowNoticeAtNightWithoutQuietHours: with quiet hours 21:00-07:00,
// two donors missed a drive that ended at 22:00. The one who turned quiet
// hours off in /settings is told at once, the other at 07:00.
func TestNoShowNoticeAtNightWithoutQuietHours(t *testing.T) {
	for _, tc := range []struct{ lang, quietOff, saved, notice string }{
		{"vi", "🌙 Tắt giờ yên lặng (nhận tin cả ban đêm)", "Giờ yên lặng (21:00-07:00): tắt", "Chúng mình chưa gặp bạn"},
		{"en", "🌙 Turn quiet hours off (messages at night too)", "Quiet hours (21:00-07:00): off", "We missed you"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			clock := clockAtLocal(t, 20, 58)
			b := bottest.Start(t, bottest.Clock(clock.Now), bottest.Config(func(c *bot.Config) {
				c.ReminderInterval = time.Hour
				c.QuietHours = "21:00-07:00"
			}))
			ids := testenv.TelegramIDs(2)
			keeps, night := ids[0], ids[1]
			pKeeps := seedDonated(t, b, keeps, tc.lang, time.Time{})
			pNight := seedDonated(t, b, night, tc.lang, time.Time{})
			pNight.Send("/settings")
			pNight.Tap(tc.quietOff)
			waitEdited(t, b, pNight, tc.saved)
			slots := publishHourDrive(t, b, "Ngày hội Vắng mặt "+tc.lang, clockAtLocal(t, 21, 0).Now())
			for _, id := range ids {
				confirmed(t, b, id, slots[0])
			}
			runJobs(t, b, false) // 20:58: the reminders before the drive
			before := map[int64]int{keeps: deliveredTo(t, b, keeps), night: deliveredTo(t, b, night)}
			clock.Advance(time.Hour + 2*time.Minute) // 22:00: the drive is over
			runJobs(t, b, false)
			pNight.Expect(tc.notice, "Ngày hội Vắng mặt")
			if n := deliveredTo(t, b, keeps); n != before[keeps] {
				t.Errorf("at 22:00 the donor keeping quiet hours got %d more messages, want none", n-before[keeps])
			}
			clock.Advance(9 * time.Hour) // 07:00
			runJobs(t, b, false)
			pKeeps.Expect(tc.notice, "Ngày hội Vắng mặt")
			if n := deliveredTo(t, b, night); n != before[night]+1 {
				t.Errorf("the donor told at night got %d more messages, want the one notice", n-before[night])
			}
		})
	}
}
