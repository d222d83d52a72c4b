package handlers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/telegramtest"
)

// TestAddMemberInvites: /addmember <phone> invites the donor, in their
// language, naming the club; the admin gets the same answer whatever the
// number (a donor's, nobody's, a member's, one already invited) and learns
// the donor's name only when they accept. Accepting twice joins once and
// tells the admin once; a decline joins nobody and tells the admin
// nothing; an invitation answered after a week has expired.
func TestAddMemberInvites(t *testing.T) {
	b := bottest.Start(t)
	clock := b.Clock
	ctx := context.Background()
	ids := testenv.TelegramIDs(4)
	adminID, accepterID, declinerID, lateID := ids[0], ids[1], ids[2], ids[3]
	club := newClub(t, b, "Thanh nien Loi moi 88600", adminID)
	seedDonor(t, b, seededDonor{id: accepterID, name: "Lê Thị Đồng Ý", phone: "+84912088601"})
	seedDonor(t, b, seededDonor{id: declinerID, name: "Phạm Văn Từ Chối", phone: "+84912088602"})
	seedDonor(t, b, seededDonor{id: lateID, name: "John Nguyen Later", phone: "+84912088603"})
	if err := b.Store.SetDonorLanguage(ctx, lateID, "en"); err != nil {
		t.Fatal(err)
	}
	admin := b.Phone(adminID, "vi")
	members := func() int {
		n, err := b.Store.CountMembers(ctx, club.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// addMember sends the command and returns the admin's one answer.
	addMember := func(phone string) string {
		t.Helper()
		before := len(admin.Messages())
		admin.Send("/addmember " + phone)
		b.Settle()
		got := admin.Messages()[before:]
		if len(got) != 1 {
			t.Fatalf("/addmember %s: %d answers", phone, len(got))
		}
		return got[0].Text
	}

	want := addMember("0912088601")
	for _, name := range []string{"Lê Thị Đồng Ý", "Phạm Văn Từ Chối", "John Nguyen"} {
		if strings.Contains(want, name) {
			t.Errorf("the admin was shown %q: %q", name, want)
		}
	}
	if !strings.Contains(want, "họ vừa nhận được lời mời") || !strings.Contains(want, "?start=c_") {
		t.Errorf("answer to /addmember: %q", want)
	}
	accepter := b.Phone(accepterID, "vi")
	invitation := accepter.Expect("Câu lạc bộ Thanh nien Loi moi 88600 mời bạn tham gia", "có hiệu lực đến")
	if members() != 0 {
		t.Fatal("the donor joined before accepting")
	}
	// Nobody's number, the same number again (still invited): same answer,
	// and the donor gets no second invitation.
	for _, phone := range []string{"0911111111", "0912088601"} {
		if got := addMember(phone); got != want {
			t.Errorf("/addmember %s answered %q, want the same as for a donor: %q", phone, got, want)
		}
	}

	accepter.TapIn(invitation.ID, "✅ Đồng ý tham gia")
	accepter.Expect("Bạn đã tham gia câu lạc bộ Thanh nien Loi moi 88600")
	admin.Expect("Lê Thị Đồng Ý đã đồng ý tham gia câu lạc bộ Thanh nien Loi moi 88600")
	if members() != 1 {
		t.Errorf("members after accept = %d, want 1", members())
	}
	// The same accept delivered again (a second tap, a redelivery).
	var data string
	for _, row := range invitation.InlineKeyboard {
		for _, btn := range row {
			if strings.HasPrefix(btn.Text, "✅") {
				data = btn.CallbackData
			}
		}
	}
	adminSeen := len(admin.Messages())
	accepter.TapStale(invitation.ID, data)
	accepter.Expect("Bạn đã trả lời lời mời này rồi")
	b.Settle()
	if members() != 1 || len(admin.Messages()) != adminSeen {
		t.Errorf("a second accept: %d members, %d new admin messages", members(), len(admin.Messages())-adminSeen)
	}
	// A member's number: the same answer again, no message to them.
	accepterSeen := len(accepter.Messages())
	if got := addMember("0912088601"); got != want {
		t.Errorf("/addmember of a member answered %q", got)
	}
	if n := len(accepter.Messages()); n != accepterSeen {
		t.Errorf("a member was invited again (%d new messages)", n-accepterSeen)
	}

	// A decline: not a member, and the admin hears nothing.
	addMember("0912088602")
	decliner := b.Phone(declinerID, "vi")
	decliner.Expect("mời bạn tham gia")
	adminSeen = len(admin.Messages())
	decliner.Tap("❌ Từ chối")
	decliner.Expect("Bạn đã từ chối lời mời của câu lạc bộ Thanh nien Loi moi 88600", "không được biết tên bạn")
	b.Settle()
	if members() != 1 || len(admin.Messages()) != adminSeen {
		t.Errorf("after a decline: %d members, %d new admin messages", members(), len(admin.Messages())-adminSeen)
	}
	// Asking again right after a "no" sends nothing to the donor.
	declinerSeen := len(decliner.Messages())
	if got := addMember("0912088602"); got != want {
		t.Errorf("/addmember after a decline answered %q", got)
	}
	if n := len(decliner.Messages()); n != declinerSeen {
		t.Errorf("a donor who declined was invited again at once (%d new messages)", n-declinerSeen)
	}

	// An English-speaking donor answers after the invitation expired.
	addMember("0912088603")
	late := b.Phone(lateID, "en")
	late.Expect("The club Thanh nien Loi moi 88600 invites you to join")
	clock.Advance(8 * 24 * time.Hour)
	late.Tap("✅ Join")
	late.Expect("The invitation of the club Thanh nien Loi moi 88600 has expired")
	b.Settle()
	if members() != 1 {
		t.Errorf("an expired invitation joined the donor: %d members", members())
	}
	var statuses []string
	if err := b.Store.DB().Select(&statuses, `SELECT status FROM club_invitations WHERE club_id = $1 ORDER BY id`, club.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(statuses, []string{"accepted", "declined", "expired"}) {
		t.Errorf("invitations = %v", statuses)
	}
	// Expired, it may be sent again.
	addMember("0912088603")
	late.ExpectMatch(func(m telegramtest.Message) bool { return strings.Contains(m.Text, "invites you to join") })
	if b.Logs.Contains("0912088") || b.Logs.Contains("+84912088") || b.Logs.Contains("0912 088") {
		t.Error("a phone number reached the log")
	}
}
