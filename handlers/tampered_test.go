package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
)

// TestTamperedCallbacksChangeNothing: a client may send any callback data.
// Data addressing another donor's registration, a drive that is not
// published or not for the user, a slot of another drive, or ids out of
// range is refused: nothing changes in the database, and the attacker learns
// nothing about the victim.
func TestTamperedCallbacksChangeNothing(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	open, openSlots := publishedDrive(t, b, "Ngày hội Mở", 48*time.Hour, 5)
	victim := b.NewPhone("vi")
	registered(t, b, victim, "Nạn Nhân Thị Bí", open)
	var victimReg int64
	if err := b.Store.DB().Get(&victimReg, `SELECT r.id FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE dn.telegram_id = $1`, victim.User.ID); err != nil {
		t.Fatal(err)
	}

	newDrive := func(title string, unitID int64) (drive.Drive, []drive.Slot) {
		start := b.Now().Add(72 * time.Hour).Truncate(time.Minute)
		d, slots, err := b.Store.CreateDrive(ctx, drive.DraftInput{
			Title: title, Wave: "Đợt 9", Organizer: "Đoàn phường", Hospital: "Bệnh viện Bạch Mai",
			Venue: "78 Giải Phóng, Hà Nội", Start: start, End: start.Add(time.Hour),
			SlotLength: 30 * time.Minute, SlotCapacity: 5, TargetUnits: 20, AudienceUnitID: unitID,
		}, 1)
		if err != nil {
			t.Fatal(err)
		}
		return d, slots
	}
	draft, draftSlots := newDrive("Ngày hội Nháp", 0)
	unit, err := b.Store.CreateUnit(ctx, "club", "CLB Kín", "kin88501")
	if err != nil {
		t.Fatal(err)
	}
	private, privateSlots := newDrive("Ngày hội Riêng", unit.ID)
	if _, err := b.Store.PublishDrive(ctx, private.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	cancelled, cancelledSlots := newDrive("Ngày hội Đã hủy", 0)
	if _, err := b.Store.PublishDrive(ctx, cancelled.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.CancelDrive(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}

	attacker := b.NewPhone("vi")
	onboard(t, b, attacker, "Kẻ Tò Mò")
	attacker.Expect("Cảm ơn")
	before := snapshot(t, b)

	reg := fmt.Sprint(victimReg)
	tampered := []string{
		"drv:v1:cancel:" + reg,
		"drv:v1:move:" + reg,
		fmt.Sprintf("drv:v1:moveto:%s:%d", reg, openSlots[1].ID),
		"drv:v1:screen:" + reg,
		"rchk:v1:" + reg + ":y",
		"rchk:v1:" + reg + ":n",
		fmt.Sprintf("rmd:v1:%s:%d:here", reg, openSlots[0].ID),
		fmt.Sprintf("rmd:v1:%s:%d:cancel", reg, openSlots[0].ID),
		fmt.Sprintf("rmd:v1:%s:%d:move", reg, openSlots[0].ID),
		fmt.Sprintf("rmd:v1:%s:%d:cant", reg, openSlots[0].ID),
		"rmd:v1:" + reg + ":x:here",
		fmt.Sprintf("drv:v1:open:%d", draft.ID),
		fmt.Sprintf("drv:v1:slot:%d:%d", draft.ID, draftSlots[0].ID),
		fmt.Sprintf("drv:v1:wait:%d:%d", draft.ID, draftSlots[0].ID),
		fmt.Sprintf("drv:v1:open:%d", private.ID),
		fmt.Sprintf("drv:v1:slot:%d:%d", private.ID, privateSlots[0].ID),
		fmt.Sprintf("drv:v1:wait:%d:%d", private.ID, privateSlots[0].ID),
		fmt.Sprintf("drv:v1:slot:%d:%d", open.ID, privateSlots[0].ID), // a slot of another drive
		fmt.Sprintf("drv:v1:slot:%d:%d", open.ID, draftSlots[0].ID),
		fmt.Sprintf("drv:v1:slot:%d:%d", cancelled.ID, cancelledSlots[0].ID),
		"drv:v1:cancel:99999999999999999999", // overflows int64
		"drv:v1:cancel:-1",
		"drv:v1:open:0",
		"drv:v1:slot:1",
		"drv:v1:bogus:1",
		"drvpg:v1:-5",
		"drvpg:v1:999999999",
		"unitpg:v1:-1",
		"remind:v1:20200101",
		"remind:v1:29991231",
		"remind:v1:2026",
		"lang:v1:xx",
		"scr:v1:a:zz:y",
		"step:v1:unit:99999999",
		"edit:v1:../../etc",
		"consent:v1:maybe",
	}
	for _, data := range tampered {
		attacker.TapStale(1, data)
	}
	b.Settle()

	if after := snapshot(t, b); after != before {
		t.Errorf("tampered callbacks changed the database:\nbefore: %s\nafter:  %s", before, after)
	}
	for _, m := range attacker.Messages() {
		if strings.Contains(m.Text, "Nạn Nhân") || strings.Contains(m.Text, "Ngày hội Nháp") || strings.Contains(m.Text, "Ngày hội Riêng") {
			t.Errorf("the attacker was shown %q", m.Text)
		}
	}
	if b.Logs.Contains(`"msg":"handler panic"`) || b.Logs.Contains(`"msg":"handler failed"`) {
		t.Errorf("tampered data caused internal errors:\n%s", b.Logs.Problems())
	}
}

// snapshot renders what tampering must not change: every registration,
// drive status and unit membership, and the donors' profiles.
func snapshot(t *testing.T, b *bottest.Bot) string {
	t.Helper()
	var s string
	const q = `SELECT concat_ws(' | ',
		(SELECT string_agg(concat_ws(',', id, donor_id, slot_id, status, allowed_volume_ml), ';' ORDER BY id) FROM registrations),
		(SELECT string_agg(concat_ws(',', id, status), ';' ORDER BY id) FROM drives),
		(SELECT string_agg(concat_ws(',', unit_id, donor_id), ';' ORDER BY unit_id, donor_id) FROM unit_members),
		(SELECT string_agg(concat_ws(',', telegram_id, full_name, phone, language), ';' ORDER BY telegram_id) FROM donors),
		(SELECT count(*) FROM date_reminders), (SELECT count(*) FROM deferrals))`
	if err := b.Store.DB().Get(&s, q); err != nil {
		t.Fatal(err)
	}
	return s
}
