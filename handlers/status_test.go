package handlers_test

import (
	"context"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
)

// statusTexts are what a donor reads about their eligibility, in one language.
type statusTexts struct {
	screeningTexts
	kind, tooOld, dontRemember, noDate, staffCard, apheresis, eligibleToday, canDonateHere, from string
}

var statusLangs = []statusTexts{
	{screeningLangs[0], "máu toàn phần", "quá 10 năm", "Không nhớ", "không nhớ thời gian", "thẻ hiến máu",
		"tiểu cầu hoặc huyết tương", "có thể hiến máu từ hôm nay", "Bạn có thể hiến máu ở ngày hội này",
		"Bạn chỉ có thể hiến lại từ"},
	{screeningLangs[1], "whole blood", "more than 10 years", "I don't remember", "date not remembered", "donor card",
		"platelets or plasma", "you may donate from today", "You can donate at this drive",
		"You can donate again only from"},
}

// TestLongLapsedDonorRegisters walks the donor of issue 17: last donation
// typed 03/2012, told it is more than 10 years ago and to tap "I don't
// remember"; doing so no longer defers them 12 weeks from today. They are
// registered, told the staff will check their donor card, and /eligibility,
// /drives and /mydrives say the same as the screening result. In both
// languages.
func TestLongLapsedDonorRegisters(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range statusLangs {
		t.Run(tc.lang, func(t *testing.T) {
			p, _ := screeningDonor(t, b, tc.lang, "Ngày hội Lâu rồi "+tc.lang)
			p.TapIn(p.Expect(tc.q1).ID, tc.yes)
			p.Tap(tc.kind)
			p.Expect(tc.q1, "15/03/2026")
			p.Send("03/2012")
			p.Expect(tc.tooOld, tc.dontRemember)
			p.TapIn(p.Expect(tc.q1, "15/03/2026").ID, tc.dontRemember)
			p.TapIn(p.Expect(tc.group).ID, tc.none) // questions 2 to 8: none of these
			p.TapIn(p.Expect(tc.review, tc.noDate).ID, tc.confirm)
			p.Expect(tc.eligible, "450 ml", tc.apheresis, tc.staffCard)
			p.Expect(tc.confirmed)

			p.Send("/eligibility")
			p.Expect(tc.eligibleToday, "450 ml", tc.staffCard)
			p.Send("/mydrives")
			p.Expect("Ngày hội Lâu rồi "+tc.lang, tc.canDonateHere)
			p.Send("/drives")
			p.Expect("Ngày hội Lâu rồi "+tc.lang, tc.canDonateHere)
		})
	}
}

// TestEligibilityAgreesWithTheDayGiven: a donor with no history answers
// that they gave whole blood on 10/05/2030 (six days before today,
// 16/05/2030): the screening defers them to 02/08/2030 (84 days), and
// /eligibility and /drives give the same date, where /eligibility used to
// say "from today" because the history did not know that donation. A
// drive after that day is marked as one they can donate at.
func TestEligibilityAgreesWithTheDayGiven(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range statusLangs {
		t.Run(tc.lang, func(t *testing.T) {
			p, _ := screeningDonor(t, b, tc.lang, "Ngày hội Vừa hiến "+tc.lang)
			later := laterDrive(t, b, "Ngày hội Tháng Tám "+tc.lang, 90*24*time.Hour)
			p.TapIn(p.Expect(tc.q1).ID, tc.yes)
			p.Tap(tc.kind)
			p.Expect(tc.q1, "15/03/2026")
			// Both days are Fridays, written as the donor's language does.
			gave, next := "Thứ Sáu, 10/05/2030", "Thứ Sáu, 02/08/2030"
			if tc.lang == "en" {
				gave, next = "Fri 10 May 2030", "Fri 2 Aug 2030"
			}
			p.Send("10/05/2030")
			p.TapIn(p.Expect(tc.group).ID, tc.none) // questions 2 to 8: none of these
			p.TapIn(p.Expect(tc.review, gave).ID, tc.confirm)
			p.Expect(next)

			p.Send("/eligibility")
			p.Expect(next)
			p.Send("/drives")
			p.Expect("Ngày hội Vừa hiến "+tc.lang, tc.from+" "+next, later.Title, tc.canDonateHere)
		})
	}
}

// laterDrive publishes a drive starting in `in`, leaving the other
// published drives open (publishedDrive closes them).
func laterDrive(t *testing.T, b *bottest.Bot, title string, in time.Duration) drive.Drive {
	t.Helper()
	start := b.Now().Add(in).Truncate(time.Minute)
	d, _, err := b.Store.CreateDrive(context.Background(), drive.DraftInput{
		Title: title, Wave: "Đợt 2", Organizer: "Công an quận Ba Đình", Hospital: "Viện Huyết học - Truyền máu TW",
		Venue: "25 Phan Đình Phùng, Ba Đình, Hà Nội", Start: start, End: start.Add(time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 5, TargetUnits: 100,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = b.Store.PublishDrive(context.Background(), d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	return d
}
