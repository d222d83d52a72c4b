package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

type consoleRegistrations struct {
	Rows []struct {
		ID         int64
		Name       string
		Phone      string
		Group      string
		Slot       string
		SlotID     int64 `json:"slot_id"`
		Status     string
		StatusText string `json:"status_text"`
	}
	Total, Page, Per int
}

// TestConsoleRegistrations: an organizer of a drive's unit searches its
// registrations in the console as at the desk ("nguyen thi lan", a phone in
// any form), filters them by status and slot, pages through them and has
// the list sent as a file to their chat with the bot, on the audit log; an
// organizer of another unit learns nothing, not even that the drive exists.
func TestConsoleRegistrations(t *testing.T) {
	ids := testenv.TelegramIDs(6)
	adminID, orgID, otherOrgID, lanID, ducID, hoaID := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	unit, err := b.Store.CreateUnit(ctx, "unit", "Công an phường Cửa Nam", fmt.Sprintf("cuanam%d", orgID%100000))
	if err != nil {
		t.Fatal(err)
	}
	otherUnit, err := b.Store.CreateUnit(ctx, "unit", "Công ty May 10", fmt.Sprintf("may%d", orgID%100000))
	if err != nil {
		t.Fatal(err)
	}
	for id, u := range map[int64]int64{orgID: unit.ID, otherOrgID: otherUnit.ID} {
		if err := b.Store.GrantRole(ctx, id, "organizer", u, adminID); err != nil {
			t.Fatal(err)
		}
	}
	start := b.Now().Add(48 * time.Hour).Truncate(time.Minute)
	d, slots, err := b.Store.CreateDrive(ctx, drive.DraftInput{
		Title: "Ngày hội Cửa Nam", Wave: "Đợt 1", Organizer: "Công an phường Cửa Nam", Hospital: "Viện Huyết học - Truyền máu TW",
		Venue: "Cửa Nam, Hà Nội", Start: start, End: start.Add(time.Hour), SlotLength: 30 * time.Minute,
		SlotCapacity: 5, TargetUnits: 100, AudienceUnitID: unit.ID,
	}, adminID)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	seedDonor(t, b, seededDonor{id: lanID, name: "Nguyễn Thị Lan", phone: "+84901234567", blood: "O+"})
	seedDonor(t, b, seededDonor{id: ducID, name: "Trần Văn Đức", phone: "+84912000555", blood: "A-"})
	seedDonor(t, b, seededDonor{id: hoaID, name: "Lê Thị Hoa", phone: "+84387000111", blood: "B+"})
	lanReg := registerScreened(t, b, lanID, slots[0].ID, `[{"Question":"ill","Yes":false}]`, 350)
	registerScreened(t, b, ducID, slots[0].ID, `[{"Question":"ill","Yes":false}]`, 350)
	registerScreened(t, b, hoaID, slots[1].ID, `[{"Question":"ill","Yes":false}]`, 350)
	if err := b.Store.CheckIn(ctx, d.ID, lanReg.ID, orgID, b.Now()); err != nil {
		t.Fatal(err)
	}

	org := b.Console(orgID, "en")
	list := func(query string) consoleRegistrations {
		t.Helper()
		res := org.Get(fmt.Sprintf("/drives/%d/registrations?%s", d.ID, query))
		if res.Status != http.StatusOK {
			t.Fatalf("registrations?%s: %d %s", query, res.Status, res.Body)
		}
		var v consoleRegistrations
		res.Decode(t, &v)
		return v
	}
	slot0 := b.Now().Add(48 * time.Hour).Truncate(time.Minute).In(loc(t))
	wantSlot := slot0.Format("15:04") + "–" + slot0.Add(30*time.Minute).Format("15:04")
	for _, q := range []string{"nguyen thi lan", "Nguyen Thi LAN", "lan nguyen", "0901 234 567", "+84901234567", "901234567"} {
		got := list("q=" + url.QueryEscape(q))
		if got.Total != 1 || len(got.Rows) != 1 {
			t.Errorf("q=%q: %+v, want Lan alone", q, got)
			continue
		}
		r := got.Rows[0]
		if r.ID != lanReg.ID || r.Name != "Nguyễn Thị Lan" || r.Phone != "0901 234 567" || r.Group != "O+" ||
			r.Slot != wantSlot || r.SlotID != slots[0].ID || r.Status != "arrived" || r.StatusText != "Arrived" {
			t.Errorf("q=%q: row %+v", q, r)
		}
	}
	if got := list("status=registered"); got.Total != 2 || got.Rows[0].Name != "Trần Văn Đức" || got.Rows[1].Name != "Lê Thị Hoa" {
		t.Errorf("registered: %+v", got)
	}
	if got := list(fmt.Sprintf("slot=%d", slots[1].ID)); got.Total != 1 || got.Rows[0].Name != "Lê Thị Hoa" {
		t.Errorf("second slot: %+v", got)
	}
	if got := list("per=1&page=2"); got.Total != 3 || got.Page != 2 || got.Per != 1 || len(got.Rows) != 1 || got.Rows[0].Name != "Trần Văn Đức" {
		t.Errorf("page 2 of 1 row: %+v", got)
	}
	if got := list(""); got.Total != 3 || got.Page != 1 || got.Per != 50 || len(got.Rows) != 3 {
		t.Errorf("first page: %+v", got)
	}
	for _, bad := range []string{"per=101", "per=0", "page=0", "page=x", "status=confirmed", "slot=-1"} {
		if res := org.Get(fmt.Sprintf("/drives/%d/registrations?%s", d.ID, bad)); res.Status != http.StatusBadRequest || res.Error() != "bad_input" {
			t.Errorf("registrations?%s: %d %s", bad, res.Status, res.Body)
		}
	}

	// Another unit's organizer: 404 for the list and the export alike.
	other := b.Console(otherOrgID, "vi")
	if res := other.Get(fmt.Sprintf("/drives/%d/registrations?q=lan", d.ID)); res.Status != http.StatusNotFound || res.Error() != "not_found" {
		t.Errorf("another unit's organizer: %d %s", res.Status, res.Body)
	}
	if res := other.Post(fmt.Sprintf("/drives/%d/export", d.ID), map[string]string{"format": "csv"}); res.Status != http.StatusNotFound {
		t.Errorf("another unit's organizer exports: %d %s", res.Status, res.Body)
	}
	if res := org.Post(fmt.Sprintf("/drives/%d/export", d.ID), map[string]string{"format": "pdf"}); res.Status != http.StatusBadRequest {
		t.Errorf("export as pdf: %d %s", res.Status, res.Body)
	}

	// The export goes to the organizer's chat with the bot, and on record.
	phone := b.Phone(orgID, "en")
	before := lastID(phone)
	res := org.Post(fmt.Sprintf("/drives/%d/export", d.ID), map[string]string{"format": "xlsx"})
	var sent struct{ Sent bool }
	if res.Decode(t, &sent); res.Status != http.StatusOK || !sent.Sent {
		t.Fatalf("export: %d %s", res.Status, res.Body)
	}
	docs := documents(t, b, phone, 1, before)
	book, err := excelize.OpenReader(bytes.NewReader(docs["dang-ky-"+d.Code+".xlsx"]))
	if err != nil {
		t.Fatalf("the exported XLSX: %v (files %v)", err, len(docs))
	}
	sheetRows, err := book.GetRows(book.GetSheetName(0))
	if err != nil || len(sheetRows) != 4 {
		t.Errorf("the exported XLSX has %d rows (%v), want header + 3", len(sheetRows), err)
	}
	var audited int
	if err := b.Store.DB().Get(&audited, `SELECT count(*) FROM export_audit WHERE telegram_id = $1 AND drive_id = $2 AND row_count = 3`, orgID, d.ID); err != nil || audited != 1 {
		t.Errorf("export audit entries: %d, %v", audited, err)
	}
	if err := b.Store.DB().Get(&audited, `SELECT count(*) FROM export_audit WHERE telegram_id = $1`, otherOrgID); err != nil || audited != 0 {
		t.Errorf("the refused export is on record: %d, %v", audited, err)
	}

	// An organizer Telegram will not let the bot write to (never started
	// it, or blocked it) is told what to do, in their language.
	for _, fault := range []func(int64){b.API.Block, b.API.ChatNotFound} {
		b.API.Unblock(orgID)
		fault(orgID)
		res := org.Post(fmt.Sprintf("/drives/%d/export", d.ID), map[string]string{"format": "csv"})
		if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "press Start") {
			t.Errorf("export to a chat the bot cannot write to: %d %s", res.Status, res.Body)
		}
	}
}
