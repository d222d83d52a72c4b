package handlers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
)

// urgentFlowTexts are what a club admin sees of /urgent in one language.
type urgentFlowTexts struct {
	lang                                       string
	step1, step3, step4, step11                string
	groupAsked, wholeBlood, unitsWrong, never  string
	back, cancel, skip, send, discarded        string
	sameAudience, compatibleAudience           string
	review, unitsLabel, changeUnits, changeAud string
	compatibleShown, noteLabel, noNote, sent   string
	refused, restarted, step6, lateDeadline    string
}

// TestUrgentFlow walks /urgent through the conversation engine in both
// languages: the first question has Cancel and no Back, Back returns to the
// answer before, a wrong answer is explained and asked again, the review is
// the alert's preview with a change button per answer (a changed answer
// returns to it) and Send as its confirm, Cancel at a question discards the
// need; a club admin whose role is revoked mid-flow is refused at the next
// answer, and an /urgent record of the layout before the engine is
// restarted with an explanation.
func TestUrgentFlow(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []urgentFlowTexts{{
		lang: "vi", step1: "Bước 1/11", step3: "Bước 3/11", step4: "Bước 4/11", step11: "Bước 11/11",
		groupAsked: "nhóm nào", wholeBlood: "máu toàn phần", unitsWrong: "từ 1 đến 50", never: "Không nhắc",
		back: "⬅️ Quay lại", cancel: "✖️ Hủy", skip: "Bỏ qua", send: "🆘 Gửi", discarded: "Đã hủy tin khẩn cấp",
		sameAudience: "Cùng nhóm máu, trong câu lạc bộ (1)", compatibleAudience: "Nhóm máu tương thích, trong câu lạc bộ (2)",
		review: "Xem trước tin khẩn cấp", unitsLabel: "• Số người hiến cần: ", changeUnits: "✏️ Số người hiến cần",
		changeAud: "✏️ Gửi tới", compatibleShown: "Gửi tới: nhóm máu tương thích trong câu lạc bộ — 2 người phù hợp",
		noteLabel: "• Ghi chú: ", noNote: "(không có)", sent: "Yêu cầu #",
		refused: "chỉ dành cho quản lý câu lạc bộ", restarted: "Bot vừa được cập nhật",
		step6: "Bước 6/11", lateDeadline: "đã qua. Hãy nhập một thời điểm sắp tới",
	}, {
		lang: "en", step1: "Step 1/11", step3: "Step 3/11", step4: "Step 4/11", step11: "Step 11/11",
		groupAsked: "Which blood group", wholeBlood: "whole blood", unitsWrong: "from 1 to 50", never: "Never",
		back: "⬅️ Back", cancel: "✖️ Cancel", skip: "Skip", send: "🆘 Send", discarded: "Urgent alert discarded",
		sameAudience: "Same blood group, club members (1)", compatibleAudience: "Compatible groups, club members (2)",
		review: "Preview of the urgent alert", unitsLabel: "• Donors needed: ", changeUnits: "✏️ Donors needed",
		changeAud: "✏️ Goes to", compatibleShown: "Goes to: compatible groups in the club — 2 matching",
		noteLabel: "• Note: ", noNote: "(none)", sent: "Need #",
		refused: "for living blood bank club admins only", restarted: "The bot was updated",
		step6: "Step 6/11", lateDeadline: "has passed. Type a coming time",
	}} {
		t.Run(tc.lang, func(t *testing.T) { urgentFlowIn(t, b, tc) })
	}
}

