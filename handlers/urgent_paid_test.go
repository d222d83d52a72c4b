package handlers_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// TestUrgentPaidBroadcast: with URGENT_PAID_BROADCAST on and a cap of 3 per
// need, the first 3 alerts of an urgent need to 5 donors go out with
// allow_paid_broadcast (which the fake Bot API checks against the spec and
// accepts) and the other 2 without; a drive reminder to one of the same
// donors, and every message to the admin, never carry it. With the setting
// off (the default), no alert does.
func TestUrgentPaidBroadcast(t *testing.T) {
	for _, tc := range []struct {
		name string
		on   bool
		paid int
	}{{"on", true, 3}, {"off", false, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			b := bottest.Start(t, bottest.Config(func(c *bot.Config) {
				c.UrgentPaidBroadcast, c.UrgentPaidBroadcastCap = tc.on, 3
			}))
			adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(5)
			club := newClub(t, b, "CLB Tra phi "+itoa(adminID), adminID)
			for _, id := range ids {
				seed(t, b, donorSpec{id: id, group: profile.BloodONeg, clubID: club.ID, onCall: true})
			}
			admin := b.Phone(adminID, "vi")
			admin.Send(`/urgent O- 2 "Viện Huyết học" 18h hôm nay 0912345678`)
			admin.Tap("🆘 Gửi")
			needID := needIDOf(t, admin.Expect("Yêu cầu #"))
			b.API.WaitUntil(t, "every alert sent", func() bool {
				n := 0
				for _, id := range ids {
					n += len(alerts(b, id))
				}
				return n == len(ids)
			})

			// A drive reminder to the first donor, after the alert.
			_, slots := publishedDrive(t, b, "Ngày hội Trả phí "+itoa(adminID), 100*time.Minute, 10)
			confirmed(t, b, ids[0], slots[0])
			b.API.WaitUntil(t, "the drive reminder", func() bool {
				for _, m := range b.API.Messages(ids[0]) {
					if !strings.Contains(m.Text, "CẦN MÁU KHẨN CẤP") {
						return true
					}
				}
				return false
			})
			drained(t, b)

			order := alertOrder(t, b, needID)
			var paid []int64
			for _, c := range b.API.CallsOf("sendMessage") {
				if c.Params["allow_paid_broadcast"] == "" {
					continue
				}
				chat, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
				if c.Params["allow_paid_broadcast"] != "true" || c.Status != http.StatusOK ||
					!slices.Contains(ids, chat) || !strings.Contains(c.Params["text"], "CẦN MÁU KHẨN CẤP") {
					t.Errorf("a paid send that is not an urgent alert accepted: %d %v", c.Status, c.Params)
				}
				paid = append(paid, chat)
			}
			slices.Sort(paid)
			want := slices.Clone(order[:tc.paid])
			slices.Sort(want)
			if !slices.Equal(paid, want) {
				t.Fatalf("paid alerts went to %v; want the first %d queued, %v (of %v)", paid, tc.paid, want, order)
			}
		})
	}
}
