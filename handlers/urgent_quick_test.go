package handlers_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// urgentQuickTexts are what a club admin types and sees of a quick /urgent
// in one language. The bot's clock stands at Thursday 16/05/2030 10:00.
type urgentQuickTexts struct {
	lang                                  string
	oneMessage, noDeadline, pastDeadline  string
	review, send, cancel, sent, discarded string
	today18, units2, hospital, place, who string
	whole, units3, hospital198            string
	deadlineAsked, tomorrowMorning, by20  string
	tomorrow11, today20, pastRefused      string
	typedPast, typedPastRefused           string
	groupAsked, repeat, previousAsked     string
	stepWord, back                        string
}

// TestUrgentQuickFiling files urgent needs in under a minute, in both
// languages: one message with every fact goes straight to the review (the
// deadline shown in full) and sends; one without a deadline asks for it
// alone; a deadline already past is refused with what it was read as, at
// the command and at the question; and a previous need is repeated with
// only its deadline asked again.
func TestUrgentQuickFiling(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []urgentQuickTexts{{
		lang:       "vi",
		oneMessage: `/urgent O- 2 "Viện Huyết học" 18h hôm nay 0912345678`,
		noDeadline: `/urgent O âm 3 bịch Bệnh viện 19-8 0987654321`, pastDeadline: `/urgent O- 2 "Viện Huyết học" 8h hôm nay 0912345678`,
		review: "Xem trước tin khẩn cấp", send: "🆘 Gửi", cancel: "✖️ Hủy", sent: "Yêu cầu #", discarded: "Đã hủy tin khẩn cấp",
		today18: "• Cần trước: 18:00 Thứ Năm, 16/05/2030 (hôm nay)", units2: "• Số người hiến cần: 2",
		hospital: "• Bệnh viện: Viện Huyết học", place: "• Nơi hiến máu: Viện Huyết học", who: "• Người liên hệ: User Test",
		whole: "• Chế phẩm: máu toàn phần", units3: "• Số người hiến cần: 3", hospital198: "• Bệnh viện: Bệnh viện 19-8",
		deadlineAsked: "Cần trước khi nào? Ví dụ: 13h hôm nay; sáng mai; 18/05 9h.", tomorrowMorning: "sáng mai", by20: "trước 20:00",
		tomorrow11: "• Cần trước: 11:00 Thứ Sáu, 17/05/2030 (ngày mai)", today20: "• Cần trước: 20:00 Thứ Năm, 16/05/2030 (hôm nay)",
		pastRefused: "Thời hạn 08:00 Thứ Năm, 16/05/2030 (hôm nay) đã qua",
		typedPast:   "9h hôm nay", typedPastRefused: "Thời hạn 09:00 Thứ Năm, 16/05/2030 (hôm nay) đã qua",
		groupAsked: "nhóm nào", repeat: "🔁 Lặp lại một yêu cầu trước", previousAsked: "Lặp lại yêu cầu nào?", stepWord: "Bước", back: "⬅️ Quay lại",
	}, {
		lang:       "en",
		oneMessage: `/urgent O- 2 units "Blood Institute" 6pm today 0912345678`,
		noDeadline: `/urgent O negative 3 bags "Hospital 19-8" 0987654321`, pastDeadline: `/urgent 0912345678 8am today O- "Blood Institute" 2 units`,
		review: "Preview of the urgent alert", send: "🆘 Send", cancel: "✖️ Cancel", sent: "Need #", discarded: "Urgent alert discarded",
		today18: "• Needed by: 18:00 Thu 16 May 2030 (today)", units2: "• Donors needed: 2",
		hospital: "• Hospital: Blood Institute", place: "• Where to donate: Blood Institute", who: "• Contact: User Test",
		whole: "• Component: whole blood", units3: "• Donors needed: 3", hospital198: "• Hospital: Hospital 19-8",
		deadlineAsked: "Needed by when? E.g. 13:00 today; tomorrow morning; 9:00 18/05.", tomorrowMorning: "tomorrow morning", by20: "before 20:00",
		tomorrow11: "• Needed by: 11:00 Fri 17 May 2030 (tomorrow)", today20: "• Needed by: 20:00 Thu 16 May 2030 (today)",
		pastRefused: "The deadline 08:00 Thu 16 May 2030 (today) has passed",
		typedPast:   "9am today", typedPastRefused: "The deadline 09:00 Thu 16 May 2030 (today) has passed",
		groupAsked: "Which blood group", repeat: "🔁 Repeat a previous need", previousAsked: "Which need do you repeat?", stepWord: "Step", back: "⬅️ Back",
	}} {
		t.Run(tc.lang, func(t *testing.T) { urgentQuickIn(t, b, tc) })
	}
}

