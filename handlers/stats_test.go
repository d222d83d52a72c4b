package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// counted is progress counted independently of storage/stats.go, one plain
// COUNT per figure, over the registrations matching where (with $1).
func counted(t *testing.T, b *bottest.Bot, where string, arg any) storage.Progress {
	t.Helper()
	db := b.Store.DB()
	var p storage.Progress
	for _, c := range []struct {
		dst  *int
		cond string
	}{
		{&p.Registered, `status NOT IN ('cancelled', 'waitlisted')`},
		{&p.Waitlisted, `status = 'waitlisted'`},
		{&p.CheckedIn, `checked_in_at IS NOT NULL`},
		{&p.Deferred, `status = 'deferred'`},
		{&p.NoShow, `status = 'no_show'`},
	} {
		if err := db.Get(c.dst, `SELECT count(*) FROM registrations r WHERE `+where+` AND `+c.cond, arg); err != nil {
			t.Fatal(err)
		}
	}
	q := `SELECT count(*), coalesce(sum(n.volume_ml), 0) FROM donations n
		JOIN registrations r ON r.id = n.registration_id WHERE ` + where
	if err := db.QueryRow(q, arg).Scan(&p.Donated, &p.DonatedML); err != nil {
		t.Fatal(err)
	}
	return p
}

func expectProgress(t *testing.T, p *bottest.Phone, c storage.Progress, target int, plan string) telegramtest.Message {
	t.Helper()
	return p.Expect(
		fmt.Sprintf("Đăng ký: %d (chờ: %d)", c.Registered, c.Waitlisted),
		fmt.Sprintf("Đã đến: %d", c.CheckedIn),
		fmt.Sprintf("Đã hiến: %d đơn vị, %d ml", c.Donated, c.DonatedML),
		fmt.Sprintf("Tạm hoãn: %d — Không đến: %d", c.Deferred, c.NoShow),
		fmt.Sprintf("🎯 %d%% %s (%d/%d đơn vị)", c.Donated*100/target, plan, c.Donated, target))
}

