package handlers_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// newClub creates a club and makes adminID its club admin.
func newClub(t testing.TB, b *bottest.Bot, name string, adminID int64) storage.Unit {
	t.Helper()
	ctx := context.Background()
	code := strings.NewReplacer(" ", "", "-", "").Replace(name)
	club, err := b.Store.CreateUnit(ctx, "club", name, code)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Store.GrantRole(ctx, adminID, storage.RoleClubAdmin, club.ID, 0); err != nil {
		t.Fatal(err)
	}
	return club
}

// donorSpec is a donor seeded straight into the database.
type donorSpec struct {
	id       int64
	group    profile.BloodGroup
	clubID   int64     // 0: no club
	onCall   bool      // on call with no end date
	until    time.Time // on call until this day (overrides onCall)
	optIn    bool
	deferred bool      // an open on-site deferral
	donated  time.Time // last whole-blood donation
}

// seedName and seedPhone are the name and phone number seed gives donor id.
func seedName(id int64) string  { return "Người hiến " + itoa(id) }
func seedPhone(id int64) string { return fmt.Sprintf("+849%08d", id%100_000_000) }

// seedLocalPhone is seedPhone as people are shown it: "0900 000 123".
func seedLocalPhone(id int64) string {
	n := id % 100_000_000
	return fmt.Sprintf("09%02d %03d %03d", n/1_000_000, n/1000%1000, n%1000)
}

// seed creates onboarded donors as specified.
func seed(t testing.TB, b *bottest.Bot, specs ...donorSpec) {
	t.Helper()
	ctx := context.Background()
	for _, s := range specs {
		check := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("seed %d: %v", s.id, err)
			}
		}
		_, err := b.Store.CreateDonor(ctx, s.id, s.id, "vi", "2026-11")
		check(err)
		check(b.Store.SetDonorName(ctx, s.id, seedName(s.id)))
		check(b.Store.SetDonorPhone(ctx, s.id, seedPhone(s.id)))
		check(b.Store.SetDonorSex(ctx, s.id, profile.SexMale))
		check(b.Store.SetDonorBirthDate(ctx, s.id, time.Date(1990, 5, 5, 0, 0, 0, 0, time.UTC)))
		check(b.Store.SetDonorWeight(ctx, s.id, 62))
		check(b.Store.SetDonorBloodGroup(ctx, s.id, s.group))
		check(b.Store.CompleteOnboarding(ctx, s.id))
		if s.clubID != 0 {
			check(b.Store.JoinUnit(ctx, s.id, s.clubID))
		}
		check(b.Store.SetOnCall(ctx, s.id, s.onCall || !s.until.IsZero(), s.until))
		check(b.Store.SetUrgentOptIn(ctx, s.id, s.optIn))
		if s.deferred {
			check(b.Store.AddDeferral(ctx, s.id, "on_site", calendarDay(t, b.Now()).AddDate(0, 2, 0), false, "on_site"))
		}
		if !s.donated.IsZero() {
			check(b.Store.AddDonation(ctx, s.id, s.donated, "whole_blood", 350, "drive", 0))
		}
	}
}

// needOptions are the answers to /urgent that tests vary.
type needOptions struct {
	group, component string // button labels
	units            string
	widen            string   // button label
	audiences        []string // shown at the audience question (labels with counts)
	expect           []string // shown in the review
}

var needIDPattern = regexp.MustCompile(`#(\d+)`)

