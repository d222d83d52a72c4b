package handlers_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// Telegram ids 8100-8999 belong to the urgent need tests.

// testClock is the handlers' clock, moved forward by tests.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// today is the calendar date in Vietnam as the domain stores it.
func today(t *testing.T) time.Time {
	now := time.Now().In(loc(t))
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// newClub creates a club and makes adminID its club admin.
func newClub(t *testing.T, b *bottest.Bot, name string, adminID int64) storage.Unit {
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

// seed creates onboarded donors as specified.
func seed(t *testing.T, b *bottest.Bot, specs ...donorSpec) {
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
		check(b.Store.SetDonorName(ctx, s.id, "Người hiến "+strconv.FormatInt(s.id, 10)))
		check(b.Store.SetDonorPhone(ctx, s.id, "+8491200"+strconv.FormatInt(s.id, 10)))
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
			check(b.Store.AddDeferral(ctx, s.id, "on_site", today(t).AddDate(0, 2, 0), false, "on_site"))
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
	widen            string // button label
	expect           []string
}

var needIDPattern = regexp.MustCompile(`#(\d+)`)

// raiseNeed walks the club admin through /urgent up to the preview, checks
// it shows expect, sends it and returns the need id and the status message.
func raiseNeed(t *testing.T, admin *bottest.Phone, o needOptions) (int64, telegramtest.Message) {
	t.Helper()
	admin.Send("/urgent")
	admin.Expect("Bước 1/10", "nhóm nào")
	admin.Tap(o.group)
	admin.Expect("Bước 2/10")
	admin.Tap(o.component)
	admin.Expect("Bước 3/10")
	admin.Send("0")
	admin.Expect("từ 1 đến 50")
	admin.Send(o.units)
	admin.Expect("Bước 4/10")
	admin.Send("Bệnh viện Chợ Rẫy")
	admin.Expect("Bước 5/10")
	admin.Send("Khoa Huyết học, 201B Nguyễn Chí Thanh, Quận 5")
	admin.Expect("Bước 6/10")
	admin.Send("hôm qua")
	admin.Expect("Thời hạn chưa đúng")
	admin.Send(time.Now().In(time.FixedZone("ICT", 7*3600)).AddDate(0, 0, 1).Format("15:04 02/01/2006"))
	admin.Expect("Bước 7/10")
	admin.Send("BS Trần Lan")
	admin.Expect("Bước 8/10")
	admin.Send("123")
	admin.Expect("Số điện thoại chưa đúng")
	admin.Send("0987 654 321")
	admin.Expect("Bước 9/10")
	admin.Tap("Bỏ qua")
	admin.Expect("Bước 10/10")
	admin.Tap(o.widen)
	expectShown(t, admin, append([]string{"Xem trước", "+84987654321"}, o.expect...)...)
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
		if strings.Contains(m.Text, "CẦN MÁU KHẨN CẤP") || strings.Contains(m.Text, "Đã đủ máu, cảm ơn bạn") && m.Edited {
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
		if err := b.Store.DB().Get(&n, `SELECT count(*) FROM broadcast_deliveries WHERE status = 'pending'`); err != nil {
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
	b := bottest.Start(t)
	club := newClub(t, b, "CLB Ngan hang mau song 8100", 8190)
	day := today(t)
	c := club.ID
	seed(t, b,
		donorSpec{id: 8101, group: profile.BloodOPos, clubID: c, onCall: true},
		donorSpec{id: 8102, group: profile.BloodONeg, clubID: c, onCall: true},
		donorSpec{id: 8103, group: profile.BloodAPos, clubID: c, onCall: true, donated: day.AddDate(0, 0, -100)},
		donorSpec{id: 8104, group: profile.BloodANeg, clubID: c, onCall: true},
		donorSpec{id: 8105, group: profile.BloodBPos, clubID: c, onCall: true},
		donorSpec{id: 8106, group: profile.BloodBNeg, clubID: c, onCall: true},
		donorSpec{id: 8107, group: profile.BloodABPos, clubID: c, onCall: true},
		donorSpec{id: 8108, group: profile.BloodABNeg, clubID: c, onCall: true},
		donorSpec{id: 8109, group: profile.BloodAPos, clubID: c, onCall: true, donated: day.AddDate(0, 0, -300)},
		donorSpec{id: 8110, group: profile.BloodAPos, clubID: c, until: day.AddDate(0, 0, 3)}, // never donated
		donorSpec{id: 8111, group: profile.BloodAPos, clubID: c},                                // off call
		donorSpec{id: 8112, group: profile.BloodAPos, clubID: c, onCall: true, deferred: true},
		donorSpec{id: 8113, group: profile.BloodAPos, clubID: c, onCall: true, donated: day.AddDate(0, 0, -30)},
		donorSpec{id: 8114, group: profile.BloodAPos, clubID: c, until: day.AddDate(0, 0, -1)},
		donorSpec{id: 8115, group: profile.BloodONeg, onCall: true, optIn: true}, // outside, opted in
		donorSpec{id: 8116, group: profile.BloodAPos, onCall: true},              // outside, not opted in
		donorSpec{id: 8117, group: profile.BloodBPos, onCall: true, optIn: true}, // outside, incompatible
		donorSpec{id: 8118, group: profile.BloodONeg, optIn: true},               // outside, off call
	)
	admin := b.Phone(8190, "vi")
	everyone := []int64{8101, 8102, 8103, 8104, 8105, 8106, 8107, 8108, 8109, 8110, 8111, 8112, 8113, 8114, 8115, 8116, 8117, 8118}

	needID, status := raiseNeed(t, admin, needOptions{group: "A+", component: "máu toàn phần", units: "5", widen: "Không nhắc",
		expect: []string{"3 người phù hợp", "Cùng nhóm máu, trong câu lạc bộ (3)",
			"Nhóm máu tương thích, trong câu lạc bộ (6)", "đã đăng ký nhận tin (7)"}})
	drained(t, b)
	// Same group: A+ members on call and eligible, never donated first, then
	// the longest since their last donation.
	if got, want := alertOrder(t, b, needID), []int64{8110, 8109, 8103}; !slices.Equal(got, want) {
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
	checkAlerted(8103, 8109, 8110)
	alert := alerts(b, 8103)[0]
	if strings.Contains(alert.Text, "987654321") || !strings.Contains(alert.Text, "Bệnh viện Chợ Rẫy") {
		t.Errorf("alert shows the contact phone or lacks the hospital:\n%s", alert.Text)
	}
	if !alert.HasButtonText("✅ Tôi đi được") || !alert.HasButtonText("❌ Tôi không đi được") {
		t.Errorf("alert buttons: %v", alert.Buttons())
	}

	// Widening to compatible groups: A+ red cells come from A+, O+, A-, O-.
	admin.TapIn(status.ID, "➕ Mở rộng: nhóm máu tương thích")
	waitMessage(t, b, 8190, status.ID, "nhóm máu tương thích trong câu lạc bộ")
	if got, want := alertOrder(t, b, needID)[3:], []int64{8101, 8104, 8102}; !slices.Equal(got, want) {
		t.Errorf("widened to %v, want %v (O+ before the rarer Rh-negative)", got, want)
	}
	checkAlerted(8103, 8109, 8110, 8101, 8104, 8102)
	// Then to every opted-in donor of the bot, compatible and on call.
	admin.TapIn(status.ID, "➕ Mở rộng: mọi người đã đăng ký nhận tin")
	waitMessage(t, b, 8190, status.ID, "mọi người hiến tương thích")
	checkAlerted(8103, 8109, 8110, 8101, 8104, 8102, 8115)
	if m, _ := b.API.Message(8190, status.ID); strings.Contains(m.Text, "Mở rộng") || m.HasButtonText("➕ Mở rộng: mọi người đã đăng ký nhận tin") {
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
	admin.Send("23:59")
	if strings.Contains(admin.Expect("Bước").Text, "Thời hạn chưa đúng") {
		t.Skip("ran too close to midnight for a same-day deadline")
	}
	admin.Send("BS Minh")
	admin.Send("0912345678")
	admin.Tap("Bỏ qua")
	admin.Tap("Không nhắc")
	expectShown(t, admin, "Xem trước", "Cùng nhóm máu, trong câu lạc bộ (1)", "tương thích, trong câu lạc bộ (2)", "đăng ký nhận tin (3)")
	admin.Tap("🆘 Gửi")
	admin.Expect("Yêu cầu #")
	admin.Send("/urgent")
	admin.Tap("O+")
	admin.Tap("huyết tương")
	admin.Send("1")
	admin.Send("BV Nhi Đồng 1")
	admin.Send("341 Sư Vạn Hạnh, Quận 10")
	admin.Send(time.Now().In(loc(t)).AddDate(0, 0, 2).Format("02/01/2006 15:04"))
	admin.Send("BS Minh")
	admin.Send("0912345678")
	admin.Tap("Bỏ qua")
	admin.Tap("Không nhắc")
	// O+ plasma: same group 8101; compatible: every eligible member (9).
	expectShown(t, admin, "Xem trước", "huyết tương", "Cùng nhóm máu, trong câu lạc bộ (1)", "tương thích, trong câu lạc bộ (10)")
	admin.Tap("Hủy bản nháp")
	admin.Expect("Đã hủy tin khẩn cấp")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