func urgentQuickIn(t *testing.T, b *bottest.Bot, tc urgentQuickTexts) {
	adminID, donorID := testenv.TelegramID(), testenv.TelegramID()
	club := newClub(t, b, "CLB Nhanh "+itoa(adminID), adminID)
	seed(t, b, donorSpec{id: donorID, group: profile.BloodONeg, clubID: club.ID, onCall: true})
	admin := b.Phone(adminID, tc.lang)
	donor := b.Phone(donorID, "vi")

	// Every fact in one message: the review at once, nothing asked.
	before := lastBotMessage(admin)
	admin.Send(tc.oneMessage)
	review := admin.Expect(tc.review, tc.today18, tc.units2, tc.hospital, tc.place, tc.who, tc.whole, "0912 345 678")
	if asked := botMessagesBetween(admin, before, review.ID); len(asked) != 0 {
		t.Fatalf("asked before the review: %v", asked)
	}
	if !review.HasButtonText(tc.send) {
		t.Fatalf("review without Send: %v", review.Buttons())
	}
	admin.Tap(tc.send)
	status := admin.Expect(tc.sent)
	firstID := needIDOf(t, status)
	donor.Expect("CẦN MÁU KHẨN CẤP", "O-", hospitalName(tc))
	b.Settle()
	var group, component, hospital, address, contact, phone string
	var units int
	var deadline time.Time
	if err := b.Store.DB().QueryRow(`SELECT blood_group, component, units_needed, hospital, address, contact_name,
		contact_phone, deadline FROM needs WHERE id = $1`, firstID).Scan(&group, &component, &units, &hospital,
		&address, &contact, &phone, &deadline); err != nil {
		t.Fatal(err)
	}
	want18 := time.Date(2030, 5, 16, 18, 0, 0, 0, loc(t))
	if group != "O-" || component != "whole_blood" || units != 2 || hospital != hospitalName(tc) ||
		address != hospitalName(tc) || contact != "User Test" || phone != "+84912345678" || !deadline.Equal(want18) {
		t.Fatalf("need stored as %s %s %d %q %q %q %s %v", group, component, units, hospital, address, contact, phone, deadline)
	}

	// No deadline in the message: it alone is asked, unnumbered, then the
	// review shows what it was read as.
	before = lastBotMessage(admin)
	admin.Send(tc.noDeadline)
	ask := admin.Expect(tc.deadlineAsked)
	if strings.HasPrefix(ask.Text, tc.stepWord) || len(botMessagesBetween(admin, before, ask.ID)) != 0 {
		t.Fatalf("deadline question %q after %v", ask.Text, botMessagesBetween(admin, before, ask.ID))
	}
	admin.Send(tc.tomorrowMorning)
	review = admin.Expect(tc.review, tc.tomorrow11, tc.units3, tc.hospital198, "0987 654 321")
	if asked := botMessagesBetween(admin, ask.ID, review.ID); len(asked) != 0 {
		t.Fatalf("asked more than the deadline: %v", asked)
	}
	admin.Tap(tc.cancel)
	admin.Expect(tc.discarded)

	// A deadline already past: refused with what it was read as, at the
	// command and again when typed; a coming one goes to the review.
	admin.Send(tc.pastDeadline)
	admin.Expect(tc.pastRefused)
	admin.Expect(tc.deadlineAsked)
	admin.Send(tc.typedPast)
	admin.Expect(tc.typedPastRefused)
	admin.Expect(tc.deadlineAsked)
	admin.Send(tc.by20)
	admin.Expect(tc.review, tc.today20, tc.units2, tc.hospital)
	admin.Tap(tc.cancel)
	admin.Expect(tc.discarded)
	if n := countNeeds(t, b, club.ID); n != 1 {
		t.Fatalf("%d needs, want only the one sent", n)
	}

	// Backing out of a repeat to the first question starts a need afresh.
	admin.Send("/urgent")
	admin.Expect(tc.groupAsked)
	admin.Tap(tc.repeat)
	admin.Expect(tc.previousAsked)
	admin.TapPrefix("#" + itoa(firstID) + " ")
	admin.Expect(tc.deadlineAsked)
	admin.Tap(tc.back)
	admin.Expect(tc.previousAsked)
	admin.Tap(tc.back)
	admin.Expect(tc.groupAsked)
	admin.Tap("O+")
	admin.Expect(tc.stepWord + " 2/11")
	admin.Tap(tc.cancel)
	admin.Expect(tc.discarded)

	// Repeat the need sent: everything but the deadline is kept.
	admin.Send("/urgent")
	admin.Expect(tc.groupAsked)
	admin.Tap(tc.repeat)
	pick := admin.Expect(tc.previousAsked)
	if !hasButtonPrefix(pick, "#"+itoa(firstID)+" O- · 2 · "+hospitalName(tc)+" · ") {
		t.Fatalf("previous needs offered: %v", pick.Buttons())
	}
	admin.TapPrefix("#" + itoa(firstID) + " ")
	ask = admin.Expect(tc.deadlineAsked)
	admin.Send(tc.tomorrowMorning)
	review = admin.Expect(tc.review, tc.tomorrow11, tc.units2, tc.hospital, tc.place, tc.who, "0912 345 678")
	if asked := botMessagesBetween(admin, ask.ID, review.ID); len(asked) != 0 {
		t.Fatalf("asked more than the deadline: %v", asked)
	}
	admin.Tap(tc.send)
	secondID := needIDOf(t, admin.Expect(tc.sent))
	b.Settle()
	var same bool
	if err := b.Store.DB().QueryRow(`SELECT (a.blood_group, a.component, a.units_needed, a.hospital, a.address,
		a.contact_name, a.contact_phone, a.note, a.audience) = (b.blood_group, b.component, b.units_needed,
		b.hospital, b.address, b.contact_name, b.contact_phone, b.note, b.audience) AND b.deadline = $3
		FROM needs a, needs b WHERE a.id = $1 AND b.id = $2`, firstID, secondID,
		time.Date(2030, 5, 17, 11, 0, 0, 0, loc(t))).Scan(&same); err != nil {
		t.Fatal(err)
	}
	if !same {
		t.Fatalf("need #%d is not #%d repeated with tomorrow morning's deadline", secondID, firstID)
	}
}

