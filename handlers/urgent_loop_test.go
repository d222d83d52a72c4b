package handlers_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
)

// speaks sets the language seeded donors read.
func speaks(t *testing.T, b *bottest.Bot, lang string, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		if err := b.Store.SetDonorLanguage(context.Background(), id, lang); err != nil {
			t.Fatal(err)
		}
	}
}

// hasButton reports whether message id of chat shows a button labelled label.
func hasButton(b *bottest.Bot, chatID int64, id int, label string) bool {
	m, ok := b.API.Message(chatID, id)
	return ok && m.HasButtonText(label)
}

// TestUrgentWithdrawAfterAccepting: a donor who accepted finds "I can no
// longer go" on their alert, may change their mind at the confirmation,
// and withdrawing releases the place: the admin gets a message with who
// withdrew, the need that had filled looks again and re-alerts the donor
// whose alert had been covered, who fills it. The other acceptor was told
// to still come when it filled. In Vietnamese and English.
func TestUrgentWithdrawAfterAccepting(t *testing.T) {
	b := bottest.Start(t)
	adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(3)
	club := newClub(t, b, "CLB Ngan hang mau song 9100", adminID)
	c := club.ID
	seed(t, b,
		donorSpec{id: ids[0], group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: ids[1], group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: ids[2], group: profile.BloodBPos, clubID: c, onCall: true},
	)
	speaks(t, b, "en", ids[1])
	admin := b.Phone(adminID, "vi")
	needID, status := raiseNeed(t, admin, needOptions{group: "B+", component: "máu toàn phần", units: "2",
		widen: "Không nhắc", expect: []string{"3 người phù hợp"}})
	n := strconv.FormatInt(needID, 10)
	vi, en, late := b.Phone(ids[0], "vi"), b.Phone(ids[1], "en"), b.Phone(ids[2], "vi")
	viAlert := vi.Expect("CẦN MÁU KHẨN CẤP")
	enAlert := en.Expect("URGENT BLOOD NEED")
	lateAlert := late.Expect("CẦN MÁU KHẨN CẤP")

	vi.Tap("✅ Tôi đi được")
	vi.Expect("Cảm ơn bạn! Hãy đến")
	admin.Expect("✅ "+seedName(ids[0])+" (B+, "+profile.LocalPhone(seedPhone(ids[0]))+") nhận lời đi hiến cho yêu cầu #"+n, "1/2")
	b.API.WaitUntil(t, "the accepted alert offers to withdraw", func() bool {
		return hasButton(b, ids[0], viAlert.ID, "🚫 Tôi không đi được nữa")
	})
	// Changing one's mind at the confirmation keeps the accept.
	vi.TapIn(viAlert.ID, "🚫 Tôi không đi được nữa")
	b.API.WaitUntil(t, "the confirmation", func() bool { return hasButton(b, ids[0], viAlert.ID, "✅ Không, tôi vẫn đi") })
	vi.TapIn(viAlert.ID, "✅ Không, tôi vẫn đi")
	b.API.WaitUntil(t, "the accept kept", func() bool { return hasButton(b, ids[0], viAlert.ID, "🚫 Tôi không đi được nữa") })

	en.Tap("✅ I can go")
	en.Expect("Thank you! Please go to")
	admin.Expect(seedName(ids[1])+" (B+, "+profile.LocalPhone(seedPhone(ids[1]))+") nhận lời", "2/2")
	// Filled: the first acceptor is told they are still expected.
	vi.Expect("đã đủ 2 người nhận lời", "hãy vẫn đến trước")
	waitMessage(t, b, ids[2], lateAlert.ID, "Đã đủ")
	for _, m := range en.Messages() {
		if strings.Contains(m.Text, "still expecting you") {
			t.Errorf("the donor whose accept filled the need was told again: %q", m.Text)
		}
	}

	// The English donor can no longer go.
	en.TapIn(enAlert.ID, "🚫 I can no longer go")
	b.API.WaitUntil(t, "the confirmation", func() bool { return hasButton(b, ids[1], enAlert.ID, "🚫 Yes, I can no longer go") })
	en.TapIn(enAlert.ID, "🚫 Yes, I can no longer go")
	en.Expect("Noted: you can no longer go")
	if m, _ := b.API.Message(ids[1], enAlert.ID); len(m.InlineKeyboard) != 0 {
		t.Errorf("a withdrawn alert still has buttons: %v", m.Buttons())
	}
	admin.Expect("↩️ "+seedName(ids[1])+" (B+, "+profile.LocalPhone(seedPhone(ids[1]))+") báo không đi được nữa cho yêu cầu #"+n, "còn 1/2")
	admin.Expect("🔁 Yêu cầu #"+n+" thiếu người trở lại (1/2)", "đã báo lại 1 người")
	waitMessage(t, b, adminID, status.ID, "đang tìm người hiến", "Nhận lời: 1/2", "Rút lại: 1", "↩️ Rút lại: "+seedName(ids[1]))
	// A stale tap of the confirmation changes nothing more.
	en.TapStale(enAlert.ID, "urg:v1:"+n+":wy")
	en.Expect("You have no standing")

	// The donor whose alert was covered gets it again and fills the place.
	again := late.Expect("CẦN MÁU KHẨN CẤP")
	if again.ID == lateAlert.ID {
		t.Fatal("no new alert")
	}
	late.TapIn(again.ID, "✅ Tôi đi được")
	late.Expect("Cảm ơn bạn! Hãy đến")
	waitMessage(t, b, adminID, status.ID, "đã đủ người", "Nhận lời: 2/2", "Rút lại: 1")
	var accepted int
	if err := b.Store.DB().Get(&accepted, `SELECT accepted FROM needs WHERE id = $1`, needID); err != nil || accepted != 2 {
		t.Errorf("accepted = %d, %v; want 2", accepted, err)
	}
}

