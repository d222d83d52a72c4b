package handlers_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/picture"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// historyTexts are what a donor reads in /history and on the card, per
// language.
type historyTexts struct {
	countBefore, countAfter, total, split, next, screening, drive, friends0, caption, cardBtn, inviteBtn, eligBtn, drivesBtn string
}

var historyLang = map[string]historyTexts{
	"vi": {countBefore: "hiến máu 1 lần", countAfter: "hiến máu 2 lần",
		total: "Tổng cộng: 2 lần hiến máu", split: "Trong đó 1 lần do ban tổ chức ghi nhận, 1 lần bạn tự khai báo.",
		next: "Mốc tiếp theo: 5 lần, còn 3 lần nữa", screening: "✍️ tự khai báo khi trả lời câu hỏi sàng lọc",
		drive: "ban tổ chức ghi nhận", friends0: "Bạn bè đã tham gia qua lời mời của bạn: 0",
		caption: "Thẻ người hiến máu của bạn", cardBtn: "🪪 Thẻ người hiến máu", inviteBtn: "💌 Mời bạn bè",
		eligBtn: "✅ Tôi hiến được chưa?", drivesBtn: "🩸 Ngày hội hiến máu"},
	"en": {countBefore: "donated once", countAfter: "donated 2 times",
		total: "In all: 2 donations", split: "Of these, 1 recorded by organizers and 1 self-reported.",
		next: "Next milestone: 5 donations, 3 to go", screening: "✍️ self-reported in a screening answer",
		drive: "recorded by the organizers", friends0: "Friends who joined through you: 0",
		caption: "Your donor card", cardBtn: "🪪 Donor card", inviteBtn: "💌 Invite a friend",
		eligBtn: "✅ Can I donate?", drivesBtn: "🩸 Drives"},
}

// seedDonorIn stores an onboarded donor speaking lang.
func seedDonorIn(t *testing.T, b *bottest.Bot, id int64, lang, name string) {
	t.Helper()
	ctx := context.Background()
	s := b.Store
	if _, err := s.CreateDonor(ctx, id, id, lang, "test"); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		s.SetDonorName(ctx, id, name), s.SetDonorPhone(ctx, id, "+84912345678"), s.SetDonorSex(ctx, id, profile.SexFemale),
		s.SetDonorBirthDate(ctx, id, time.Date(1995, 3, 25, 0, 0, 0, 0, time.UTC)), s.SetDonorWeight(ctx, id, 52),
		s.SetDonorBloodGroup(ctx, id, profile.BloodOPos), s.CompleteOnboarding(ctx, id),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestHistoryJourney: a donor who told at a screening of a donation given
// elsewhere is counted once for it (/eligibility said "0 times"), and once
// more when a drive records a donation; /history lists both, where each
// was recorded, the total and the next milestone, and its buttons lead to
// the donor card, a PNG with the donor's name.
func TestHistoryJourney(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			want := historyLang[lang]
			p := b.NewPhone(lang)
			seedDonorIn(t, b, p.User.ID, lang, "Nguyễn Thị Lan")
			d, slots := publishedDrive(t, b, "Ngày hội hiến máu Công an Hà Nội "+lang, 2*time.Hour, 10)
			reg := registerScreened(t, b, p.User.ID, slots[0].ID,
				`[{"Question":"donated_before","Yes":true,"When":"2030-01-12T00:00:00Z","Exact":true,"Kind":"whole_blood"}]`, 350)
			p.Send("/eligibility")
			p.Expect(want.countBefore)

			if err := b.Store.CheckIn(ctx, d.ID, reg.ID, 1, b.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Store.RecordDonation(ctx, storage.DonationInput{RegistrationID: reg.ID, On: calendarDay(t, b.Now()),
				Kind: "whole_blood", VolumeML: 350, Source: "drive", RecordedBy: 1}); err != nil {
				t.Fatal(err)
			}
			p.Send("/history")
			m := p.Expect(want.total, want.split, want.next, shownDate(t, lang, calendarDay(t, b.Now())), d.Title, "350 ml", want.drive,
				shownDate(t, lang, time.Date(2030, 1, 12, 12, 0, 0, 0, time.UTC)), want.screening, want.friends0)
			for _, btn := range []string{want.cardBtn, want.inviteBtn, want.eligBtn, want.drivesBtn} {
				if !m.HasButtonText(btn) {
					t.Fatalf("/history has no button %q: %+v", btn, m)
				}
			}
			p.TapIn(m.ID, want.eligBtn)
			p.Expect(want.countAfter)
			p.TapIn(m.ID, want.drivesBtn)
			p.Expect(d.Title)

			p.TapIn(m.ID, want.cardBtn)
			photo := p.ExpectMatch(func(m telegramtest.Message) bool { return m.Photo != nil })
			if !bytes.Contains([]byte(photo.Caption), []byte(want.caption)) {
				t.Fatalf("card caption %q", photo.Caption)
			}
			img, err := png.Decode(bytes.NewReader(photo.Photo.Data))
			if err != nil {
				t.Fatalf("card is not a PNG: %v", err)
			}
			if bnd := img.Bounds(); bnd.Dx() != picture.CardWidth || bnd.Dy() != picture.CardHeight {
				t.Fatalf("card is %v", bnd)
			}
		})
	}
}

// TestHistoryTruncated: a long history lists the newest 20 in one message
// and counts the rest; a self-reported record is marked so.
func TestHistoryTruncated(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	p := b.NewPhone("vi")
	seedDonorIn(t, b, p.User.ID, "vi", "Trần Văn Hùng")
	today := calendarDay(t, b.Now())
	for i := range 25 {
		if err := b.Store.AddDonation(ctx, p.User.ID, today.AddDate(0, -3*(i+1), 0), "whole_blood", 350, "self_report", 0); err != nil {
			t.Fatal(err)
		}
	}
	p.Send("/history")
	m := p.Expect("Tổng cộng: 25 lần hiến máu", "Mốc tiếp theo: 30 lần, còn 5 lần nữa", "20. ", "… và 5 lần trước đó.", "✍️ tự khai báo")
	if strings.Contains(m.Text, "21. ") || len([]rune(m.Text)) > 4096 {
		t.Fatalf("history of %d characters lists more than 20: %q", len([]rune(m.Text)), m.Text)
	}
	p.Send("/card")
	p.ExpectMatch(func(m telegramtest.Message) bool { return m.Photo != nil })
}
