package handlers_test

import (
	"strings"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/telegramtest"
)

// TestScreeningAsksTheDay: a Yes to a dated question asks the day. Questions
// 7 and 8 (last 14 / 7 days) now ask it too, with buttons for the last few
// days; an impossible day is explained; the review shows each date and the
// deferrals count from the days given, exactly (no estimate). Today is
// Thursday 16/05/2030 (bottest.Epoch); the drive is on Sunday 19/05/2030.
// Every date is written with its weekday, in English day first in words.
// In both languages.
func TestScreeningAsksTheDay(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct {
		screeningTexts
		q8, recentWhen, threeDaysAgo, yesterday, dontRemember, q8Label, deferred, estimate string
		// The days given for questions 5, 7 and 8, and the ends of the
		// deferrals of 7 and 8, as the review and the result write them.
		q5Day, q7Day, q8Day, q7Until, q8Until string
	}{
		{screeningLangs[0], "Câu 8/8", "Bấm một nút", "3 ngày trước", "Hôm qua", "Không nhớ", "Trong 7 ngày",
			"chưa nên hiến máu vào ngày Chủ Nhật, 19/05/2030. Bạn có thể hiến lại từ ngày Thứ Tư, 06/11/2030", "ước tính",
			"Thứ Hai, 06/05/2030", "Thứ Hai, 13/05/2030", "Thứ Tư, 15/05/2030", "Thứ Hai, 27/05/2030", "Thứ Tư, 22/05/2030"},
		{screeningLangs[1], "Question 8/8", "Tap a button", "3 days ago", "Yesterday", "I don't remember", "Last 7 days",
			"You should not donate on Sun 19 May 2030. You may donate again from Wed 6 Nov 2030", "estimate",
			"Mon 6 May 2030", "Mon 13 May 2030", "Wed 15 May 2030", "Mon 27 May 2030", "Wed 22 May 2030"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			p, _ := screeningDonor(t, b, tc.lang, "Ngày hội Đúng ngày "+tc.lang)
			p.TapIn(p.Expect(tc.q1).ID, tc.no)
			p.TapIn(p.Expect(tc.group).ID, tc.yes) // questions 2 to 8 one by one
			for range 3 {                          // questions 2 to 4
				p.TapIn(p.ExpectMatch(func(m telegramtest.Message) bool { return m.HasButtonText(tc.yes) }).ID, tc.no)
			}
			p.TapIn(p.Expect(tc.q5).ID, tc.yes)
			p.Expect(tc.q5, tc.when, "15/03/2026", "03/2026")
			p.Send("31/04/2030") // no such day
			p.Expect(tc.badMonth)
			p.Expect(tc.q5, tc.when)
			p.Send("6/5/2030") // a tattoo ten days ago
			p.TapIn(p.Expect("6/8").ID, tc.no)

			p.TapIn(p.Expect(tc.q7).ID, tc.yes)
			when := p.Expect(tc.q7, tc.recentWhen)
			for _, label := range []string{tc.today, tc.yesterday, tc.threeDaysAgo, tc.dontRemember} {
				if !when.HasButtonText(label) {
					t.Fatalf("the 14-day question's date buttons %v lack %q", when.Buttons(), label)
				}
			}
			p.TapIn(when.ID, tc.threeDaysAgo)
			p.TapIn(p.Expect(tc.q8).ID, tc.yes)
			p.TapIn(p.Expect(tc.q8, tc.recentWhen).ID, tc.yesterday)

			review := p.Expect(tc.review, tc.q5Label+": "+tc.yes+" ("+tc.q5Day+")",
				tc.q7Label+": "+tc.yes+" ("+tc.q7Day+")", tc.q8Label+": "+tc.yes+" ("+tc.q8Day+")")
			p.TapIn(review.ID, tc.confirm)
			// 6 May + 6 months; 13 May + 14 days; 15 May + 7 days.
			res := p.Expect(tc.deferred, tc.q7Until, tc.q8Until)
			if strings.Contains(res.Text, tc.estimate) {
				t.Errorf("dates from the days given are marked as estimates: %q", res.Text)
			}
		})
	}
}