// hospitalName is the hospital of the one-message filing as stored: "Viện
// Huyết học" is a short name of the directory's entry, which the need
// takes; "Blood Institute" is no name the directory knows, kept as typed.
func hospitalName(tc urgentQuickTexts) string {
	if tc.lang == "vi" {
		return "Viện Huyết học - Truyền máu Trung ương"
	}
	return "Blood Institute"
}

// lastBotMessage is the id of the bot's latest message to the phone.
func lastBotMessage(p *bottest.Phone) int {
	p.Settle()
	ms := p.Messages()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].ID
}

// botMessagesBetween are the texts the bot sent the phone after message
// from and before message to.
func botMessagesBetween(p *bottest.Phone, from, to int) []string {
	var out []string
	for _, m := range p.Messages() {
		if m.ID > from && m.ID < to {
			out = append(out, m.Text)
		}
	}
	return out
}

func needIDOf(t *testing.T, status telegramtest.Message) int64 {
	t.Helper()
	m := needIDPattern.FindStringSubmatch(status.Text)
	if m == nil {
		t.Fatalf("no need id in %q", status.Text)
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func hasButtonPrefix(m telegramtest.Message, prefix string) bool {
	for _, row := range m.InlineKeyboard {
		for _, btn := range row {
			if strings.HasPrefix(btn.Text, prefix) {
				return true
			}
		}
	}
	return false
}

// TestUrgentQuickFilingLongNoteAskedAgain: a one-message filing whose note
// is too long to keep asks for the note instead of dropping it silently.
func TestUrgentQuickFilingLongNoteAskedAgain(t *testing.T) {
	b := bottest.Start(t)
	adminID, donorID := testenv.TelegramID(), testenv.TelegramID()
	club := newClub(t, b, "To CLB Ghi chu dai "+itoa(adminID), adminID)
	seed(t, b, donorSpec{id: donorID, group: profile.BloodONeg, clubID: club.ID, onCall: true})
	admin := b.Phone(adminID, "vi")
	admin.Send(`/urgent O- 2 "Viện Huyết học" 18h hôm nay 0912345678 ghi chú: ` + strings.Repeat("gửi xe ở cổng phụ, ", 40))
	admin.Expect("Ghi chú thêm cho người hiến")
	admin.Send("gửi xe ở cổng phụ")
	admin.Expect("Xem trước tin khẩn cấp", "• Ghi chú: gửi xe ở cổng phụ")
}
