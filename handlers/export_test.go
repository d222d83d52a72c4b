package handlers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// documents waits for n documents in the user's chat and returns them by name.
func documents(t *testing.T, b *bottest.Bot, p *bottest.Phone, n int, after int) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	b.API.WaitUntil(t, "documents", func() bool {
		clear(out)
		for _, m := range p.Messages() {
			if m.ID > after && m.Document != nil {
				out[m.Document.Name] = m.Document.Data
			}
		}
		return len(out) >= n
	})
	return out
}

func lastID(p *bottest.Phone) int {
	ms := p.Messages()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].ID
}

// TestExportRegistrationList: an organizer exports a drive's registrations;
// the CSV (with BOM, formula-safe) and the XLSX parse back to the same rows,
// one slot exports alone, each export is in the audit log that admins read,
// and an organizer of another unit is refused.
func TestExportRegistrationList(t *testing.T) {
	ids := testenv.TelegramIDs(6)
	adminID, orgID, otherOrgID, anhID, hyperlinkID, binhID := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	d, slots := publishedDrive(t, b, "Ngày hội Xuất danh sách", 72*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: anhID, name: "Nguyễn Thị Ánh", phone: "+84912000110", blood: "A+"})
	seedDonor(t, b, seededDonor{id: hyperlinkID, name: "=HYPERLINK(\"http://x\")", phone: "+84912000111"})
	seedDonor(t, b, seededDonor{id: binhID, name: "Trần Văn Bình", phone: "+84912000112", blood: "B-"})
	unit, err := b.Store.CreateUnit(ctx, "unit", "Công an phường Kim Mã", "kimma7110")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Store.JoinUnit(ctx, anhID, unit.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.Store.AddDonation(ctx, anhID, time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), "whole_blood", 350, "self_report", 0); err != nil {
		t.Fatal(err)
	}
	registerScreened(t, b, anhID, slots[0].ID, `[{"Question":"m6","Yes":true},{"Question":"ill_now","Yes":false},{"Question":"d14","Yes":true}]`, 350)
	registerScreened(t, b, hyperlinkID, slots[0].ID, "", 0)
	// Bình told at screening of a donation elsewhere: counted as on every
	// screen (history.Merge), with only its month known.
	registerScreened(t, b, binhID, slots[1].ID,
		`[{"Question":"donated_before","Yes":true,"When":"2030-02-01T00:00:00Z","Exact":false},{"Question":"ill","Yes":false}]`, 450)

	org := b.Phone(orgID, "vi")
	if err := b.Store.GrantRole(ctx, orgID, "organizer", 0, adminID); err != nil {
		t.Fatal(err)
	}
	before := lastID(org)
	org.Send("/export " + d.Code)
	org.Expect("Xuất danh sách đăng ký «Ngày hội Xuất danh sách»")
	org.Tap("Tất cả khung giờ")
	docs := documents(t, b, org, 2, before)
	csvData, xlsxData := docs["dang-ky-"+d.Code+".csv"], docs["dang-ky-"+d.Code+".xlsx"]
	records := readCSV(t, csvData)
	wantHeader := []string{"Khung giờ", "Họ và tên", "Điện thoại", "Ngày sinh", "Tuổi", "Giới tính", "Nhóm máu",
		"Đơn vị/CLB", "Trạng thái", "Sàng lọc", "Câu trả lời cần lưu ý", "Thể tích cho phép (ml)",
		"Số lần đã hiến", "Lần hiến gần nhất"}
	if !slices.Equal(records[0], wantHeader) {
		t.Errorf("CSV header:\n got %q\nwant %q", records[0], wantHeader)
	}
	if len(records) != 4 {
		t.Fatalf("CSV has %d rows, want header + 3: %q", len(records), records)
	}
	byName := map[string][]string{}
	for _, r := range records[1:] {
		byName[r[1]] = r
	}
	anh := byName["Nguyễn Thị Ánh"]
	slot0 := slots[0].Start.In(loc(t))
	flagged := "Trong 6 tháng: xăm, xỏ lỗ, châm cứu, sụt cân, nổi hạch hoặc phơi nhiễm máu; " +
		"Trong 14 ngày: cúm, cảm lạnh, ho, sốt hoặc đau họng"
	want := []string{slot0.Format("02/01/2006 15:04"), "Nguyễn Thị Ánh", "0912 000 110", "17/05/1990",
		itoa(int64(ageOn(1990, 5, 17, slot0))), "Nam", "A+", "Công an phường Kim Mã",
		"đã xác nhận", "đủ điều kiện", flagged, "350", "1", "02/03/2025"}
	if !slices.Equal(anh, want) {
		t.Errorf("CSV row:\n got %q\nwant %q", anh, want)
	}
	if binh := byName["Trần Văn Bình"]; binh[10] != "Đã từng hiến máu" || binh[12] != "1" || binh[13] != "02/2030" {
		t.Errorf("Bình's reported donation: flagged %q, count %q, last %q", binh[10], binh[12], binh[13])
	}
	if _, ok := byName[`'=HYPERLINK("http://x")`]; !ok {
		t.Errorf("a name starting with = is not defused in the CSV: %q", records)
	}

	sheet := checkXLSX(t, xlsxData, d.Start.In(loc(t)).Format("02.01.2006")+" Ngày hội Xuất danh s", wantHeader, 4)
	if got := sheet.text("B3"); got != "Nguyễn Thị Ánh" {
		t.Fatalf("XLSX row 3 is %q's", got)
	}
	sheet.expectText("C3", "0912 000 110")
	sheet.expectText("K3", flagged)
	sheet.expectDate("A3", "dd/mm/yyyy hh:mm", slot0)
	sheet.expectDate("D3", "dd/mm/yyyy", time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC))
	sheet.expectNumber("E3", ageOn(1990, 5, 17, slot0))
	sheet.expectNumber("L3", 350)
	sheet.expectNumber("M3", 1)
	sheet.expectDate("N3", "dd/mm/yyyy", time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC))
	sheet.expectText("B4", "Trần Văn Bình")
	sheet.expectDate("N4", "mm/yyyy", time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC))
	sheet.expectText("B2", `=HYPERLINK("http://x")`) // a typed text cell: never run

	// One slot alone.
	before = lastID(org)
	org.Send("/export " + d.Code)
	label := slots[1].Start.In(loc(t)).Format("15:04") + "–" + slots[1].End.In(loc(t)).Format("15:04")
	org.Expect("Xuất danh sách")
	org.Tap(label)
	docs = documents(t, b, org, 2, before)
	var slotCSV []byte
	for name, data := range docs {
		if strings.HasSuffix(name, ".csv") {
			slotCSV = data
		}
	}
	records = readCSV(t, slotCSV)
	if len(records) != 2 || records[1][1] != "Trần Văn Bình" {
		t.Errorf("slot export: %q", records)
	}

	// The audit log: both exports, by whom, how many rows. The files go
	// out as the export runs, before its turn commits.
	b.Settle()
	type auditRow struct {
		TelegramID int64  `db:"telegram_id"`
		DriveCode  string `db:"drive_code"`
		SlotID     *int64 `db:"slot_id"`
		Rows       int    `db:"row_count"`
	}
	var audits []auditRow
	if err := b.Store.DB().Select(&audits, `SELECT telegram_id, drive_code, slot_id, row_count
		FROM export_audit WHERE drive_id = $1 ORDER BY id`, d.ID); err != nil {
		t.Fatal(err)
	}
	if len(audits) != 2 || audits[0].TelegramID != orgID || audits[0].Rows != 3 || audits[0].SlotID != nil ||
		audits[1].Rows != 1 || audits[1].SlotID == nil || *audits[1].SlotID != slots[1].ID {
		t.Errorf("audit rows: %+v", audits)
	}
	admin := b.Phone(adminID, "vi")
	admin.Send("/audit")
	admin.Expect("Nhật ký xuất danh sách", "id Telegram "+itoa(orgID)+" (chưa đăng ký với bot) xuất «"+d.Code+"»: 3 dòng", ": 1 dòng")
	org.Send("/audit")
	org.Expect("chỉ dành cho quản trị viên")

	// An organizer of another unit does not organize this drive.
	other := b.Phone(otherOrgID, "vi")
	if err := b.Store.GrantRole(ctx, otherOrgID, "organizer", unit.ID, adminID); err != nil {
		t.Fatal(err)
	}
	other.Send("/export " + d.Code)
	other.Expect("Bạn không phụ trách ngày hội này")
	id := other.TapStale(1, "exp:v1:"+itoa(d.ID)+":0")
	b.API.WaitUntil(t, "callback answered", func() bool { _, ok := b.API.CallbackAnswer(id); return ok })
	if ans, _ := b.API.CallbackAnswer(id); !strings.Contains(ans.Text, "không phụ trách") {
		t.Errorf("export tap by another unit's organizer: %q", ans.Text)
	}
	b.Settle()
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM export_audit WHERE telegram_id = $1`, otherOrgID); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("a refused export was audited")
	}
}
