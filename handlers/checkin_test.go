package handlers_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/telegramtest"
)

// myCode asks the donor's /mycode and returns the code from the caption
// under the QR photo.
func myCode(t *testing.T, b *bottest.Bot, p *bottest.Phone) string {
	t.Helper()
	p.Send("/mycode")
	m := b.API.WaitMessage(t, p.User.ID, func(m telegramtest.Message) bool {
		return m.Photo != nil && strings.Contains(m.Caption, "Mã điểm danh của bạn: ")
	})
	if img, err := png.Decode(bytes.NewReader(m.Photo.Data)); err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("/mycode photo is not a QR PNG: %v", err)
	}
	code, _, _ := strings.Cut(strings.SplitN(m.Caption, "Mã điểm danh của bạn: ", 2)[1], "\n")
	return code
}

// TestCheckinAndResults: at the desk an organizer finds donors by their QR
// code, by phone and by name, checks them in and records each kind of
// result; the donor is thanked with the day they may donate again (or told
// of the deferral), milestones are congratulated, a result cannot be
// recorded twice, another unit's organizer cannot record, and after the
// drive those who never came become no-shows.
func TestCheckinAndResults(t *testing.T) {
	ids := testenv.TelegramIDs(7)
	adminID, orgID, otherOrgID := ids[0], ids[1], ids[2]
	quanID, maiID, lanID, anhID := ids[3], ids[4], ids[5], ids[6]
	b := bottest.Start(t, bottest.Admins(adminID))
	clock := b.Clock
	ctx := context.Background()
	db := b.Store.DB()
	d, slots := publishedDrive(t, b, "Ngày hội Điểm danh", 48*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: quanID, name: "Đỗ Minh Quân", phone: "+84912000210"})
	seedDonor(t, b, seededDonor{id: maiID, name: "Hồ Thị Mai", phone: "+84912000211"})
	seedDonor(t, b, seededDonor{id: lanID, name: "Phạm Thị Lan", phone: "+84912000212"})
	seedDonor(t, b, seededDonor{id: anhID, name: "Phạm Thị Lan Anh", phone: "+84912000213"})
	for i, id := range []int64{quanID, maiID, lanID, anhID} {
		registerScreened(t, b, id, slots[i%2].ID, `[{"Question":"ill","Yes":false}]`, 450)
	}
	for i := range 4 { // Lan has given 4 times: the next is her 5th
		on := time.Date(2022+i/2, time.Month(1+6*(i%2)), 10, 0, 0, 0, 0, time.UTC)
		if err := b.Store.AddDonation(ctx, lanID, on, "whole_blood", 350, "self_report", 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Store.GrantRole(ctx, orgID, "organizer", 0, adminID); err != nil {
		t.Fatal(err)
	}
	org := b.Phone(orgID, "vi")
	quan, mai, lan := b.Phone(quanID, "vi"), b.Phone(maiID, "vi"), b.Phone(lanID, "vi")
	// The drive's first slot has begun: its desk is open.
	clock.Advance(48*time.Hour + 5*time.Minute)
	today := clock.Now().In(loc(t))
	typed := func(days int) string { return today.AddDate(0, 0, days).Format("02/01/2006") }
	day := func(days int) string { return shownDate(t, "vi", today.AddDate(0, 0, days)) }

	// By the QR code's text: donated 350 ml whole blood.
	code := myCode(t, b, quan)
	org.Send("/checkin " + d.Code)
	org.Expect("Điểm danh «Ngày hội Điểm danh»")
	org.Send("ABC-DEF-GHIJKLMNOP")
	org.Expect("Mã điểm danh không đúng hoặc đã hết hạn")
	org.Send(strings.ToLower(code))
	org.Expect("Đã điểm danh: Đỗ Minh Quân (0912 000 210)", "tối đa 450 ml")
	org.Tap("🩸 Hiến 350 ml")
	org.Expect("Hiến 350 ml — thành phần nào?")
	org.Tap("máu toàn phần")
	org.Expect("Đã ghi: Đỗ Minh Quân — hiến 350 ml máu toàn phần")
	// Whole blood: 12 weeks (84 days) until the next donation (TT26 Điều 6).
	quan.Expect("Cảm ơn bạn đã hiến 350 ml máu toàn phần hôm nay", "lần hiến thứ 1", "từ ngày "+day(84))
	var status string
	var checkedIn bool
	var donations int
	if err := db.QueryRow(`SELECT r.status, r.checked_in_at IS NOT NULL,
		(SELECT count(*) FROM donations n WHERE n.registration_id = r.id AND n.volume_ml = 350 AND n.source = 'drive')
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id WHERE dn.telegram_id = $1`, quanID).Scan(&status, &checkedIn, &donations); err != nil {
		t.Fatal(err)
	}
	if status != "attended" || !checkedIn || donations != 1 {
		t.Errorf("after donating: status %s, checked in %v, donations %d", status, checkedIn, donations)
	}
	quan.Send("/eligibility")
	quan.Expect("từ ngày " + day(84))

	// The same result tapped again is not recorded twice.
	var regQuan int64
	if err := db.Get(&regQuan, `SELECT r.id FROM registrations r JOIN donors dn ON dn.id = r.donor_id WHERE dn.telegram_id = $1`, quanID); err != nil {
		t.Fatal(err)
	}
	org.TapStale(1, "resk:v1:"+itoa(regQuan)+":350:whole_blood")
	org.Expect("đã có kết quả")
	if err := db.Get(&donations, `SELECT count(*) FROM donations n JOIN donors dn ON dn.id = n.donor_id WHERE dn.telegram_id = $1`, quanID); err != nil {
		t.Fatal(err)
	}
	if donations != 1 {
		t.Errorf("%d donations after a second tap, want 1", donations)
	}

	// By phone, national form: deferred on site.
	org.Send("0912-000-211")
	org.Expect("Đã điểm danh: Hồ Thị Mai")
	org.Tap("⏸ Tạm hoãn tại chỗ")
	org.Expect("Lý do tạm hoãn?")
	org.Send("Huyết sắc tố thấp")
	org.Expect("Tạm hoãn đến ngày nào?")
	org.Send("32/01/2027")
	org.Expect("Ngày chưa đúng")
	org.Send(typed(30))
	org.Expect("Đã ghi: Hồ Thị Mai — tạm hoãn đến " + day(30) + " (Huyết sắc tố thấp)")
	mai.Expect("Hôm nay bạn chưa hiến máu được: Huyết sắc tố thấp", "từ ngày "+day(30))
	mai.Send("/eligibility")
	mai.Expect("Hoãn hiến máu theo quyết định của nhân viên y tế", day(30))
	if err := db.QueryRow(`SELECT r.status FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		JOIN deferrals f ON f.registration_id = r.id AND f.source = 'on_site' AND f.note = 'Huyết sắc tố thấp'
		WHERE dn.telegram_id = $1`, maiID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "deferred" {
		t.Errorf("deferred registration has status %s", status)
	}

	// By name, two matches: the 5th donation is a milestone.
	org.Send("lan")
	org.Expect("Có nhiều người khớp")
	org.TapPrefix("Phạm Thị Lan · 0912 000 212")
	org.Expect("Đã điểm danh: Phạm Thị Lan (0912 000 212)")
	org.Tap("🩸 Hiến 250 ml")
	org.Tap("huyết tương")
	org.Expect("Đã ghi: Phạm Thị Lan — hiến 250 ml huyết tương")
	// Plasma: 2 weeks (TT26 Điều 6).
	lan.Expect("Cảm ơn bạn đã hiến 250 ml huyết tương", "lần hiến thứ 5", "từ ngày "+day(14))
	lan.Expect("Chúc mừng bạn đã hiến máu 5 lần")

	// An organizer of another unit cannot record results of this drive.
	unit, err := b.Store.CreateUnit(ctx, "club", "CLB Giọt hồng Điểm danh", "ciclub7202")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Store.GrantRole(ctx, otherOrgID, "organizer", unit.ID, adminID); err != nil {
		t.Fatal(err)
	}
	other := b.Phone(otherOrgID, "vi")
	var regAnh int64
	if err := db.Get(&regAnh, `SELECT r.id FROM registrations r JOIN donors dn ON dn.id = r.donor_id WHERE dn.telegram_id = $1`, anhID); err != nil {
		t.Fatal(err)
	}
	id := other.TapStale(1, "resk:v1:"+itoa(regAnh)+":450:whole_blood")
	b.API.WaitUntil(t, "callback answered", func() bool { _, ok := b.API.CallbackAnswer(id); return ok })
	if ans, _ := b.API.CallbackAnswer(id); !strings.Contains(ans.Text, "không phụ trách") {
		t.Errorf("result by another unit's organizer: %q", ans.Text)
	}
	other.Send("/checkin " + d.Code)
	other.Expect("Bạn không phụ trách ngày hội này")

	// The drive ends: Lan Anh never came and becomes a no-show; the donors
	// thanked at the desk get no second thank-you.
	for _, q := range []string{
		`UPDATE drive_slots SET starts_at = starts_at - interval '50 hours', ends_at = ends_at - interval '50 hours' WHERE drive_id = $1`,
		`UPDATE drives SET starts_at = starts_at - interval '50 hours', ends_at = ends_at - interval '50 hours' WHERE id = $1`,
	} {
		if _, err := db.Exec(q, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	anh := b.Phone(anhID, "vi")
	anh.Expect("Chúng mình chưa gặp bạn tại «Ngày hội Điểm danh»")
	if err := db.Get(&status, `SELECT r.status FROM registrations r JOIN donors dn ON dn.id = r.donor_id WHERE dn.telegram_id = $1`, anhID); err != nil {
		t.Fatal(err)
	}
	if status != "no_show" {
		t.Errorf("never checked in: status %s, want no_show", status)
	}
	b.Settle()
	for _, m := range quan.Messages() {
		if strings.Contains(m.Text, "Cảm ơn bạn đã hiến máu tại") {
			t.Errorf("a donor thanked at the desk was thanked again: %q", m.Text)
		}
	}
}
