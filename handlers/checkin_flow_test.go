package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// checkinFlowTexts are what an organizer sees at the check-in desk in one
// language.
type checkinFlowTexts struct {
	lang                                      string
	desk, notFound, checkedIn, deferred       string
	reason, until, badUntil, recorded, closed string
	back, cancel, restarted                   string
}

// TestCheckinDeskFlow: the check-in desk runs on the conversation engine,
// in both languages. Its search has Cancel and no Back and stays open after
// each answer, found or not; a deferral's reason has Back to the desk, a
// wrong end date is explained and asked again, and once recorded the desk
// searches again; Cancel closes the desk, after which a typed phone checks
// nobody in; a desk record of the layout before the engine is restarted
// with an explanation.
func TestCheckinDeskFlow(t *testing.T) {
	for _, tc := range []checkinFlowTexts{{
		lang: "vi", desk: "Điểm danh «Bàn điểm danh vi»", notFound: "Không tìm thấy người đăng ký nào khớp",
		checkedIn: "Đã điểm danh: ", deferred: "⏸ Tạm hoãn tại chỗ", reason: "Lý do tạm hoãn?",
		until: "Tạm hoãn đến ngày nào?", badUntil: "Ngày chưa đúng", recorded: "Đã ghi: ",
		closed: "Đã đóng bàn điểm danh «Bàn điểm danh vi»", back: "⬅️ Quay lại", cancel: "✖️ Hủy",
		restarted: "Bot vừa được cập nhật",
	}, {
		lang: "en", desk: "Check-in for “Bàn điểm danh en”", notFound: "No registration matching",
		checkedIn: "Checked in: ", deferred: "⏸ Deferred on site", reason: "Reason for the deferral?",
		until: "Deferred until which day?", badUntil: "That date is not right", recorded: "Recorded: ",
		closed: "The check-in desk of “Bàn điểm danh en” is closed", back: "⬅️ Back", cancel: "✖️ Cancel",
		restarted: "The bot was updated",
	}} {
		t.Run(tc.lang, func(t *testing.T) { checkinDeskIn(t, tc) })
	}
}

func checkinDeskIn(t *testing.T, tc checkinFlowTexts) {
	b := bottest.Start(t)
	clock := b.Clock
	ctx := context.Background()
	d, slots := publishedDrive(t, b, "Bàn điểm danh "+tc.lang, 48*time.Hour, 5)
	var donors [3]int64
	phone := func(i int) string { return fmt.Sprintf("09%08d", donors[i]%100_000_000) }
	for i := range donors {
		donors[i] = testenv.TelegramID()
		seedDonor(t, b, seededDonor{id: donors[i], name: "Người hiến " + itoa(donors[i]), phone: "+84" + phone(i)[1:]})
		registerScreened(t, b, donors[i], slots[0].ID, `[{"Question":"ill","Yes":false}]`, 450)
	}
	orgID := testenv.TelegramID()
	if err := b.Store.GrantRole(ctx, orgID, storage.RoleOrganizer, 0, 0); err != nil {
		t.Fatal(err)
	}
	org := b.Phone(orgID, tc.lang)
	clock.Advance(48*time.Hour + 5*time.Minute) // the first slot has begun
	checkedIn := func(i int) bool {
		t.Helper()
		var at *time.Time
		if err := b.Store.DB().Get(&at, `SELECT r.checked_in_at FROM registrations r JOIN donors dn ON dn.id = r.donor_id
			WHERE dn.telegram_id = $1 AND r.drive_id = $2`, donors[i], d.ID); err != nil {
			t.Fatal(err)
		}
		return at != nil
	}

	org.Send("/checkin " + d.Code)
	desk := org.Expect(tc.desk)
	if desk.HasButtonText(tc.back) || !desk.HasButtonText(tc.cancel) {
		t.Fatalf("the desk's buttons: %v", desk.Buttons())
	}
	org.Send("Không Có Ai")
	org.Expect(tc.notFound)
	org.Send(phone(0)) // the desk stays open after an answer
	org.Expect(tc.checkedIn + "Người hiến " + itoa(donors[0]))

	// A deferral: Back from its reason returns to the desk.
	org.Tap(tc.deferred)
	if r := org.Expect(tc.reason); !r.HasButtonText(tc.back) || !r.HasButtonText(tc.cancel) {
		t.Fatalf("the reason's buttons: %v", r.Buttons())
	}
	org.Tap(tc.back)
	desk = org.Expect(tc.desk)
	org.Tap(tc.deferred)
	org.Expect(tc.reason)
	org.Send("Huyết áp cao")
	org.Expect(tc.until)
	org.Send("31/02/2027")
	org.Expect(tc.badUntil)
	if again := org.Expect(tc.until); !again.HasButtonText(tc.back) {
		t.Fatalf("the end asked again without Back: %v", again.Buttons())
	}
	until := clock.Now().In(loc(t)).AddDate(0, 0, 14)
	org.Send(until.Format("02/01/2006"))
	org.Expect(tc.recorded+"Người hiến "+itoa(donors[0]), shownDate(t, tc.lang, until), "Huyết áp cao")
	org.Send(phone(1)) // back at the desk
	org.Expect(tc.checkedIn + "Người hiến " + itoa(donors[1]))

	// Cancel closes the desk: a phone typed then checks nobody in.
	org.TapIn(desk.ID, tc.cancel)
	org.Expect(tc.closed)
	org.Send(phone(2))
	org.Settle()
	if checkedIn(2) {
		t.Fatal("a phone typed after the desk closed checked the donor in")
	}

	// A desk record of the layout before the engine: restarted, not misread.
	raw, _ := json.Marshal(storage.Conversation{Flow: "checkin", Step: "find", Data: map[string]string{"drive": itoa(d.ID)}})
	if err := b.Redis.Set(ctx, b.Cfg.RedisPrefix+"user:"+itoa(orgID)+":conv", raw, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	org.Send(phone(2))
	org.Expect(tc.restarted)
	org.Settle()
	if checkedIn(2) {
		t.Fatal("an old desk record checked the donor in")
	}
	if !checkedIn(0) || !checkedIn(1) {
		t.Error("the donors found at the desk are not checked in")
	}
}