// raiseNeed walks the club admin through /urgent up to the preview, checks
// it shows expect, sends it and returns the need id and the status message.
func raiseNeed(t *testing.T, admin *bottest.Phone, o needOptions) (int64, telegramtest.Message) {
	t.Helper()
	admin.Send("/urgent")
	admin.Expect("Bước 1/11", "nhóm nào")
	admin.Tap(o.group)
	admin.Expect("Bước 2/11")
	admin.Tap(o.component)
	admin.Expect("Bước 3/11")
	admin.Send("0")
	admin.Expect("từ 1 đến 50")
	admin.Send(o.units)
	admin.Expect("Bước 4/11")
	admin.Send("Bệnh viện Chợ Rẫy")
	admin.Expect("Bước 5/11")
	admin.Send("Khoa Huyết học, 201B Nguyễn Chí Thanh, Quận 5")
	admin.Expect("Bước 6/11")
	admin.Send("hôm qua")
	admin.Expect("Thời hạn chưa đúng")
	admin.Send(admin.Now().In(loc(t)).AddDate(0, 0, 1).Format("15:04 02/01/2006"))
	admin.Expect("Bước 7/11")
	admin.Send("BS Trần Lan")
	admin.Expect("Bước 8/11")
	admin.Send("123")
	admin.Expect("Số điện thoại chưa đúng")
	admin.Send("0987 654 321")
	admin.Expect("Bước 9/11")
	admin.Tap("Bỏ qua")
	admin.Expect("Bước 10/11")
	admin.Tap(o.widen)
	expectShown(t, admin, append([]string{"Bước 11/11", "Gửi tin cho ai"}, o.audiences...)...)
	admin.TapPrefix("Cùng nhóm máu, trong câu lạc bộ")
	expectShown(t, admin, append([]string{"Xem trước", "0987 654 321", "✏️ Gửi tới"}, o.expect...)...)
	admin.Tap("🆘 Gửi")
	status := admin.Expect("Yêu cầu #", "đang tìm người hiến")
	id, err := strconv.ParseInt(needIDPattern.FindStringSubmatch(status.Text)[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id, status
}

// expectShown waits for a message of the phone whose text and button
// labels together show every substring.
func expectShown(t *testing.T, p *bottest.Phone, substrs ...string) telegramtest.Message {
	t.Helper()
	return p.ExpectMatch(func(m telegramtest.Message) bool {
		shown := m.Text + fmt.Sprint(m.Buttons())
		for _, s := range substrs {
			if !strings.Contains(shown, s) {
				return false
			}
		}
		return true
	})
}

// waitMessage waits until message id in chat shows every substring.
func waitMessage(t *testing.T, b *bottest.Bot, chatID int64, id int, substrs ...string) telegramtest.Message {
	t.Helper()
	var m telegramtest.Message
	b.API.WaitUntil(t, "message "+strconv.Itoa(id)+" shows "+strings.Join(substrs, ", "), func() bool {
		var ok bool
		m, ok = b.API.Message(chatID, id)
		if !ok {
			return false
		}
		for _, s := range substrs {
			if !strings.Contains(m.Text, s) {
				return false
			}
		}
		return true
	})
	return m
}

// alerts returns the urgent alerts chat received.
func alerts(b *bottest.Bot, chatID int64) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range b.API.Messages(chatID) {
		if strings.Contains(m.Text, "CẦN MÁU KHẨN CẤP") || strings.Contains(m.Text, "Đã đủ người nhận lời đi hiến, cảm ơn bạn") && m.Edited {
			out = append(out, m)
		}
	}
	return out
}

// drained waits until no delivery is pending, so every alert that will be
// sent has been.
func drained(t *testing.T, b *bottest.Bot) {
	t.Helper()
	b.API.WaitUntil(t, "no pending delivery", func() bool {
		var n int
		const pending = `SELECT count(*) FROM broadcast_deliveries WHERE status = 'pending' AND broadcast_id > $1`
		if err := b.Store.DB().Get(&n, pending, b.BroadcastsBefore); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	b.Settle()
}

// alertOrder lists the chats a need's alerts were queued for, in send order.
func alertOrder(t *testing.T, b *bottest.Bot, needID int64) []int64 {
	t.Helper()
	var chats []int64
	const q = `SELECT bd.chat_id FROM broadcast_deliveries bd
		JOIN need_alerts a ON a.broadcast_id = bd.broadcast_id
		JOIN donors d ON d.id = a.donor_id AND d.chat_id = bd.chat_id
		WHERE a.need_id = $1 ORDER BY bd.priority DESC, bd.id`
	if err := b.Store.DB().Select(&chats, q, needID); err != nil {
		t.Fatal(err)
	}
	return chats
}

// TestUrgentReachesExactlyMatchingAndWidens: against a club with every
// blood group, some off call, deferred, recently donated or on call only
// until yesterday, and donors outside the club, a need reaches exactly the
// on-call eligible members of the patient's group, most suitable first;
// widening follows the red cell table, then adds opted-in donors.
func TestUrgentReachesExactlyMatchingAndWidens(t *testing.T) {
	// 10:00 local: "23:59" is later today whenever the test runs.
	clock := clockAtLocal(t, 10, 0)
	b := bottest.Start(t, bottest.Clock(clock.Now))
	// ids[0] is the club admin; ids[1:] the donors, in the order seeded.
	ids := testenv.TelegramIDs(19)
	club := newClub(t, b, "CLB Ngan hang mau song 8100", ids[0])
	day := calendarDay(t, clock.Now())
	c := club.ID
	seed(t, b,
		donorSpec{id: ids[1], group: profile.BloodOPos, clubID: c, onCall: true},
		donorSpec{id: ids[2], group: profile.BloodONeg, clubID: c, onCall: true},
		donorSpec{id: ids[3], group: profile.BloodAPos, clubID: c, onCall: true, donated: day.AddDate(0, 0, -100)},
		donorSpec{id: ids[4], group: profile.BloodANeg, clubID: c, onCall: true},
		donorSpec{id: ids[5], group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: ids[6], group: profile.BloodBNeg, clubID: c, onCall: true},
		donorSpec{id: ids[7], group: profile.BloodABPos, clubID: c, onCall: true},
		donorSpec{id: ids[8], group: profile.BloodABNeg, clubID: c, onCall: true},
		donorSpec{id: ids[9], group: profile.BloodAPos, clubID: c, onCall: true, donated: day.AddDate(0, 0, -300)},
		donorSpec{id: ids[10], group: profile.BloodAPos, clubID: c, until: day.AddDate(0, 0, 3)}, // never donated
		donorSpec{id: ids[11], group: profile.BloodAPos, clubID: c},                              // off call
		donorSpec{id: ids[12], group: profile.BloodAPos, clubID: c, onCall: true, deferred: true},
		donorSpec{id: ids[13], group: profile.BloodAPos, clubID: c, onCall: true, donated: day.AddDate(0, 0, -30)},
		donorSpec{id: ids[14], group: profile.BloodAPos, clubID: c, until: day.AddDate(0, 0, -1)},
		donorSpec{id: ids[15], group: profile.BloodONeg, onCall: true, optIn: true}, // outside, opted in
		donorSpec{id: ids[16], group: profile.BloodAPos, onCall: true},              // outside, not opted in
		donorSpec{id: ids[17], group: profile.BloodBPos, onCall: true, optIn: true}, // outside, incompatible
		donorSpec{id: ids[18], group: profile.BloodONeg, optIn: true},               // outside, off call
	)
	admin := b.Phone(ids[0], "vi")
	everyone := ids[1:]

	needID, status := raiseNeed(t, admin, needOptions{group: "A+", component: "máu toàn phần", units: "5", widen: "Không nhắc",
		audiences: []string{"Cùng nhóm máu, trong câu lạc bộ (3)", "Nhóm máu tương thích, trong câu lạc bộ (6)", "đã đăng ký nhận tin (7)"},
		expect:    []string{"3 người phù hợp"}})
	drained(t, b)
	// Same group: A+ members on call and eligible, never donated first, then
	// the longest since their last donation.
	if got, want := alertOrder(t, b, needID), []int64{ids[10], ids[9], ids[3]}; !slices.Equal(got, want) {
		t.Fatalf("alerted %v, want %v", got, want)
	}
	checkAlerted := func(want ...int64) {
		t.Helper()
		drained(t, b)
		for _, id := range everyone {
			got := len(alerts(b, id))
			if exp := btoi(slices.Contains(want, id)); got != exp {
				t.Errorf("donor %d got %d alerts, want %d", id, got, exp)
			}
		}
	}
	checkAlerted(ids[3], ids[9], ids[10])
	alert := alerts(b, ids[3])[0]
	if strings.Contains(alert.Text, "987654321") || !strings.Contains(alert.Text, "Bệnh viện Chợ Rẫy") {
		t.Errorf("alert shows the contact phone or lacks the hospital:\n%s", alert.Text)
	}
	if !alert.HasButtonText("✅ Tôi đi được") || !alert.HasButtonText("❌ Tôi không đi được") {
		t.Errorf("alert buttons: %v", alert.Buttons())
	}

	// Widening to compatible groups: A+ red cells come from A+, O+, A-, O-.
	admin.TapIn(status.ID, "➕ Mở rộng: nhóm máu tương thích")
	waitMessage(t, b, ids[0], status.ID, "nhóm máu tương thích trong câu lạc bộ")
	if got, want := alertOrder(t, b, needID)[3:], []int64{ids[1], ids[4], ids[2]}; !slices.Equal(got, want) {
		t.Errorf("widened to %v, want %v (O+ before the rarer Rh-negative)", got, want)
	}
	checkAlerted(ids[3], ids[9], ids[10], ids[1], ids[4], ids[2])
	// Then to every opted-in donor of the bot, compatible and on call.
	admin.TapIn(status.ID, "➕ Mở rộng: mọi người đã đăng ký nhận tin")
	waitMessage(t, b, ids[0], status.ID, "mọi người hiến tương thích")
	checkAlerted(ids[3], ids[9], ids[10], ids[1], ids[4], ids[2], ids[15])
	if m, _ := b.API.Message(ids[0], status.ID); strings.Contains(m.Text, "Mở rộng") || m.HasButtonText("➕ Mở rộng: mọi người đã đăng ký nhận tin") {
		t.Errorf("widest need still offers to widen: %v", m.Buttons())
	}

	// An Rh-negative need never reaches Rh-positive donors for red cells,
	// and plasma follows the reversed table (O takes plasma of every group).
	admin.Send("/urgent")
	admin.Tap("A-")
	admin.Tap("máu toàn phần")
	admin.Send("1")
	admin.Send("BV Nhi Đồng 1")
	admin.Send("341 Sư Vạn Hạnh, Quận 10")
	admin.Send("23:59") // the time-only form means today

	admin.Expect("Bước 7/11")
	admin.Send("BS Minh")
	admin.Send("0912345678")
	admin.Tap("Bỏ qua")
	admin.Tap("Không nhắc")
	expectShown(t, admin, "Gửi tin cho ai", "Cùng nhóm máu, trong câu lạc bộ (1)", "tương thích, trong câu lạc bộ (2)", "đăng ký nhận tin (3)")
	admin.TapPrefix("Cùng nhóm máu")
	expectShown(t, admin, "Xem trước", "1 người phù hợp")
	admin.Tap("🆘 Gửi")
	admin.Expect("Yêu cầu #")
	admin.Send("/urgent")
	admin.Tap("O+")
	admin.Tap("huyết tương")
	admin.Send("1")
	admin.Send("BV Nhi Đồng 1")
	admin.Send("341 Sư Vạn Hạnh, Quận 10")
	admin.Send(clock.Now().In(loc(t)).AddDate(0, 0, 2).Format("02/01/2006 15:04"))
	admin.Send("BS Minh")
	admin.Send("0912345678")
	admin.Tap("Bỏ qua")
	admin.Tap("Không nhắc")
	// O+ plasma: same group ids[1]; compatible: every eligible member (9).
	expectShown(t, admin, "Gửi tin cho ai", "Cùng nhóm máu, trong câu lạc bộ (1)", "tương thích, trong câu lạc bộ (10)")
	admin.TapPrefix("Nhóm máu tương thích")
	expectShown(t, admin, "Xem trước", "huyết tương", "10 người phù hợp")
	admin.Tap("✖️ Hủy")
	admin.Expect("Đã hủy tin khẩn cấp")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestUrgentAnswersCountAndAutoClose: accepts and declines are counted live
// in the admin's message; the accepted donor alone sees the contact's phone
// and the admin alone sees donors' phones; the accept that reaches the
// target closes the need, edits open alerts to "covered", and a later accept
// is thanked and not counted; the admin records the donation.
func TestUrgentAnswersCountAndAutoClose(t *testing.T) {
	b := bottest.Start(t)
	adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(4)
	club := newClub(t, b, "CLB Ngan hang mau song 8200", adminID)
	c := club.ID
	seed(t, b,
		donorSpec{id: ids[0], group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: ids[1], group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: ids[2], group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: ids[3], group: profile.BloodBPos, clubID: c, onCall: true},
	)
	admin := b.Phone(adminID, "vi")
	needID, status := raiseNeed(t, admin, needOptions{group: "B+", component: "máu toàn phần", units: "2",
		widen: "Không nhắc", expect: []string{"4 người phù hợp"}})
	d1, d2, d3, d4 := b.Phone(ids[0], "vi"), b.Phone(ids[1], "vi"), b.Phone(ids[2], "vi"), b.Phone(ids[3], "vi")
	for _, d := range []*bottest.Phone{d1, d2, d3, d4} {
		d.Expect("CẦN MÁU KHẨN CẤP", "B+", "Bệnh viện Chợ Rẫy")
	}
	waitMessage(t, b, adminID, status.ID, "Nhận lời: 0/2", "Chưa trả lời: 4")

	d1.Tap("✅ Tôi đi được")
	d1.Expect("Cảm ơn bạn! Hãy đến", "Khoa Huyết học, 201B Nguyễn Chí Thanh", "BS Trần Lan, 0987 654 321", "căn cước")
	m := waitMessage(t, b, adminID, status.ID, "Nhận lời: 1/2", "Chưa trả lời: 3", seedName(ids[0])+" (B+) "+seedLocalPhone(ids[0]))
	if !m.HasButtonText("🩸 Đã hiến: "+seedName(ids[0])) || !m.HasButtonText("✅ Đã đủ, đóng yêu cầu") {
		t.Errorf("status buttons: %v", m.Buttons())
	}
	d2.Tap("❌ Tôi không đi được")
	d2.Expect("Cảm ơn bạn đã trả lời")
	waitMessage(t, b, adminID, status.ID, "Nhận lời: 1/2", "Không đi được: 1", "Chưa trả lời: 2")
	for _, msg := range d2.Messages() {
		if strings.Contains(msg.Text, "987654321") {
			t.Errorf("a donor who declined saw the contact's phone: %q", msg.Text)
		}
	}
	d4Alert := alerts(b, ids[3])[0]

	d3.Tap("✅ Tôi đi được")
	d3.Expect("0987 654 321")
	// The target is reached: the need closes and d4's open alert is edited.
	waitMessage(t, b, adminID, status.ID, "đã đủ người", "Nhận lời: 2/2", seedName(ids[2])+" (B+) "+seedLocalPhone(ids[2]))
	admin.Expect("Yêu cầu #" + strconv.FormatInt(needID, 10) + " đã đủ người nhận lời")
	covered := waitMessage(t, b, ids[3], d4Alert.ID, "Đã đủ người nhận lời đi hiến, cảm ơn bạn")
	if len(covered.InlineKeyboard) != 0 {
		t.Errorf("covered alert still has buttons: %v", covered.Buttons())
	}
	// An accept from the old alert (a stale client) is thanked, not counted.
	d4.TapStale(d4Alert.ID, "urg:v1:"+strconv.FormatInt(needID, 10)+":y")
	d4.Expect("Đã đủ người nhận lời đi hiến, cảm ơn bạn! Lần này bạn chưa cần đến")
	m = waitMessage(t, b, adminID, status.ID, "Nhận lời: 2/2", "Nhận lời khi đã đủ: 1")
	if m.HasButtonText("✅ Đã đủ, đóng yêu cầu") {
		t.Error("a filled need still offers to close it")
	}
	for _, id := range ids {
		for _, msg := range b.API.Messages(id) {
			for _, other := range ids {
				if strings.Contains(msg.Text, seedPhone(other)) || strings.Contains(msg.Text, seedLocalPhone(other)) {
					t.Errorf("donor %d saw a donor's phone: %q", id, msg.Text)
				}
			}
		}
	}

	// The admin records that d1 donated: history, count and next date follow.
	admin.TapIn(status.ID, "🩸 Đã hiến: "+seedName(ids[0]))
	waitMessage(t, b, adminID, status.ID, seedName(ids[0])+" (B+) "+seedLocalPhone(ids[0])+" — đã hiến")
	next := shownDate(t, "vi", calendarDay(t, b.Now()).AddDate(0, 0, 84))
	d1.Expect("Cảm ơn bạn đã hiến máu", next)
	d1.Send("/eligibility")
	d1.Expect("hiến máu lại từ ngày "+next, "đã hiến máu 1 lần")
	admin.Send("/needs")
	admin.Expect("#"+strconv.FormatInt(needID, 10), "B+ máu toàn phần — 2/2 — đã đủ người — Bệnh viện Chợ Rẫy")
	var accepted int
	if err := b.Store.DB().Get(&accepted, `SELECT accepted FROM needs WHERE id = $1`, needID); err != nil || accepted != 2 {
		t.Errorf("accepted = %d, %v; want 2", accepted, err)
	}
	// Logs (at debug level here) carry no phone number.
	for _, phone := range []string{"987654321", "912008201", "912008203", "0987 654 321", seedLocalPhone(ids[0]), seedLocalPhone(ids[2])} {
		if b.Logs.Contains(phone) {
			t.Errorf("a phone number (%s) is in the logs", phone)
		}
	}
}

// TestUrgentCloseCancelsUnsent: with alerts still queued (a slow send
// rate), the accept that fills the need stops further sends: queued alerts
// are cancelled and never arrive.
func TestUrgentCloseCancelsUnsent(t *testing.T) {
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.BroadcastRate = 10 }))
	adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(40)
	club := newClub(t, b, "CLB Ngan hang mau song 8300", adminID)
	for i, id := range ids {
		seed(t, b, donorSpec{id: id, group: profile.BloodABNeg, clubID: club.ID, onCall: true,
			donated: calendarDay(t, b.Now()).AddDate(0, 0, -100-i)}) // the last has waited longest: first
	}
	admin := b.Phone(adminID, "vi")
	needID, status := raiseNeed(t, admin, needOptions{group: "AB-", component: "tiểu cầu", units: "1",
		widen: "Không nhắc", expect: []string{"40 người phù hợp"}})
	first := b.Phone(ids[39], "vi")
	first.Expect("CẦN MÁU KHẨN CẤP", "tiểu cầu")
	first.Tap("✅ Tôi đi được")
	first.Expect("0987 654 321")
	waitMessage(t, b, adminID, status.ID, "đã đủ người", "Nhận lời: 1/1")
	drained(t, b)
	// An alert already on its way when the need closed still arrives; the
	// reminder loop then edits it to "covered".
	b.API.WaitUntil(t, "every late alert covered", func() bool {
		for _, id := range ids[:len(ids)-1] {
			for _, m := range alerts(b, id) {
				if m.HasButtonText("✅ Tôi đi được") {
					return false
				}
			}
		}
		return true
	})
	// A send that had passed its cancellation check before the need closed
	// still arrives, however late (its delivery then turns from cancelled to
	// sent, and the reminder loop covers it and refreshes the status). So
	// wait until the chats, the deliveries and the admin's status agree,
	// rather than for a fixed time after which nothing "should" arrive.
	const q = `SELECT count(*) FROM broadcast_deliveries bd JOIN need_alerts a ON a.broadcast_id = bd.broadcast_id
		JOIN donors d ON d.id = a.donor_id AND d.chat_id = bd.chat_id WHERE a.need_id = $1 AND bd.status = 'cancelled'`
	var received, cancelled int
	var shown string
	agree := func() bool {
		received, cancelled = 0, 0
		for _, id := range ids {
			received += len(alerts(b, id))
		}
		if err := b.Store.DB().Get(&cancelled, q, needID); err != nil {
			t.Error(err)
			return true
		}
		m, _ := b.API.Message(adminID, status.ID)
		shown = m.Text
		return received+cancelled == len(ids) && strings.Contains(shown, "Nhận lời: 1/1") &&
			strings.Contains(shown, "Chưa trả lời: "+strconv.Itoa(received-1)+"\n") &&
			strings.Contains(shown, "("+strconv.Itoa(cancelled)+" tin không gửi được hoặc đã dừng)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.API.Await(ctx, agree); err != nil {
		t.Fatalf("after 20s, %d alerts arrived and %d were cancelled (want %d in all), and the status shows:\n%s",
			received, cancelled, len(ids), shown)
	}
	if cancelled == 0 {
		t.Fatal("no queued alert was cancelled: the test needs a slower send rate")
	}
}

// TestUrgentLastUnitRace: two donors tap "I can go" for the last unit at
// the same moment, again and again: each time exactly one is counted and
// shown the contact, the other is thanked, and the count never exceeds the
// units needed.
func TestUrgentLastUnitRace(t *testing.T) {
	b := bottest.Start(t)
	adminID := testenv.TelegramID()
	club := newClub(t, b, "CLB Ngan hang mau song 8400", adminID)
	admin := b.Phone(adminID, "vi")
	// A new pair each round, of a group of its own: the winner of a round
	// is committed to its need and not alerted for the next.
	for round, group := range []profile.BloodGroup{profile.BloodOPos, profile.BloodAPos, profile.BloodBPos} {
		ids := testenv.TelegramIDs(2)
		seed(t, b,
			donorSpec{id: ids[0], group: group, clubID: club.ID, onCall: true},
			donorSpec{id: ids[1], group: group, clubID: club.ID, onCall: true},
		)
		p1, p2 := b.Phone(ids[0], "vi"), b.Phone(ids[1], "vi")
		needID, status := raiseNeed(t, admin, needOptions{group: string(group), component: "máu toàn phần", units: "1",
			widen: "Không nhắc", expect: []string{"2 người phù hợp"}})
		a1 := p1.Expect("CẦN MÁU KHẨN CẤP")
		a2 := p2.Expect("CẦN MÁU KHẨN CẤP")
		data := "urg:v1:" + strconv.FormatInt(needID, 10) + ":y"
		done := make(chan struct{})
		go func() { b.API.TapButton(p1.User, a1.ID, data); close(done) }()
		b.API.TapButton(p2.User, a2.ID, data)
		<-done
		r1 := p1.ExpectMatch(isAnswer)
		r2 := p2.ExpectMatch(isAnswer)
		won := btoi(strings.Contains(r1.Text, "0987 654 321")) + btoi(strings.Contains(r2.Text, "0987 654 321"))
		lost := btoi(strings.Contains(r1.Text, "Đã đủ người nhận lời")) + btoi(strings.Contains(r2.Text, "Đã đủ người nhận lời"))
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: answers %q and %q: want one accepted, one thanked", round, r1.Text, r2.Text)
		}
		waitMessage(t, b, adminID, status.ID, "Nhận lời: 1/1", "Nhận lời khi đã đủ: 1")
		var accepted int
		if err := b.Store.DB().Get(&accepted, `SELECT accepted FROM needs WHERE id = $1`, needID); err != nil || accepted != 1 {
			t.Fatalf("round %d: accepted = %d, %v", round, accepted, err)
		}
	}
}

func isAnswer(m telegramtest.Message) bool {
	return strings.Contains(m.Text, "Cảm ơn bạn! Hãy đến") || strings.Contains(m.Text, "Đã đủ người nhận lời")
}

// TestUrgentRights: /urgent and the club commands are refused to donors and
// admins of no club; a forged answer to someone else's alert and an admin
// button of another club's need are refused.
func TestUrgentRights(t *testing.T) {
	ids := testenv.TelegramIDs(5)
	rootID, clubAdminID, otherAdminID, memberID, outsiderID := ids[0], ids[1], ids[2], ids[3], ids[4]
	b := bottest.Start(t, bottest.Admins(rootID))
	ctx := context.Background()
	root := b.Phone(rootID, "vi")
	root.Send("/newunit club CLB Hiến máu 8500")
	created := root.Expect("CLB Hiến máu 8500")
	code := regexp.MustCompile(`[A-Z2-7]{12}`).FindString(created.Text)
	if code == "" {
		t.Fatalf("no invite code in %q", created.Text)
	}
	root.Send("/grant " + itoa(clubAdminID) + " club_admin")
	root.Expect("Giao quản trị câu lạc bộ nào?")
	root.Send(code)
	root.Tap("✅ Có")
	root.Expect("Đã giao quyền quản trị câu lạc bộ CLB Hiến máu 8500 cho id Telegram " + itoa(clubAdminID))
	club, err := b.Store.UnitByInviteCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	other := newClub(t, b, "CLB Ngan hang mau song 8599", otherAdminID)
	seed(t, b,
		donorSpec{id: memberID, group: profile.BloodOPos, clubID: club.ID, onCall: true},
		donorSpec{id: outsiderID, group: profile.BloodOPos, clubID: other.ID}, // off call: never alerted
	)

	donor := b.Phone(outsiderID, "vi")
	for _, cmd := range []string{"/urgent", "/needs", "/invite", "/addmember 0912345678"} {
		donor.Send(cmd)
		donor.Expect("chỉ dành cho quản lý câu lạc bộ")
	}
	root.Send("/urgent") // an admin who runs no club
	root.Expect("chỉ dành cho quản lý câu lạc bộ")

	admin := b.Phone(clubAdminID, "vi")
	needID, status := raiseNeed(t, admin, needOptions{group: "O+", component: "máu toàn phần", units: "1",
		widen: "Không nhắc", expect: []string{"1 người phù hợp"}})
	b.Phone(memberID, "vi").Expect("CẦN MÁU KHẨN CẤP")
	n := strconv.FormatInt(needID, 10)
	// The outsider was not alerted: a forged tap does not answer the member's alert.
	upd := donor.TapStale(1, "urg:v1:"+n+":y")
	donor.Settle()
	if a, ok := b.API.CallbackAnswer(upd); !ok || !strings.Contains(a.Text, "không gửi cho bạn") {
		t.Errorf("forged answer: %+v", a)
	}
	// The admin of another club cannot close, widen or see this need.
	otherAdmin := b.Phone(otherAdminID, "vi")
	for _, action := range []string{"fill", "compatible", "show", "don:" + itoa(memberID)} {
		upd := otherAdmin.TapStale(1, "urgadm:v1:"+n+":"+action)
		otherAdmin.Settle()
		if a, ok := b.API.CallbackAnswer(upd); !ok || !strings.Contains(a.Text, "thuộc một câu lạc bộ khác") {
			t.Errorf("urgadm %s by another club's admin: %+v", action, a)
		}
	}
	waitMessage(t, b, clubAdminID, status.ID, "Nhận lời: 0/1", "đang tìm người hiến")
	// Nor can a donor, whatever the buttons say: a Send of /urgent's review
	// is a button of a conversation they are not in.
	upd = donor.TapStale(1, "fl:v1:urgent:review:ok")
	donor.Settle()
	if a, ok := b.API.CallbackAnswer(upd); !ok || !strings.Contains(a.Text, "Nút này không còn hiệu lực") {
		t.Errorf("urgent Send by a donor: %+v", a)
	}
}

// TestUrgentWidenOffer: a need still unfilled at the time the admin chose
// brings an offer to widen (the handlers' clock is moved past it); widening
// alerts compatible members; "Filled" closes the need and covers open alerts.
func TestUrgentWidenOffer(t *testing.T) {
	b := bottest.Start(t)
	clock := b.Clock
	adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(3)
	club := newClub(t, b, "CLB Ngan hang mau song 8600", adminID)
	seed(t, b,
		donorSpec{id: ids[0], group: profile.BloodBNeg, clubID: club.ID, onCall: true},
		donorSpec{id: ids[1], group: profile.BloodONeg, clubID: club.ID, onCall: true},
		donorSpec{id: ids[2], group: profile.BloodBPos, clubID: club.ID, onCall: true}, // Rh+: never for B- cells
	)
	admin := b.Phone(adminID, "vi")
	needID, status := raiseNeed(t, admin, needOptions{group: "B-", component: "máu toàn phần", units: "2",
		widen: "Sau 2 giờ", expect: []string{"1 người phù hợp"}})
	b.Phone(ids[0], "vi").Expect("CẦN MÁU KHẨN CẤP")
	// One run of the scheduler's jobs, and the delivery queue emptied: what
	// was due is delivered.
	tick := func() {
		t.Helper()
		if err := b.Handlers().SendReminders(context.Background()); err != nil {
			t.Fatal(err)
		}
		drained(t, b)
	}
	offers := func() int {
		n := 0
		for _, m := range admin.Messages() {
			if strings.Contains(m.Text, "mới có") {
				n++
			}
		}
		return n
	}
	tick()
	if n := offers(); n != 0 {
		t.Fatalf("%d offers to widen before the time chosen", n)
	}
	clock.Advance(2*time.Hour + time.Minute)
	offer := admin.Expect("Yêu cầu #"+strconv.FormatInt(needID, 10)+" mới có 0/2", "mở rộng")
	admin.TapIn(offer.ID, "➕ Mở rộng: nhóm máu tương thích")
	o := b.Phone(ids[1], "vi").Expect("CẦN MÁU KHẨN CẤP", "B-")
	drained(t, b)
	if n := len(alerts(b, ids[2])); n != 0 {
		t.Errorf("a B+ donor got %d alerts for B- red cells", n)
	}
	admin.TapIn(status.ID, "✅ Đã đủ, đóng yêu cầu")
	waitMessage(t, b, adminID, status.ID, "đã đóng")
	// Closed with nobody found: not "covered".
	waitMessage(t, b, ids[1], o.ID, "Yêu cầu này đã đóng, bạn không cần đến")
	clock.Advance(3 * time.Hour)
	tick()
	if n := offers(); n != 1 {
		t.Errorf("%d offers to widen, want 1", n)
	}
}

// TestClubJoinAvailabilityAndMembers: a new user opens a club's invite link,
// onboards and lands in the club; /available switches on call, until a day,
// off, and the opt-in; the club admin adds a member by phone.
func TestClubJoinAvailabilityAndMembers(t *testing.T) {
	b := bottest.Start(t)
	adminID, invitedID := testenv.TelegramID(), testenv.TelegramID()
	club := newClub(t, b, "CLB Ngan hang mau song 8700", adminID)
	admin := b.Phone(adminID, "vi")
	admin.Send("/invite")
	admin.Expect("CLB Ngan hang mau song 8700", "0 thành viên", "?start=c_"+club.InviteCode)

	p := b.NewPhone("vi")
	p.Send("/start c_" + club.InviteCode)
	p.Expect("Nghị định 13/2023")
	agreeAndAnswer(t, b, p, profileAnswers{name: "Đỗ Thị Mai", phone: "0971234567", sex: "Nữ", birth: "02/02/1992", weight: "55", blood: "AB+"})
	p.Expect("Bạn đã tham gia câu lạc bộ CLB Ngan hang mau song 8700")
	p.Send("/available")
	p.Expect("Bạn đang tạm nghỉ", "chỉ nhận tin khẩn cấp từ câu lạc bộ của mình")
	p.Tap("🟢 Sẵn sàng ngay")
	p.Expect("Đã lưu", "Bạn đang sẵn sàng hiến máu khẩn cấp")
	p.Tap("📅 Sẵn sàng đến ngày…")
	p.Expect("đến hết ngày nào")
	p.Send("01/01/2020")
	p.Expect("Ngày chưa đúng")
	until := calendarDay(t, b.Now()).AddDate(0, 0, 7)
	p.Send(until.Format("02/01/2006"))
	p.Expect("sẵn sàng hiến máu khẩn cấp đến hết ngày " + shownDate(t, "vi", until))
	p.Tap("🔔 Nhận tin khẩn cấp của mọi câu lạc bộ")
	p.Expect("nhận cả tin khẩn cấp từ các câu lạc bộ bạn chưa tham gia")
	p.Tap("⚪ Tạm nghỉ")
	p.Expect("Bạn đang tạm nghỉ")
	a, err := b.Store.Availability(context.Background(), p.User.ID)
	if err != nil || a.OnCall || !a.UrgentOptIn {
		t.Errorf("availability = %+v, %v", a, err)
	}
	p.Send("/help")
	p.Expect("/available")

	seed(t, b, donorSpec{id: invitedID, group: profile.BloodOPos})
	admin.Send("/addmember 0" + strings.TrimPrefix(seedPhone(invitedID), "+84"))
	admin.Expect("họ vừa nhận được lời mời")
	invited := b.Phone(invitedID, "vi")
	invited.Expect("Câu lạc bộ CLB Ngan hang mau song 8700 mời bạn tham gia")
	invited.Tap("✅ Đồng ý tham gia")
	invited.Expect("Bạn đã tham gia câu lạc bộ CLB Ngan hang mau song 8700")
	admin.Expect(seedName(invitedID) + " đã đồng ý tham gia câu lạc bộ CLB Ngan hang mau song 8700")
	admin.Send("/addmember 0911111111")
	admin.Expect("họ vừa nhận được lời mời", "?start=c_")
	admin.Send("/invite")
	admin.Expect("2 thành viên")
	admin.Send("/help")
	admin.Expect("/urgent", "/addmember")
}