// TestUrgentShortCloseTellsAcceptors: an admin closing a need short is
// asked whether those who accepted still go. Kept: the acceptor is told to
// still come, and the unanswered alert says the need is closed (not
// "covered"). Called off: the acceptor is told not to come, their alert
// loses its button, and a tap on an old button says so. In Vietnamese and
// English.
func TestUrgentShortCloseTellsAcceptors(t *testing.T) {
	b := bottest.Start(t)
	adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(4)
	club := newClub(t, b, "CLB Ngan hang mau song 9200", adminID)
	c := club.ID
	seed(t, b,
		donorSpec{id: ids[0], group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: ids[1], group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: ids[2], group: profile.BloodAPos, clubID: c, onCall: true},
		donorSpec{id: ids[3], group: profile.BloodAPos, clubID: c, onCall: true},
	)
	speaks(t, b, "en", ids[2], ids[3])
	admin := b.Phone(adminID, "vi")

	// Closed at 1/2, the acceptor still expected.
	needID, status := raiseNeed(t, admin, needOptions{group: "B+", component: "máu toàn phần", units: "2",
		widen: "Không nhắc", expect: []string{"2 người phù hợp"}})
	kept, other := b.Phone(ids[0], "vi"), b.Phone(ids[1], "vi")
	kept.Expect("CẦN MÁU KHẨN CẤP")
	otherAlert := other.Expect("CẦN MÁU KHẨN CẤP")
	kept.Tap("✅ Tôi đi được")
	kept.Expect("Cảm ơn bạn! Hãy đến")
	waitMessage(t, b, adminID, status.ID, "Nhận lời: 1/2")
	admin.TapIn(status.ID, "✅ Đã đủ, đóng yêu cầu")
	ask := admin.Expect("Yêu cầu #"+strconv.FormatInt(needID, 10)+" mới có 1/2", "có cần đến nữa không")
	admin.TapIn(ask.ID, "✅ Đóng, 1 người đã nhận lời vẫn đến")
	waitMessage(t, b, adminID, status.ID, "đã đóng", "Nhận lời: 1/2")
	kept.Expect("dừng tìm thêm người", "(1/2 người nhận lời)", "hãy vẫn đến trước")
	closed := waitMessage(t, b, ids[1], otherAlert.ID, "Yêu cầu này đã đóng, bạn không cần đến")
	if len(closed.InlineKeyboard) != 0 || strings.Contains(closed.Text, "Đã đủ") {
		t.Errorf("the unanswered alert of a need closed short: %q %v", closed.Text, closed.Buttons())
	}
	other.TapStale(otherAlert.ID, "urg:v1:"+strconv.FormatInt(needID, 10)+":y")
	other.Expect("Yêu cầu này đã đóng")

	// Called off at 1/2: the English acceptor no longer comes.
	needID, status = raiseNeed(t, admin, needOptions{group: "A+", component: "máu toàn phần", units: "2",
		widen: "Không nhắc", expect: []string{"2 người phù hợp"}})
	n := strconv.FormatInt(needID, 10)
	off := b.Phone(ids[2], "en")
	offAlert := off.Expect("URGENT BLOOD NEED")
	b.Phone(ids[3], "en").Expect("URGENT BLOOD NEED")
	off.Tap("✅ I can go")
	off.Expect("Thank you! Please go to")
	waitMessage(t, b, adminID, status.ID, "Nhận lời: 1/2")
	admin.TapIn(status.ID, "✅ Đã đủ, đóng yêu cầu")
	ask = admin.Expect("Yêu cầu #" + n + " mới có 1/2")
	admin.TapIn(ask.ID, "🛑 Hủy yêu cầu, báo họ không cần đến")
	waitMessage(t, b, adminID, status.ID, "đã hủy")
	off.Expect("was called off: you no longer need to come")
	m := waitMessage(t, b, ids[2], offAlert.ID, "called off")
	if len(m.InlineKeyboard) != 0 {
		t.Errorf("the alert of a cancelled need still has buttons: %v", m.Buttons())
	}
	off.TapStale(offAlert.ID, "urg:v1:"+n+":wy")
	off.Expect("This need was called off")
	// The question's buttons are gone once answered.
	if q, _ := b.API.Message(adminID, ask.ID); len(q.InlineKeyboard) != 0 {
		t.Errorf("the close question still has buttons: %v", q.Buttons())
	}
}

