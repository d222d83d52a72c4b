package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// deskUndoTexts are what the organizer and the donor read in one language.
type deskUndoTexts struct {
	lang                                    string
	desk, checkedIn, most, bag350, bag450   string
	whole, recorded, hasResult, undo, undid string
	donorThanks, donorUndone, deferred      string
	lowHb, until, donorDeferred             string
}

// TestDeskResultLimitUndoAndState: a donor whose screening allowed at most
// 350 ml (weighing 60 kg) is offered no 450 ml bag; found again after
// their donation, the desk says they came and what was recorded, not a
// bare "arrived"; the result is undone with one tap, which tells the donor
// and leaves an audit entry naming the organizer at the bot's clock; a
// preset deferral is then recorded, read by the donor in their language.
func TestDeskResultLimitUndoAndState(t *testing.T) {
	for _, tc := range []deskUndoTexts{{
		lang: "vi", desk: "Điểm danh «Bàn hoàn tác vi»", checkedIn: "Đã điểm danh: Trần Văn Hùng", most: "tối đa 350 ml",
		bag350: "🩸 Hiến 350 ml", bag450: "🩸 Hiến 450 ml", whole: "máu toàn phần",
		recorded:  "Đã ghi: Trần Văn Hùng — hiến 350 ml máu toàn phần",
		hasResult: "Trần Văn Hùng đã đến và đã có kết quả: hiến 350 ml máu toàn phần", undo: "↩️ Hủy kết quả",
		undid:       "Đã hủy kết quả của Trần Văn Hùng (hiến 350 ml máu toàn phần)",
		donorThanks: "Cảm ơn bạn đã hiến 350 ml", donorUndone: "Ban tổ chức đã hủy kết quả",
		deferred: "⏸ Tạm hoãn tại chỗ", lowHb: "Huyết sắc tố thấp", until: "Tạm hoãn đến ngày nào?",
		donorDeferred: "Hôm nay bạn chưa hiến máu được: huyết sắc tố thấp",
	}, {
		lang: "en", desk: "Check-in for “Bàn hoàn tác en”", checkedIn: "Checked in: Trần Văn Hùng", most: "at most 350 ml",
		bag350: "🩸 Donated 350 ml", bag450: "🩸 Donated 450 ml", whole: "whole blood",
		recorded:  "Recorded: Trần Văn Hùng — donated 350 ml whole blood",
		hasResult: "Trần Văn Hùng came and already has a result: donated 350 ml whole blood", undo: "↩️ Undo result",
		undid:       "Removed the result of Trần Văn Hùng (donated 350 ml whole blood)",
		donorThanks: "Thank you for donating 350 ml", donorUndone: "The organizers removed the result",
		deferred: "⏸ Deferred on site", lowHb: "Low haemoglobin", until: "Deferred until which day?",
		donorDeferred: "You could not donate today: low haemoglobin",
	}} {
		t.Run(tc.lang, func(t *testing.T) { deskUndoIn(t, tc) })
	}
}

func deskUndoIn(t *testing.T, tc deskUndoTexts) {
	ids := testenv.TelegramIDs(2)
	orgID, hungID := ids[0], ids[1]
	b := bottest.Start(t)
	ctx := context.Background()
	d, slots := publishedDrive(t, b, "Bàn hoàn tác "+tc.lang, 48*time.Hour, 5)
	seedDonor(t, b, seededDonor{id: hungID, name: "Trần Văn Hùng", phone: "+84912000410"})
	if err := b.Store.SetDonorLanguage(ctx, hungID, tc.lang); err != nil {
		t.Fatal(err)
	}
	reg := registerScreened(t, b, hungID, slots[0].ID, `[{"Question":"ill_now","Yes":false}]`, 350)
	if err := b.Store.GrantRole(ctx, orgID, storage.RoleOrganizer, 0, 0); err != nil {
		t.Fatal(err)
	}
	org, hung := b.Phone(orgID, tc.lang), b.Phone(hungID, tc.lang)
	b.Clock.Advance(48*time.Hour + 5*time.Minute)

	org.Send("/checkin " + d.Code)
	org.Expect(tc.desk)
	org.Send("0912000410")
	arrived := org.Expect(tc.checkedIn, tc.most)
	if arrived.HasButtonText(tc.bag450) || !arrived.HasButtonText(tc.bag350) {
		t.Errorf("a donor screened for 350 ml is offered %v", arrived.Buttons())
	}
	upd := org.TapStale(arrived.ID, "res:v1:"+itoa(reg.ID)+":450")
	b.API.WaitUntil(t, "forged 450 ml answered", func() bool { _, ok := b.API.CallbackAnswer(upd); return ok })
	org.TapIn(arrived.ID, tc.bag350)
	org.Tap(tc.whole)
	org.Expect(tc.recorded)
	hung.Expect(tc.donorThanks)

	// Found again: the state and what can be done, not "result: arrived".
	org.Send("0912000410")
	org.Expect(tc.hasResult)
	undoAt := b.Now()
	org.Tap(tc.undo)
	again := org.Expect(tc.undid)
	if !again.HasButtonText(tc.bag350) || !again.HasButtonText(tc.deferred) {
		t.Errorf("after undo the results are not offered again: %v", again.Buttons())
	}
	hung.Expect(tc.donorUndone)
	var status string
	var donations int
	if err := b.Store.DB().QueryRow(`SELECT r.status, (SELECT count(*) FROM donations n WHERE n.registration_id = r.id)
		FROM registrations r WHERE r.id = $1`, reg.ID).Scan(&status, &donations); err != nil {
		t.Fatal(err)
	}
	if status != "confirmed" || donations != 0 {
		t.Errorf("after undo: status %s, %d donations", status, donations)
	}
	assertAudit(t, b, reg.ID, orgID, undoAt, `{"none": true}`)

	// A preset reason, read by the donor in their own language.
	org.TapIn(again.ID, tc.deferred)
	org.Tap(tc.lowHb)
	org.Expect(tc.until)
	org.Send(b.Now().In(loc(t)).AddDate(0, 0, 7).Format("02/01/2006"))
	hung.Expect(tc.donorDeferred)
}

// assertAudit checks that the newest audit entry of the registration names
// who changed it, when (the bot's clock), and holds the new result.
func assertAudit(t *testing.T, b *bottest.Bot, regID, by int64, at time.Time, newResult string) {
	t.Helper()
	var got struct {
		By  int64     `db:"changed_by"`
		At  time.Time `db:"changed_at"`
		New string    `db:"new_result"`
	}
	if err := b.Store.DB().Get(&got, `SELECT changed_by, changed_at, new_result::text AS new_result
		FROM result_corrections WHERE registration_id = $1 ORDER BY id DESC LIMIT 1`, regID); err != nil {
		t.Fatalf("no audit entry for registration %d: %v", regID, err)
	}
	if got.By != by || !got.At.Equal(at) || !strings.Contains(got.New, newResult) {
		t.Errorf("audit entry %+v, want by %d at %s new %s", got, by, at, newResult)
	}
}
