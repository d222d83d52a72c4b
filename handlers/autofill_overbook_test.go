package handlers_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// overbookScene: see TestAutofillOverbook.
type overbookScene struct {
	b      *bottest.Bot
	orgID  int64
	other  int64 // an organizer of another unit
	next   drive.Drive
	slots  []drive.Slot
	donors []int64 // 10 seated, then 3 waiting on the first slot
}

func newOverbookScene(t *testing.T) overbookScene {
	t.Helper()
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	s := b.Store
	orgID, otherID := testenv.TelegramID(), testenv.TelegramID()
	key := strconv.FormatInt(testenv.TelegramID(), 36)
	unit, err := s.CreateUnit(ctx, "unit", "Bệnh viện Vắng mặt "+key, "vangmat"+key)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.GrantRole(ctx, orgID, storage.RoleOrganizer, unit.ID, adminID); err != nil {
		t.Fatal(err)
	}
	forUnit := func(d drive.Drive) {
		if _, err := s.DB().Exec(`UPDATE drives SET audience_unit_id = $2 WHERE id = $1`, d.ID, unit.ID); err != nil {
			t.Fatal(err)
		}
	}
	donors := testenv.TelegramIDs(13)
	for i, id := range donors {
		seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến vắng %d", i), phone: fmt.Sprintf("+849150%05d", i)})
	}
	if _, err := s.DB().Exec(`UPDATE donors SET language = 'en' WHERE telegram_id = $1`, donors[11]); err != nil {
		t.Fatal(err)
	}
	past, pastSlots := publishedDrive(t, b, "Ngày hội Vắng mặt đã qua "+key, 24*time.Hour, 5)
	forUnit(past)
	var pastRegs []int64
	for i, id := range donors[:10] {
		reg := registerScreened(t, b, id, pastSlots[i%2].ID, `[]`, 350)
		if i >= 5 {
			checkInAndDonate(t, b, reg, orgID, 350)
		}
		pastRegs = append(pastRegs, reg.ID)
	}
	// The scheduler marks the five who never came once the drive is over;
	// marked here too, so the test does not wait for its tick.
	b.Clock.Advance(3 * 24 * time.Hour)
	if _, err := s.DB().Exec(`UPDATE registrations SET status = 'no_show' WHERE id = ANY($1)`, int64s(pastRegs[:5])); err != nil {
		t.Fatal(err)
	}
	next, slots := publishedDrive(t, b, "Ngày hội Vắng mặt sắp tới "+key, 48*time.Hour, 5)
	forUnit(next)
	for i, id := range donors[:10] {
		registerScreened(t, b, id, slots[i%2].ID, `[]`, 350)
	}
	for _, id := range donors[10:] {
		if reg := registerScreened(t, b, id, slots[0].ID, `[]`, 350); reg.Status != drive.RegWaitlisted {
			t.Fatalf("donor %d: %s, want waitlisted", id, reg.Status)
		}
	}

	otherUnit, err := s.CreateUnit(ctx, "unit", "Nhà máy Ngoài "+key, "ngoai"+key)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.GrantRole(ctx, otherID, storage.RoleOrganizer, otherUnit.ID, adminID); err != nil {
		t.Fatal(err)
	}
	return overbookScene{b: b, orgID: orgID, other: otherID, next: next, slots: slots, donors: donors}
}

// TestAutofillOverbook: a unit's finished drive had 10 registered of whom
// 5 never came, so its learned no-show rate is (5 + 0.10 × 30) ÷ (10 + 30)
// = 20% (mobilize.Attendance). Its next drive is full, 10 seats in two
// slots, with 3 donors waiting on the first slot. The organizer's screen
// says so and offers round(10 × 20%) = 2 seats; applying them seats the
// first two of the waitlist in order, each told in their language as a
// cancellation's promotion tells them, and the third keeps waiting. Then
// the organizer adds a slot after the last one.
func TestAutofillOverbook(t *testing.T) {
	sc := newOverbookScene(t)
	b, orgID, next, slots, donors := sc.b, sc.orgID, sc.next, sc.slots, sc.donors
	ctx := context.Background()
	s := b.Store
	org := b.Phone(orgID, "vi")
	org.Send("/stats " + next.Code)
	org.Expect("Dự kiến hiến")
	org.TapEdits("🤖 Tự động mời thêm", "🈵 Ngày hội đã hết chỗ, 3 người đang trong danh sách chờ.",
		"🔎 Nếu mời bây giờ: không mời ai — đã hết chỗ, danh sách chờ được dùng trước")
	org.TapEdits("➕ Thêm 2 chỗ (tỷ lệ vắng 20%)", "1 người đang trong danh sách chờ")
	b.Phone(donors[10], "vi").Expect("🎉 Đã có chỗ cho bạn!", next.Title)
	b.Phone(donors[11], "en").Expect("🎉 A seat freed up for you!", next.Title)
	b.Settle()
	if n := len(b.Phone(donors[12], "vi").Messages()); n != 0 {
		t.Errorf("the third on the waitlist got %d messages", n)
	}
	var capacity, confirmed int
	if err := s.DB().QueryRow(`SELECT capacity, (SELECT count(*) FROM registrations WHERE slot_id = $1 AND status = 'confirmed')
		FROM drive_slots WHERE id = $1`, slots[0].ID).Scan(&capacity, &confirmed); err != nil {
		t.Fatal(err)
	}
	if capacity != 7 || confirmed != 7 {
		t.Errorf("first slot: capacity %d, confirmed %d; want 7 and 7", capacity, confirmed)
	}

	// A stale offer (the figure changed) adds nothing.
	upd := org.TapStale(1, fmt.Sprintf("afc:v1:%d:ob:5", next.ID))
	b.Settle()
	if ans, ok := b.API.CallbackAnswer(upd); !ok || ans.Text != "Số liệu đã thay đổi, mời xem lại." {
		t.Errorf("stale overbook: %+v", ans)
	}

	last := slots[len(slots)-1]
	from, to := last.End.In(loc(t)).Format("15:04"), last.End.Add(30*time.Minute).In(loc(t)).Format("15:04")
	upd = org.Tap("🕐 Thêm khung giờ " + from + "–" + to)
	b.Settle()
	if ans, ok := b.API.CallbackAnswer(upd); !ok || ans.Text != "Đã thêm khung giờ "+from+"–"+to+" với 5 chỗ." {
		t.Errorf("add a slot: %+v", ans)
	}
	got, err := s.DriveSlots(ctx, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !got[2].Start.Equal(last.End) || got[2].Capacity != 5 {
		t.Fatalf("slots after adding one: %+v", got)
	}
	d, err := s.Drive(ctx, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.End.Equal(got[2].End) {
		t.Errorf("drive ends %v, want the new slot's end %v", d.End, got[2].End)
	}
}