// TestUrgentNoSecondAlertToCommitted: two O- whole-blood needs the same
// day: the donor who accepted the first is not alerted for the second;
// once the first is called off, a third reaches them again.
func TestUrgentNoSecondAlertToCommitted(t *testing.T) {
	b := bottest.Start(t)
	adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(2)
	club := newClub(t, b, "CLB Ngan hang mau song 9300", adminID)
	seed(t, b,
		donorSpec{id: ids[0], group: profile.BloodONeg, clubID: club.ID, onCall: true},
		donorSpec{id: ids[1], group: profile.BloodONeg, clubID: club.ID, onCall: true},
	)
	speaks(t, b, "en", ids[1])
	admin := b.Phone(adminID, "vi")
	first, status := raiseNeed(t, admin, needOptions{group: "O-", component: "máu toàn phần", units: "2",
		widen: "Không nhắc", expect: []string{"2 người phù hợp"}})
	committed, free := b.Phone(ids[0], "vi"), b.Phone(ids[1], "en")
	committed.Expect("CẦN MÁU KHẨN CẤP")
	free.Expect("URGENT BLOOD NEED")
	committed.Tap("✅ Tôi đi được")
	committed.Expect("Cảm ơn bạn! Hãy đến")
	waitMessage(t, b, adminID, status.ID, "Nhận lời: 1/2")

	second, _ := raiseNeed(t, admin, needOptions{group: "O-", component: "máu toàn phần", units: "1",
		widen: "Không nhắc", expect: []string{"1 người phù hợp"}})
	free.Expect("URGENT BLOOD NEED")
	drained(t, b)
	if got := alertOrder(t, b, second); len(got) != 1 || got[0] != ids[1] {
		t.Errorf("second need alerted %v, want only %d", got, ids[1])
	}
	if n := len(alerts(b, ids[0])); n != 1 {
		t.Errorf("the committed donor got %d alerts, want 1", n)
	}
	free.Tap("✅ I can go")
	free.Expect("Thank you! Please go to")

	// The first need is called off: the donor is free again.
	admin.TapIn(status.ID, "✅ Đã đủ, đóng yêu cầu")
	ask := admin.Expect("Yêu cầu #" + strconv.FormatInt(first, 10) + " mới có 1/2")
	admin.TapIn(ask.ID, "🛑 Hủy yêu cầu, báo họ không cần đến")
	committed.Expect("đã được hủy: bạn không cần đến nữa")
	third, _ := raiseNeed(t, admin, needOptions{group: "O-", component: "máu toàn phần", units: "1",
		widen: "Không nhắc", expect: []string{"1 người phù hợp"}})
	committed.Expect("CẦN MÁU KHẨN CẤP")
	if got := alertOrder(t, b, third); len(got) != 1 || got[0] != ids[0] {
		t.Errorf("third need alerted %v, want only %d (the other is committed to the second)", got, ids[0])
	}
}