func urgentFlowIn(t *testing.T, b *bottest.Bot, tc urgentFlowTexts) {
	ctx := context.Background()
	adminID := testenv.TelegramID()
	club := newClub(t, b, "CLB Luong khan "+itoa(adminID), adminID)
	seed(t, b,
		donorSpec{id: testenv.TelegramID(), group: profile.BloodOPos, clubID: club.ID, onCall: true},
		donorSpec{id: testenv.TelegramID(), group: profile.BloodONeg, clubID: club.ID, onCall: true},
	)
	admin := b.Phone(adminID, tc.lang)
	deadline := b.Now().In(loc(t)).AddDate(0, 0, 1).Format("15:04 02/01/2006")

	// Cancel at the first question, which has nothing to go back to.
	admin.Send("/urgent")
	first := admin.Expect(tc.step1, tc.groupAsked)
	if first.HasButtonText(tc.back) || !first.HasButtonText(tc.cancel) {
		t.Fatalf("first question's buttons: %v", first.Buttons())
	}
	admin.Tap(tc.cancel)
	admin.Expect(tc.discarded)

	admin.Send("/urgent")
	admin.Expect(tc.step1)
	admin.Tap("O+")
	admin.Tap(tc.wholeBlood)
	admin.Expect(tc.step3)
	admin.Send("51")
	admin.Expect(tc.unitsWrong)
	if again := admin.Expect(tc.step3); !again.HasButtonText(tc.back) || !again.HasButtonText(tc.cancel) {
		t.Fatalf("units asked again without Back and Cancel: %v", again.Buttons())
	}
	admin.Send("2")
	admin.Expect(tc.step4)
	admin.Tap(tc.back)
	admin.Expect(tc.step3)
	admin.Send("3")
	admin.Expect(tc.step4)
	admin.Send("BV Chợ Rẫy")
	admin.Send("201B Nguyễn Chí Thanh")
	admin.Send(deadline)
	admin.Send("BS Lan")
	admin.Send("0987654321")
	admin.Tap(tc.skip)
	admin.Tap(tc.never)
	expectShown(t, admin, tc.step11, tc.sameAudience, tc.compatibleAudience)
	admin.Tap(tc.sameAudience)
	review := admin.Expect(tc.review, tc.unitsLabel+"3", tc.noteLabel+tc.noNote, "0987 654 321")
	for _, label := range []string{tc.send, tc.changeUnits, tc.changeAud, tc.back, tc.cancel} {
		if !review.HasButtonText(label) {
			t.Fatalf("review lacks %q: %v", label, review.Buttons())
		}
	}

	// Changing one answer asks it alone and comes back to the review.
	admin.Tap(tc.changeUnits)
	admin.Expect(tc.step3)
	admin.Send("4")
	admin.Expect(tc.review, tc.unitsLabel+"4")
	admin.Tap(tc.changeAud)
	admin.Expect(tc.step11)
	admin.Tap(tc.compatibleAudience)
	admin.Expect(tc.review, tc.compatibleShown, tc.unitsLabel+"4")

	// The deadline passed while the review waited: Send asks a new one,
	// then the review again.
	b.Clock.Advance(25 * time.Hour)
	admin.Tap(tc.send)
	admin.Expect(tc.lateDeadline)
	admin.Expect(tc.step6)
	admin.Send(b.Now().In(loc(t)).AddDate(0, 0, 1).Format("15:04 02/01/2006"))
	admin.Expect(tc.review, tc.compatibleShown)
	if n := countNeeds(t, b, club.ID); n != 0 {
		t.Fatalf("%d needs sent past their deadline", n)
	}

	// A role revoked before Send: the answer is refused, nothing is sent.
	if _, err := b.Store.RevokeRole(ctx, adminID, storage.RoleClubAdmin); err != nil {
		t.Fatal(err)
	}
	upd := admin.Tap(tc.send)
	b.API.WaitUntil(t, "callback answered", func() bool { _, ok := b.API.CallbackAnswer(upd); return ok })
	if a, _ := b.API.CallbackAnswer(upd); !strings.Contains(a.Text, tc.refused) {
		t.Fatalf("Send after the role was revoked: %+v", a)
	}
	if n := countNeeds(t, b, club.ID); n != 0 {
		t.Fatalf("%d needs after a refused Send", n)
	}
	if err := b.Store.GrantRole(ctx, adminID, storage.RoleClubAdmin, club.ID, 0); err != nil {
		t.Fatal(err)
	}
	admin.Tap(tc.send)
	admin.Expect(tc.sent)
	// The need's status message is sent to the admin while the turn runs
	// (its id is stored with the need); the need is committed after it.
	b.Settle()
	var units int
	var audience string
	if err := b.Store.DB().QueryRow(`SELECT units_needed, audience FROM needs WHERE club_id = $1`, club.ID).Scan(&units, &audience); err != nil {
		t.Fatal(err)
	}
	if units != 4 || audience != "compatible" {
		t.Errorf("need sent with %d units to %q, want 4 to compatible", units, audience)
	}

	// A record of the layout before the engine, as a release before it
	// left in Redis: restarted with an explanation, not misread.
	raw, _ := json.Marshal(storage.Conversation{Flow: "urgent", Step: "units",
		Data: map[string]string{"club": itoa(club.ID), "group": "O+", "component": "whole_blood"}})
	if err := b.Redis.Set(ctx, b.Cfg.RedisPrefix+"user:"+itoa(adminID)+":conv", raw, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	admin.Send("3")
	admin.Expect(tc.restarted)
	admin.Expect(tc.step1, tc.groupAsked)
	if n := countNeeds(t, b, club.ID); n != 1 {
		t.Errorf("%d needs, want the one sent", n)
	}
}

// countNeeds counts the needs raised for club.
func countNeeds(t *testing.T, b *bottest.Bot, clubID int64) int {
	t.Helper()
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM needs WHERE club_id = $1`, clubID); err != nil {
		t.Fatal(err)
	}
	return n
}