// TestStatsAgainstTarget: /stats of a drive and of a campaign show the
// counts a plain COUNT finds, per slot, per unit and per wave, with a chart.
func TestStatsAgainstTarget(t *testing.T) {
	adminID, orgID := testenv.TelegramID(), testenv.TelegramID()
	donors := testenv.TelegramIDs(12)
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	s := b.Store
	da, slotsA := publishedDrive(t, b, "Ngày hội Tiến độ A", 48*time.Hour, 3)
	db, slotsB := publishedDrive(t, b, "Ngày hội Tiến độ B", 72*time.Hour, 3)
	if _, err := s.DB().Exec(`UPDATE drives SET wave = 'Đợt 2', target_units = 40 WHERE id = $1`, db.ID); err != nil {
		t.Fatal(err)
	}
	// publishedDrive closed A when it made B: both take registrations here.
	if _, err := s.DB().Exec(`UPDATE drives SET status = 'published' WHERE id = $1`, da.ID); err != nil {
		t.Fatal(err)
	}
	unit, err := s.CreateUnit(ctx, "unit", "Công an phường Tiến độ", "tiendo7300")
	if err != nil {
		t.Fatal(err)
	}
	regs := map[int64]drive.Registration{}
	for i := int64(0); i < 12; i++ {
		id := donors[i]
		seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến %d", i), phone: fmt.Sprintf("+849120003%02d", i)})
		if i%3 == 0 {
			if err := s.JoinUnit(ctx, id, unit.ID); err != nil {
				t.Fatal(err)
			}
		}
		slot := slotsA[0].ID // 4 in slot 1 of A (capacity 3: one waitlisted)
		switch {
		case i >= 4 && i < 8:
			slot = slotsA[1].ID
		case i >= 8:
			slot = slotsB[0].ID
		}
		regs[id] = registerScreened(t, b, id, slot, `[]`, 450)
	}
	donate := func(id int64, ml int) {
		if err := s.CheckIn(ctx, regs[id].DriveID, regs[id].ID, adminID, b.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: regs[id].ID, On: b.Now(),
			Kind: "whole_blood", VolumeML: ml, Source: "drive", RecordedBy: adminID}); err != nil {
			t.Fatal(err)
		}
	}
	donate(donors[0], 350)
	donate(donors[1], 450)
	donate(donors[4], 250)
	donate(donors[8], 350)
	if err := s.CheckIn(ctx, da.ID, regs[donors[5]].ID, adminID, b.Now()); err != nil { // checked in, no result yet
		t.Fatal(err)
	}
	if err := s.CheckIn(ctx, da.ID, regs[donors[6]].ID, adminID, b.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordOnSiteDeferral(ctx, regs[donors[6]].ID, "Huyết áp cao", b.Now().AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkAttendance(ctx, da.ID, regs[donors[7]].ID, drive.RegNoShow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cancel(ctx, donors[2], regs[donors[2]].ID, b.Now()); err != nil { // frees a seat: donors[3] is promoted
		t.Fatal(err)
	}
	wantA := counted(t, b, `r.drive_id = $1`, da.ID)
	// The counts are not trivial: every figure is there.
	if wantA.Registered != 7 || wantA.Donated != 3 || wantA.DonatedML != 1050 || wantA.CheckedIn != 5 ||
		wantA.Deferred != 1 || wantA.NoShow != 1 {
		t.Fatalf("independent counts of drive A: %+v", wantA)
	}

	if err := s.GrantRole(ctx, orgID, "organizer", 0, adminID); err != nil {
		t.Fatal(err)
	}
	org := b.Phone(orgID, "vi")
	org.Send("/stats " + da.Code)
	msg := expectProgress(t, org, wantA, 100, "chỉ tiêu")
	for _, sl := range slotsA {
		c := counted(t, b, `r.slot_id = $1`, sl.ID)
		line := fmt.Sprintf("• %s: %d / %d", sl.Start.In(loc(t)).Format("15:04"), c.Registered, c.Donated)
		if !strings.Contains(msg.Text, line) {
			t.Errorf("drive stats lack the slot line %q:\n%s", line, msg.Text)
		}
	}
	inUnit := counted(t, b, `r.drive_id = $1 AND r.donor_id IN (SELECT donor_id FROM unit_members WHERE unit_id = `+itoa(unit.ID)+`)`, da.ID)
	noUnit := counted(t, b, `r.drive_id = $1 AND r.donor_id NOT IN (SELECT donor_id FROM unit_members)`, da.ID)
	for _, line := range []string{
		fmt.Sprintf("• Công an phường Tiến độ: %d / %d", inUnit.Registered, inUnit.Donated),
		fmt.Sprintf("• (không thuộc đơn vị): %d / %d", noUnit.Registered, noUnit.Donated),
	} {
		if !strings.Contains(msg.Text, line) {
			t.Errorf("drive stats lack the unit line %q:\n%s", line, msg.Text)
		}
	}
	chart := b.API.WaitMessage(t, orgID, func(m telegramtest.Message) bool { return m.ID > msg.ID && m.Photo != nil })
	if img, err := png.Decode(bytes.NewReader(chart.Photo.Data)); err != nil || img.Bounds().Dx() < 500 {
		t.Errorf("chart is not a PNG of a readable size: %v", err)
	}

	// A campaign of both drives, set with /campaign; its name is matched
	// whatever the case.
	org.Send("/campaign " + da.Code + " Hành trình đỏ 2026")
	org.Expect("Đã gắn «Ngày hội Tiến độ A» vào chiến dịch «Hành trình đỏ 2026»")
	org.Send("/campaign " + db.Code + " hành trình đỏ 2026")
	org.Expect("Đã gắn «Ngày hội Tiến độ B» vào chiến dịch «Hành trình đỏ 2026»")
	wantAll := counted(t, b, `r.drive_id IN (SELECT id FROM drives WHERE campaign_id IS NOT NULL AND campaign_id = (SELECT campaign_id FROM drives WHERE id = $1))`, da.ID)
	wantB := counted(t, b, `r.drive_id = $1`, db.ID)
	org.Send("/stats hành trình ĐỎ 2026")
	msg = expectProgress(t, org, wantAll, 140, "kế hoạch")
	for _, line := range []string{
		fmt.Sprintf("• Đợt 1 (%s): %d / %d / 100 (%d%%)", shownDate(t, "vi", da.Start), wantA.Registered, wantA.Donated, wantA.Donated),
		fmt.Sprintf("• Đợt 2 (%s): %d / %d / 40 (%d%%)", shownDate(t, "vi", db.Start), wantB.Registered, wantB.Donated, wantB.Donated*100/40),
	} {
		if !strings.Contains(msg.Text, line) {
			t.Errorf("campaign stats lack the wave line %q:\n%s", line, msg.Text)
		}
	}
	if !strings.Contains(msg.Text, "2 đợt") {
		t.Errorf("campaign stats: %s", msg.Text)
	}
	b.API.WaitMessage(t, orgID, func(m telegramtest.Message) bool { return m.ID > msg.ID && m.Photo != nil })

	org.Send("/stats không có")
	org.Expect("Không tìm thấy ngày hội hay chiến dịch «không có»")
	donor := b.Phone(donors[0], "vi")
	donor.Send("/stats " + da.Code)
	donor.Expect("chỉ dành cho ban tổ chức")
}
