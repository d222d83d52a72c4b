package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// TestCheckinOffersOnlyAllowedBags: the desk offers a 44 kg woman only the
// 250 ml bag (TT26 Điều 4 khoản 2 điểm a: 42 to under 45 kg) and only whole
// blood (apheresis needs 50 kg, điểm b); a forged 450 ml button is refused.
// A 60 kg donor is offered every bag (the other check-in tests).
func TestCheckinOffersOnlyAllowedBags(t *testing.T) {
	ids := testenv.TelegramIDs(3)
	adminID, orgID, hoaID := ids[0], ids[1], ids[2]
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	d, slots := publishedDrive(t, b, "Ngày hội Cân nặng", 48*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: hoaID, name: "Lý Thị Hoa", phone: "+84912000310", sex: profile.SexFemale})
	if err := b.Store.SetDonorWeight(ctx, hoaID, 44); err != nil {
		t.Fatal(err)
	}
	reg := registerScreened(t, b, hoaID, slots[0].ID, `[{"Question":"ill_now","Yes":false}]`, 250)
	if err := b.Store.GrantRole(ctx, orgID, "organizer", 0, adminID); err != nil {
		t.Fatal(err)
	}
	org := b.Phone(orgID, "vi")
	b.Clock.Advance(48*time.Hour + 5*time.Minute)

	org.Send("/checkin " + d.Code)
	org.Expect("Điểm danh «Ngày hội Cân nặng»")
	org.Send("0912000310")
	arrived := org.Expect("Đã điểm danh: Lý Thị Hoa", "tối đa 250 ml")
	for _, v := range []string{"350", "450"} {
		if arrived.HasButtonText("🩸 Hiến " + v + " ml") {
			t.Errorf("a 44 kg donor is offered %s ml: %v", v, arrived.Buttons())
		}
	}
	upd := org.TapStale(arrived.ID, "res:v1:"+itoa(reg.ID)+":450")
	b.API.WaitUntil(t, "forged 450 ml answered", func() bool { _, ok := b.API.CallbackAnswer(upd); return ok })
	if a, _ := b.API.CallbackAnswer(upd); !strings.Contains(a.Text, "không còn hiệu lực") {
		t.Errorf("a forged 450 ml button for a 44 kg donor is answered %q", a.Text)
	}
	org.TapIn(arrived.ID, "🩸 Hiến 250 ml")
	kinds := org.Expect("Hiến 250 ml — thành phần nào?")
	if !kinds.HasButtonText("máu toàn phần") || kinds.HasButtonText("tiểu cầu") || kinds.HasButtonText("huyết tương") {
		t.Errorf("components offered to a 44 kg donor: %v", kinds.Buttons())
	}
}