// TestUrgentAdminStatusMovesAndPushes: a second admin of the club, in
// English, opens the need from /needs: the status moves to their chat (the
// former one says so and loses its buttons), acceptances are pushed to
// them with name, group and phone, and the status lists who was reached by
// answer with no phone but the acceptor's.
func TestUrgentAdminStatusMovesAndPushes(t *testing.T) {
	b := bottest.Start(t)
	adminID, enAdminID, ids := testenv.TelegramID(), testenv.TelegramID(), testenv.TelegramIDs(3)
	club := newClub(t, b, "CLB Ngan hang mau song 9400", adminID)
	if err := b.Store.GrantRole(context.Background(), enAdminID, storage.RoleClubAdmin, club.ID, 0); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		seed(t, b, donorSpec{id: id, group: profile.BloodABPos, clubID: club.ID, onCall: true})
	}
	admin := b.Phone(adminID, "vi")
	needID, status := raiseNeed(t, admin, needOptions{group: "AB+", component: "tiểu cầu", units: "2",
		widen: "Không nhắc", expect: []string{"3 người phù hợp"}})
	n := strconv.FormatInt(needID, 10)
	for _, id := range ids {
		b.Phone(id, "vi").Expect("CẦN MÁU KHẨN CẤP")
	}
	waitMessage(t, b, adminID, status.ID, "Chưa trả lời: 3", "Đã báo tới:", "⏳ Chưa trả lời: "+seedName(ids[0]))

	enAdmin := b.Phone(enAdminID, "en")
	enAdmin.Send("/needs")
	enAdmin.Expect("#"+n, "AB+ platelets — 0/2")
	enAdmin.Tap("#" + n)
	live := enAdmin.Expect("Need #"+n+" — looking for donors", "Withdrew: 0")
	moved := waitMessage(t, b, adminID, status.ID, "Yêu cầu #"+n+": trạng thái đã chuyển xuống")
	if len(moved.InlineKeyboard) != 0 {
		t.Errorf("the former status keeps its buttons: %v", moved.Buttons())
	}

	b.Phone(ids[0], "vi").Tap("✅ Tôi đi được")
	b.Phone(ids[1], "vi").Tap("❌ Tôi không đi được")
	enAdmin.Expect("✅ "+seedName(ids[0])+" (AB+, "+profile.LocalPhone(seedPhone(ids[0]))+") will go and donate for need #"+n, "1/2")
	m := waitMessage(t, b, enAdminID, live.ID, "Accepted: 1/2", "Declined: 1", "No answer: 1", "Withdrew: 0",
		seedName(ids[0])+" (AB+) "+profile.LocalPhone(seedPhone(ids[0])),
		"Reached:", "❌ Can't go: "+seedName(ids[1]), "⏳ No answer: "+seedName(ids[2]))
	for _, id := range ids[1:] {
		if strings.Contains(m.Text, seedPhone(id)) || strings.Contains(m.Text, profile.LocalPhone(seedPhone(id))) {
			t.Errorf("the status shows the phone of donor %d, who did not accept:\n%s", id, m.Text)
		}
	}
	// The former status ends retired: later answers edit the live one only.
	// A refresh already editing it when the status moved (its edit held by
	// the chat's send rate) may land after the move; that refresh then sees
	// the move and says "moved below" there again (refreshNeedStatus), so
	// the final text is checked, not every text in between.
	waitMessage(t, b, adminID, status.ID, "Yêu cầu #"+n+": trạng thái đã chuyển xuống")
	for _, msg := range admin.Messages() {
		if strings.Contains(msg.Text, "nhận lời đi hiến cho yêu cầu") {
			t.Errorf("the admin whose status moved still gets the pushes: %q", msg.Text)
		}
	}
}

