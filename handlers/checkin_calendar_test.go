package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// TestCheckinFollowsCalendar: the desk opens on the drive's day, an hour
// before its first slot, and closes when that day ends; a result button,
// even forged, records nothing for a donor never checked in; a wrong result
// is corrected by the organizer, the donor told and the change audited with
// who, when, old and new; another unit's organizer cannot correct it.
func TestCheckinFollowsCalendar(t *testing.T) {
	ids := testenv.TelegramIDs(5)
	adminID, orgID, otherOrgID, hanhID, tamID := ids[0], ids[1], ids[2], ids[3], ids[4]
	b := bottest.Start(t, bottest.Admins(adminID))
	clock := b.Clock
	ctx := context.Background()
	db := b.Store.DB()
	d, slots := publishedDrive(t, b, "Ngày hội Lịch", 48*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: hanhID, name: "Vũ Thị Hạnh", phone: "+84912000410"})
	seedDonor(t, b, seededDonor{id: tamID, name: "Lý Văn Tâm", phone: "+84912000411"})
	hanh := registerScreened(t, b, hanhID, slots[0].ID, `[{"Question":"ill","Yes":false}]`, 450)
	tam := registerScreened(t, b, tamID, slots[0].ID, `[{"Question":"ill","Yes":false}]`, 450)
	if err := b.Store.GrantRole(ctx, orgID, "organizer", 0, adminID); err != nil {
		t.Fatal(err)
	}
	org := b.Phone(orgID, "vi")
	donations := func(tgID int64) int {
		t.Helper()
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM donations n JOIN donors dn ON dn.id = n.donor_id
			WHERE dn.telegram_id = $1`, tgID); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Two days early, and two hours before the first slot: closed.
	opens := d.Start.Add(-time.Hour).In(loc(t)).Format("15:04")
	org.Send("/checkin " + d.Code)
	org.Expect("Điểm danh «Ngày hội Lịch» chưa mở", opens)
	clock.Advance(46 * time.Hour)
	org.Send("/checkin " + d.Code)
	org.Expect("chưa mở", opens)

	// A forged result button for a donor never checked in records nothing.
	upd := org.TapStale(1, "resk:v1:"+itoa(tam.ID)+":450:whole_blood")
	org.Settle()
	if a, ok := b.API.CallbackAnswer(upd); !ok || !strings.Contains(a.Text, "chưa được điểm danh") {
		t.Errorf("result without a check-in: %+v", a)
	}
	if n := donations(tamID); n != 0 {
		t.Errorf("a forged result button recorded %d donations without a check-in", n)
	}

	// The first slot has begun: the desk is open.
	clock.Advance(2*time.Hour + 5*time.Minute)
	org.Send("/checkin " + d.Code)
	org.Expect("Điểm danh «Ngày hội Lịch»", "Gửi mã điểm danh")
	org.Send("0912000410")
	org.Expect("Đã điểm danh: Vũ Thị Hạnh")
	var checkedIn time.Time
	if err := db.Get(&checkedIn, `SELECT checked_in_at FROM registrations WHERE id = $1`, hanh.ID); err != nil {
		t.Fatal(err)
	}
	if d := checkedIn.Sub(clock.Now()); d > time.Minute || d < -time.Minute {
		t.Errorf("checked in at %v, the bot's clock says %v", checkedIn, clock.Now())
	}
	org.Tap("🩸 Hiến 350 ml")
	org.Tap("máu toàn phần")
	org.Expect("Đã ghi: Vũ Thị Hạnh — hiến 350 ml máu toàn phần")
	p := b.Phone(hanhID, "vi")
	p.Expect("Cảm ơn bạn đã hiến 350 ml máu toàn phần")

	// Another unit's organizer cannot correct it.
	unit, err := b.Store.CreateUnit(ctx, "club", "CLB Lịch khác", "caltest7402")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Store.GrantRole(ctx, otherOrgID, "organizer", unit.ID, adminID); err != nil {
		t.Fatal(err)
	}
	other := b.Phone(otherOrgID, "vi")
	upd = other.TapStale(1, "resk:v1:"+itoa(hanh.ID)+":250:plasma:fix")
	other.Settle()
	if a, ok := b.API.CallbackAnswer(upd); !ok || !strings.Contains(a.Text, "không phụ trách") {
		t.Errorf("correction by another unit's organizer: %+v", a)
	}

	// It was 450 ml of red cells: the organizer corrects it.
	org.Tap("✏️ Sửa kết quả")
	org.Expect("Sửa kết quả của Vũ Thị Hạnh")
	org.Tap("🩸 Hiến 450 ml")
	org.Tap("hồng cầu")
	org.Expect("Đã sửa kết quả của Vũ Thị Hạnh: hiến 350 ml máu toàn phần → hiến 450 ml hồng cầu")
	p.Expect("Ban tổ chức đã sửa kết quả", "hiến 450 ml hồng cầu")
	var volume int
	var kind string
	if err := db.QueryRow(`SELECT volume_ml, kind FROM donations WHERE registration_id = $1`, hanh.ID).Scan(&volume, &kind); err != nil {
		t.Fatal(err)
	}
	if volume != 450 || kind != "red_cells" || donations(hanhID) != 1 {
		t.Errorf("after the correction: %d ml %s, %d donations", volume, kind, donations(hanhID))
	}
	var by int64
	var at time.Time
	var old, now string
	if err := db.QueryRow(`SELECT changed_by, changed_at, old_result::text, new_result::text
		FROM result_corrections WHERE registration_id = $1`, hanh.ID).Scan(&by, &at, &old, &now); err != nil {
		t.Fatalf("no audit row for the correction: %v", err)
	}
	if d := at.Sub(clock.Now()); by != orgID || d > time.Minute || d < -time.Minute ||
		!strings.Contains(old, `"volume_ml": 350`) || !strings.Contains(now, `"kind": "red_cells"`) {
		t.Errorf("audit row: by %d at %v (clock %v), %s → %s", by, at, clock.Now(), old, now)
	}

	// The day after, the desk is closed.
	clock.Advance(24 * time.Hour)
	org.Send("/checkin " + d.Code)
	org.Expect("Ngày hội «Ngày hội Lịch» đã qua")
}
