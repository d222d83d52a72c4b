package handlers_test

import (
	"context"
	"strings"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// clubJoinTexts are what a new member reads and taps, in one language.
type clubJoinTexts struct {
	lang                   string
	joined, ask            string
	on, until, notNow      string // buttons
	accept                 string // the invitation's button
	saved, onCall, offCall string
	untilAsk, onCallUntil  string
}

// TestJoiningAClubAsksAboutUrgentCalls: a donor who joins a club, by its
// invite link or by accepting an /addmember invitation, is asked at once
// whether they take urgent calls (now, until a day, not now) instead of
// being left off call; one already on call is shown so and not asked.
func TestJoiningAClubAsksAboutUrgentCalls(t *testing.T) {
	for _, tc := range []clubJoinTexts{{
		lang: "vi", joined: "Bạn đã tham gia câu lạc bộ", ask: "Bạn có sẵn sàng nhận tin báo cần máu khẩn cấp không?",
		on: "🟢 Sẵn sàng ngay", until: "📅 Sẵn sàng đến ngày…", notNow: "⚪ Để sau", accept: "✅ Đồng ý tham gia",
		saved: "Đã lưu", onCall: "Bạn đang sẵn sàng hiến máu khẩn cấp", offCall: "Bạn đang tạm nghỉ",
		untilAsk: "đến hết ngày nào", onCallUntil: "sẵn sàng hiến máu khẩn cấp đến hết ngày",
	}, {
		lang: "en", joined: "You joined the club", ask: "Are you available for urgent calls?",
		on: "🟢 On call now", until: "📅 On call until…", notNow: "⚪ Not now", accept: "✅ Join",
		saved: "Saved.", onCall: "You are on call for urgent needs.", offCall: "You are off call",
		untilAsk: "Until which day are you on call?", onCallUntil: "on call for urgent needs until the end of",
	}} {
		t.Run(tc.lang, func(t *testing.T) { joiningAClubAsksIn(t, tc) })
	}
}

func joiningAClubAsksIn(t *testing.T, tc clubJoinTexts) {
	b := bottest.Start(t)
	ctx := context.Background()
	ids := testenv.TelegramIDs(5)
	adminID, linkID, invitedID, laterID, onCallID := ids[0], ids[1], ids[2], ids[3], ids[4]
	club := newClub(t, b, "CLB Mau song "+tc.lang+itoa(adminID%10000), adminID)
	seed(t, b, donorSpec{id: linkID, group: profile.BloodOPos}, donorSpec{id: invitedID, group: profile.BloodAPos},
		donorSpec{id: laterID, group: profile.BloodBPos}, donorSpec{id: onCallID, group: profile.BloodABPos, onCall: true})
	for _, id := range ids[1:] {
		if err := b.Store.SetDonorLanguage(ctx, id, tc.lang); err != nil {
			t.Fatal(err)
		}
	}
	onCall := func(id int64) bool {
		t.Helper()
		a, err := b.Store.Availability(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a.OnCallOn(calendarDay(t, b.Now()))
	}
	asked := func(p *bottest.Phone) {
		t.Helper()
		m := p.Expect(tc.joined, club.Name, tc.ask)
		for _, label := range []string{tc.on, tc.until, tc.notNow} {
			if !m.HasButtonText(label) {
				t.Errorf("the question lacks %q: %v", label, m.Buttons())
			}
		}
		if strings.Contains(m.Text, "/available") {
			t.Errorf("the welcome still sends the member to a command: %q", m.Text)
		}
	}

	// By the invite link: on call now.
	link := b.Phone(linkID, tc.lang)
	link.Send("/start c_" + club.InviteCode)
	asked(link)
	link.Tap(tc.on)
	link.Expect(tc.saved, tc.onCall)
	if !onCall(linkID) {
		t.Error("the member who tapped on call is not on call")
	}

	// By accepting an invitation: on call until a day.
	admin := b.Phone(adminID, "vi")
	admin.Send("/addmember 0" + strings.TrimPrefix(seedPhone(invitedID), "+84"))
	admin.Expect("họ vừa nhận được lời mời")
	invited := b.Phone(invitedID, tc.lang)
	invited.Tap(tc.accept)
	asked(invited)
	invited.Tap(tc.until)
	invited.Expect(tc.untilAsk)
	untilDay := calendarDay(t, b.Now()).AddDate(0, 0, 14)
	invited.Send(untilDay.Format("02/01/2006"))
	invited.Expect(tc.onCallUntil, shownDate(t, tc.lang, untilDay))
	if !onCall(invitedID) {
		t.Error("the member on call until a day is not on call")
	}

	// Not now: stays off call, and is told so.
	later := b.Phone(laterID, tc.lang)
	later.Send("/start c_" + club.InviteCode)
	asked(later)
	later.Tap(tc.notNow)
	later.Expect(tc.saved, tc.offCall)
	if onCall(laterID) {
		t.Error("the member who said not now is on call")
	}

	// Already on call: shown so, not asked.
	already := b.Phone(onCallID, tc.lang)
	already.Send("/start c_" + club.InviteCode)
	m := already.Expect(tc.joined, club.Name, tc.onCall)
	if strings.Contains(m.Text, tc.ask) {
		t.Errorf("a donor already on call was asked: %q", m.Text)
	}
}
