package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// deskCard is the console's card of a donor at the gate.
type deskCard struct {
	ID         int64
	DriveID    int64 `json:"drive_id"`
	Name       string
	Status     string
	StatusText string `json:"status_text"`
	Volumes    []int
	Result     *struct {
		Kind, Reason, Until, Text string
		Volume                    int
		ReasonText                string `json:"reason_text"`
	}
}

// TestConsoleGate: an organizer at the gate with the console. The desk is
// closed the day before (and says when it opens); on the day a real
// /mycode code scanned checks the donor in, twice is harmless, a forged
// code and the code of another drive's donor are refused. Only the bags
// the donor may give are offered and accepted; the donor is thanked as
// from the chat desk; a second result corrects and DELETE undoes, each
// with an audit entry naming the organizer at the bot's clock.
func TestConsoleGate(t *testing.T) {
	ids := testenv.TelegramIDs(3)
	orgID, quanID, lanID := ids[0], ids[1], ids[2]
	b := bottest.Start(t)
	ctx := context.Background()
	_, otherSlots := publishedDrive(t, b, "Ngày hội khác", 48*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: lanID, name: "Nguyễn Thị Lan", phone: "+84912000511"})
	lanReg := registerScreened(t, b, lanID, otherSlots[0].ID, `[{"Question":"ill_now","Yes":false}]`, 450)
	d, slots := publishedDrive(t, b, "Ngày hội Cổng", 48*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: quanID, name: "Đỗ Minh Quân", phone: "+84912000510"})
	reg := registerScreened(t, b, quanID, slots[0].ID, `[{"Question":"ill_now","Yes":false}]`, 350)
	if err := b.Store.GrantRole(ctx, orgID, storage.RoleOrganizer, 0, 0); err != nil {
		t.Fatal(err)
	}
	gate := b.Console(orgID, "vi")
	quan, lan := b.Phone(quanID, "vi"), b.Phone(lanID, "vi")
	checkin := "/drives/" + itoa(d.ID) + "/checkin"

	// The day before: closed, and the screen says when it opens.
	b.Clock.Advance(24 * time.Hour)
	if res := gate.Post(checkin, map[string]any{"registration_id": reg.ID}); res.Status != http.StatusConflict || res.Error() != "checkin_closed" {
		t.Fatalf("check-in the day before: %d %s", res.Status, res.Body)
	}
	var g struct {
		Open   bool
		Closed string
	}
	gate.Get("/drives/"+itoa(d.ID)+"/gate").Decode(t, &g)
	opens := d.Start.Add(-time.Hour)
	if g.Open || !strings.Contains(g.Closed, "mở lúc "+opens.In(loc(t)).Format("15:04")+" "+shownDate(t, "vi", opens)) {
		t.Errorf("the gate the day before: %+v", g)
	}

	// On the day: a scanned /mycode code checks the donor in, twice is harmless.
	b.Clock.Advance(24*time.Hour + 5*time.Minute)
	code, lanCode := myCode(t, b, quan), myCode(t, b, lan)
	var got struct{ Registration deskCard }
	for range 2 {
		res := gate.Post(checkin, map[string]any{"code": code})
		if res.Status != http.StatusOK {
			t.Fatalf("scan: %d %s", res.Status, res.Body)
		}
		res.Decode(t, &got)
		c := got.Registration
		if c.ID != reg.ID || c.Status != "arrived" || c.StatusText != "đã đến, chưa có kết quả" || c.Result != nil ||
			len(c.Volumes) != 2 || c.Volumes[1] != 350 {
			t.Fatalf("card after the scan: %+v", c)
		}
	}
	swap := "A" // the code with its last MAC character changed
	if strings.HasSuffix(code, "A") {
		swap = "B"
	}
	forged := code[:len(code)-1] + swap
	for name, tc := range map[string]struct {
		body   map[string]any
		status int
		code   string
	}{
		"a forged code":              {map[string]any{"code": forged}, http.StatusNotFound, "bad_code"},
		"another drive's donor":      {map[string]any{"code": lanCode}, http.StatusNotFound, "wrong_drive"},
		"another drive's registrant": {map[string]any{"registration_id": lanReg.ID}, http.StatusNotFound, "not_found"},
	} {
		if res := gate.Post(checkin, tc.body); res.Status != tc.status || res.Error() != tc.code {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if res := gate.Post("/registrations/"+itoa(lanReg.ID)+"/result", map[string]any{"kind": "donated", "volume": 350}); res.Error() != "not_checked_in" {
		t.Errorf("a result before check-in: %d %s", res.Status, res.Body)
	}

	// Results: only the bags the donor may give.
	result := "/registrations/" + itoa(reg.ID) + "/result"
	if res := gate.Post(result, map[string]any{"kind": "donated", "volume": 450}); res.Status != http.StatusBadRequest || res.Error() != "volume_not_allowed" {
		t.Errorf("450 ml for a 350 ml donor: %d %s", res.Status, res.Body)
	}
	var c deskCard
	gate.Post(result, map[string]any{"kind": "donated", "volume": 350}).Decode(t, &c)
	if c.Status != "donated" || c.Result == nil || c.Result.Volume != 350 {
		t.Fatalf("card after donating: %+v", c)
	}
	quan.Expect("Cảm ơn bạn đã hiến 350 ml máu toàn phần hôm nay", "lần hiến thứ 1")

	// A second result corrects, with an audit entry.
	fixedAt := b.Now()
	until := fixedAt.In(loc(t)).AddDate(0, 0, 14).Format(time.DateOnly)
	gate.Post(result, map[string]any{"kind": "deferred", "reason": "low_hb", "until": until}).Decode(t, &c)
	if c.Status != "deferred" || c.Result == nil || c.Result.Reason != "low_hb" || c.Result.ReasonText != "huyết sắc tố thấp" || c.Result.Until != until {
		t.Fatalf("card after the correction: %+v", c.Result)
	}
	quan.Expect("Ban tổ chức đã sửa kết quả", "huyết sắc tố thấp")
	assertAudit(t, b, reg.ID, orgID, fixedAt, `"until": "`+until)

	// DELETE undoes, with an audit entry; a typed reason is kept as typed.
	b.Clock.Advance(10 * time.Minute)
	undoneAt := b.Now()
	res := gate.Do(http.MethodDelete, result, nil)
	res.Decode(t, &c)
	if res.Status != http.StatusOK || c.Status != "arrived" || c.Result != nil {
		t.Fatalf("card after undo: %d %+v", res.Status, c)
	}
	quan.Expect("Ban tổ chức đã hủy kết quả")
	assertAudit(t, b, reg.ID, orgID, undoneAt, `{"none": true}`)
	if res := gate.Do(http.MethodDelete, result, nil); res.Error() != "no_result" {
		t.Errorf("undo twice: %d %s", res.Status, res.Body)
	}
	gate.Post(result, map[string]any{"kind": "deferred", "reason": "Chóng mặt sau khi lấy máu"}).Decode(t, &c)
	if c.Status != "deferred" || c.Result.ReasonText != "Chóng mặt sau khi lấy máu" {
		t.Fatalf("a typed reason: %+v", c.Result)
	}
	quan.Expect("Hôm nay bạn chưa hiến máu được: Chóng mặt sau khi lấy máu")

	// Found again by scanning: the card says what was recorded.
	gate.Post(checkin, map[string]any{"code": code}).Decode(t, &got)
	if got.Registration.Status != "deferred" || got.Registration.Result == nil {
		t.Errorf("scanned after a result: %+v", got.Registration)
	}
	if res := gate.Get("/registrations/" + itoa(reg.ID)); res.Status != http.StatusOK {
		t.Errorf("GET the card: %d %s", res.Status, res.Body)
	}
}

// TestConsoleDeferralReasons: the preset reasons in the user's language.
func TestConsoleDeferralReasons(t *testing.T) {
	orgID := testenv.TelegramID()
	b := bottest.Start(t)
	if err := b.Store.GrantRole(context.Background(), orgID, storage.RoleOrganizer, 0, 0); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"vi": "Huyết sắc tố thấp", "en": "Low haemoglobin"} {
		var reasons []struct{ Code, Text string }
		b.Console(orgID, lang).Get("/deferral-reasons").Decode(t, &reasons)
		if len(reasons) == 0 || reasons[0].Code != "low_hb" || reasons[0].Text != want {
			t.Errorf("%s: %+v", lang, reasons)
		}
	}
}
