package handlers_test

import (
	"context"
	"strconv"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// TestUrgentEnoughAcceptedWording: once enough donors have said yes, the
// others are told exactly that, in their language, not that the blood is
// covered (nobody has donated yet): on the alert they did not answer, and
// on a late "I can go".
func TestUrgentEnoughAcceptedWording(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct {
		lang, alert, yes, covered, late string
	}{
		{"vi", "CẦN MÁU KHẨN CẤP", "✅ Tôi đi được", "✅ Đã đủ người nhận lời đi hiến, cảm ơn bạn!",
			"Đã đủ người nhận lời đi hiến, cảm ơn bạn! Lần này bạn chưa cần đến."},
		{"en", "URGENT BLOOD NEED", "✅ I can go", "✅ Enough donors have accepted, thank you!",
			"Enough donors have already accepted, thank you! You are not needed this time."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			adminID, first, second := testenv.TelegramID(), testenv.TelegramID(), testenv.TelegramID()
			club := newClub(t, b, "CLB Du nguoi "+itoa(adminID), adminID)
			seed(t, b, donorSpec{id: first, group: profile.BloodONeg, clubID: club.ID, onCall: true},
				donorSpec{id: second, group: profile.BloodONeg, clubID: club.ID, onCall: true})
			for _, id := range []int64{first, second} {
				if err := b.Store.SetDonorLanguage(context.Background(), id, tc.lang); err != nil {
					t.Fatal(err)
				}
			}
			admin := b.Phone(adminID, "vi")
			admin.Send(`/urgent O- 1 "Viện Huyết học" 18h 0912345678`)
			admin.Expect("Xem trước tin khẩn cấp")
			admin.Tap("🆘 Gửi")
			needID := needIDOf(t, admin.Expect("Yêu cầu #"))
			d1, d2 := b.Phone(first, tc.lang), b.Phone(second, tc.lang)
			d1.Expect(tc.alert)
			unanswered := d2.Expect(tc.alert)
			d1.Tap(tc.yes)
			d1.Expect("0912 345 678")
			waitMessage(t, b, second, unanswered.ID, tc.covered)
			d2.TapStale(unanswered.ID, "urg:v1:"+strconv.FormatInt(needID, 10)+":y")
			d2.Expect(tc.late)
		})
	}
}