// TestUrgentWidenNobodyCompatible: widening an O- whole-blood need adds no
// group (only O- gives red cells to O-): the admin is told why instead of
// "alerted 0 more", in Vietnamese, and in English for a second need.
func TestUrgentWidenNobodyCompatible(t *testing.T) {
	b := bottest.Start(t)
	adminID, enAdminID, ids := testenv.TelegramID(), testenv.TelegramID(), testenv.TelegramIDs(2)
	club := newClub(t, b, "CLB Ngan hang mau song 9500", adminID)
	if err := b.Store.GrantRole(context.Background(), enAdminID, storage.RoleClubAdmin, club.ID, 0); err != nil {
		t.Fatal(err)
	}
	seed(t, b,
		donorSpec{id: ids[0], group: profile.BloodONeg, clubID: club.ID, onCall: true},
		donorSpec{id: ids[1], group: profile.BloodOPos, clubID: club.ID, onCall: true}, // Rh+: never for O-
	)
	admin := b.Phone(adminID, "vi")
	_, status := raiseNeed(t, admin, needOptions{group: "O-", component: "máu toàn phần", units: "1",
		widen: "Không nhắc", expect: []string{"1 người phù hợp"}})
	donor := b.Phone(ids[0], "vi")
	donor.Expect("CẦN MÁU KHẨN CẤP")
	admin.TapIn(status.ID, "➕ Mở rộng: nhóm máu tương thích")
	admin.Expect("Không còn ai để báo thêm", "người bệnh nhóm O- chỉ nhận được máu toàn phần của người nhóm O-")
	for _, m := range admin.Messages() {
		if strings.Contains(m.Text, "Đã báo thêm 0") {
			t.Errorf("told %q", m.Text)
		}
	}

	second, _ := raiseNeed(t, admin, needOptions{group: "O-", component: "máu toàn phần", units: "1",
		widen: "Không nhắc", expect: []string{"1 người phù hợp"}})
	donor.Expect("CẦN MÁU KHẨN CẤP")
	enAdmin := b.Phone(enAdminID, "en")
	enAdmin.Send("/needs")
	enAdmin.Tap("#" + strconv.FormatInt(second, 10))
	live := enAdmin.Expect("Need #", "same blood group in the club")
	enAdmin.TapIn(live.ID, "➕ Widen: compatible groups")
	enAdmin.Expect("Nobody more to alert", "a O- patient can receive whole blood from O- donors only")
	drained(t, b)
	if n := len(alerts(b, ids[1])); n != 0 {
		t.Errorf("an O+ donor got %d alerts for O- red cells", n)
	}
}
