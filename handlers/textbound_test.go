package handlers_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// TestLongTextStaysBounded: a name of one letter under 4,000 accents is
// refused and a decomposed name is stored composed; a 4,080-character
// search at the check-in desk and an unknown /stats query are echoed
// shortened; a need's live status with 50 long names still reaches the
// club admin. Telegram refuses any message over 4,096 characters, and the
// fake Bot API server does too.
func TestLongTextStaysBounded(t *testing.T) {
	ids := testenv.TelegramIDs(4)
	adminID, clubAdminID, legacyID, otherID := ids[0], ids[1], ids[2], ids[3]
	b := bottest.Start(t, bottest.Admins(adminID))
	clock := b.Clock

	// Onboarding: Zalgo refused, NFD stored as NFC.
	p := b.NewPhone("vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Expect("Bước 1/7", "Họ và tên")
	p.Send("A" + strings.Repeat("\u0301", 4000))
	p.Expect("Tên chỉ gồm chữ cái")
	p.Send("Nguye\u0302\u0303n Thi\u0323 Hoa")
	p.Expect("Bước 2/7")
	var stored string
	if err := b.Store.DB().Get(&stored, `SELECT full_name FROM donors WHERE telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if stored != "Nguyễn Thị Hoa" {
		t.Errorf("stored name %+q, want it in NFC", stored)
	}

	// A name stored before names were bounded (one letter under 4,000
	// accents): /profile, and the live status of a need its donor accepts,
	// still reach the user.
	club := newClub(t, b, "CLB Ten dai 7590", clubAdminID)
	seed(t, b, donorSpec{id: legacyID, group: profile.BloodOPos, clubID: club.ID, onCall: true},
		donorSpec{id: otherID, group: profile.BloodOPos, clubID: club.ID, onCall: true})
	zalgo := "A" + strings.Repeat("\u0301", 4000)
	if _, err := b.Store.DB().Exec(`UPDATE donors SET full_name = $1 WHERE telegram_id = $2`, zalgo, legacyID); err != nil {
		t.Fatal(err)
	}
	legacy := b.Phone(legacyID, "vi")
	legacy.Send("/profile")
	legacy.Expect("Hồ sơ của bạn", "Họ tên: A\u0301", "Nhóm máu: O+")
	clubAdmin := b.Phone(clubAdminID, "vi")
	_, status := raiseNeed(t, clubAdmin, needOptions{group: "O+", component: "máu toàn phần", units: "2",
		widen: "Không nhắc", expect: []string{"2 người phù hợp"}})
	for _, id := range []int64{legacyID, otherID} {
		donor := b.Phone(id, "vi")
		donor.Expect("CẦN MÁU KHẨN CẤP")
		donor.Tap("✅ Tôi đi được")
		donor.Expect("Cảm ơn bạn! Hãy đến")
	}
	m := waitMessage(t, b, clubAdminID, status.ID, "Nhận lời: 2/2", seedLocalPhone(legacyID), seedName(otherID)+" (O+) "+seedLocalPhone(otherID))
	if n := utf8.RuneCountInString(m.Text); n > 1000 {
		t.Errorf("status of %d characters", n)
	}

	// The desk echoes a long search shortened.
	d, _ := publishedDrive(t, b, "Ngày hội Chữ dài", 48*time.Hour, 5)
	clock.Advance(48*time.Hour + 5*time.Minute)
	admin := b.Phone(adminID, "vi")
	admin.Send("/checkin " + d.Code)
	admin.Expect("Điểm danh «Ngày hội Chữ dài»")
	admin.Send(strings.Repeat("ạ", 4080))
	m = admin.Expect("Không tìm thấy người đăng ký nào khớp với «ạạạ")
	if n := utf8.RuneCountInString(m.Text); n > 200 || !strings.Contains(m.Text, "ạ…»") {
		t.Errorf("not-found echo of %d characters: %.80q", n, m.Text)
	}
	admin.Send("/cancel")
	admin.Send("/stats " + strings.Repeat("x", 4000))
	m = admin.Expect("Không tìm thấy ngày hội hay chiến dịch")
	if n := utf8.RuneCountInString(m.Text); n > 200 {
		t.Errorf("/stats echo of %d characters", n)
	}
}
