package handlers_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// TestUrgentStatusWhileSending: at 10 messages/s, the alerts of a need to
// 60 donors take about 6 s to go out. The admin's status, read while they
// do, says how many are sent of how many and the time left at that rate,
// in the admin's language; once all are out, the live status drops that
// line by itself, and so does a status read afresh.
func TestUrgentStatusWhileSending(t *testing.T) {
	const rate, donors = 10, 60
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.BroadcastRate = rate }))
	for _, tc := range []struct {
		lang, oneMessage, send, sent string
		sending                      *regexp.Regexp
	}{
		{"vi", `/urgent O- 2 "Viện Huyết học" 18h hôm nay 0912345678`, "🆘 Gửi", "Yêu cầu #",
			regexp.MustCompile(`📤 Đang gửi (\d+)/60, còn khoảng (\d+) giây`)},
		{"en", `/urgent O- 2 units "Blood Institute" 6pm today 0912345678`, "🆘 Send", "Need #",
			regexp.MustCompile(`📤 Sending (\d+)/60, about (\d+) s left`)},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(donors)
			club := newClub(t, b, "CLB Gui nhanh "+itoa(adminID), adminID)
			for _, id := range ids {
				seed(t, b, donorSpec{id: id, group: profile.BloodONeg, clubID: club.ID, onCall: true})
			}
			admin := b.Phone(adminID, tc.lang)
			admin.Send(tc.oneMessage)
			admin.Tap(tc.send)
			needID := needIDOf(t, admin.Expect(tc.sent))

			// Read the status again while alerts are still going out.
			admin.Send("/needs")
			admin.Expect("#" + strconv.FormatInt(needID, 10))
			admin.Tap("#" + strconv.FormatInt(needID, 10))
			status := admin.ExpectMatch(func(m telegramtest.Message) bool {
				return strings.Contains(m.Text, tc.sent) && !m.Edited
			})
			m := tc.sending.FindStringSubmatch(status.Text)
			if m == nil {
				t.Fatalf("the status read while sending says nothing of the sending:\n%s", status.Text)
			}
			done, _ := strconv.Atoi(m[1])
			left, _ := strconv.Atoi(m[2])
			// The time left is what the alerts not yet sent take at the
			// configured rate (less a few per cent of headroom), in seconds.
			pending := float64(donors - done)
			if done >= donors || float64(left) < pending/rate || float64(left) > pending/rate*1.05+1 {
				t.Fatalf("%d/%d sent, %d s left: want the %d pending at %d/s", done, donors, left, donors-done, rate)
			}

			// Once every alert is out, the status no longer says it is sending.
			b.API.WaitUntil(t, "every alert sent", func() bool {
				n := 0
				for _, id := range ids {
					n += len(alerts(b, id))
				}
				return n == donors
			})
			drained(t, b)
			// The live status moves on by itself: the sending line goes.
			b.API.WaitUntil(t, "the live status done sending", func() bool {
				m, ok := b.API.Message(adminID, status.ID)
				return ok && m.Edited && !tc.sending.MatchString(m.Text)
			})
			admin.Send("/needs")
			admin.Expect("#" + strconv.FormatInt(needID, 10))
			admin.Tap("#" + strconv.FormatInt(needID, 10))
			after := admin.ExpectMatch(func(m telegramtest.Message) bool {
				return m.ID > status.ID && strings.Contains(m.Text, tc.sent) && !m.Edited
			})
			if tc.sending.MatchString(after.Text) {
				t.Fatalf("the status still says it is sending once all is sent:\n%s", after.Text)
			}
		})
	}
}
