package handlers_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/screening"
)

// answerEight answers a man's eight questions, Yes to those numbered in
// yes and No to the others, and confirms the review. Questions 2 to 8 come
// together: "None of these" answers them, "Yes" asks them one by one.
func answerEight(t *testing.T, p *bottest.Phone, tc screeningTexts, yes ...int) {
	t.Helper()
	prefix := strings.TrimSuffix(tc.q1, "1/8")
	p.TapIn(p.Expect(tc.q1).ID, answerTo(1, tc, yes))
	group := p.Expect(tc.group)
	if len(yes) == 0 || (len(yes) == 1 && yes[0] == 1) {
		p.TapIn(group.ID, tc.none)
	} else {
		p.TapIn(group.ID, tc.yes)
		for n := 2; n <= 8; n++ {
			q := prefix + strconv.Itoa(n) + "/8"
			p.TapIn(p.Expect(q).ID, answerTo(n, tc, yes))
			switch {
			case answerTo(n, tc, yes) == tc.no || n < 4: // no date asked
			case n >= 7: // the last days: buttons
				p.TapIn(p.Expect(q).ID, tc.today)
			default:
				p.Expect(q, tc.when)
				p.Send(p.Now().Format("02/01/2006"))
			}
		}
	}
	p.TapIn(p.Expect(tc.review).ID, tc.confirm)
}

func answerTo(n int, tc screeningTexts, yes []int) string {
	if slices.Contains(yes, n) {
		return tc.yes
	}
	return tc.no
}

// rescreenTexts are the texts of answering the screening again.
type rescreenTexts struct {
	screeningTexts
	deferred, flu, reanswer, deferredStatus, confirmedStatus, eligibleNow string
	stopped, gone                                                         string
}

var rescreenLangs = []rescreenTexts{
	{screeningLangs[0], "Bạn chưa nên hiến máu vào ngày", "bị cúm, cảm", "✏️ Trả lời lại sàng lọc", "tạm hoãn", "đã xác nhận",
		"bạn có thể hiến máu từ hôm nay", "vẫn đang tạm hoãn", "Đăng ký này không còn hiệu lực"},
	{screeningLangs[1], "You should not donate on", "Flu, cold", "✏️ Answer screening again", "deferred", "confirmed",
		"you may donate from today", "still deferred", "This registration is no longer valid"},
}

// TestMistakenTapCorrectedByAnsweringAgain: a donor taps "Yes" for flu by
// mistake and confirms, so the registration is deferred. /mydrives shows
// it deferred with a button to answer again (Cancel there leaves it
// deferred, and says so); answering Yes again keeps
// one reason in /eligibility, not two; answering No an hour later gives the
// seat back, /eligibility no longer lists the flu, and the history keeps
// that the answer changed from Yes to No at that hour. In both languages.
func TestMistakenTapCorrectedByAnsweringAgain(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range rescreenLangs {
		t.Run(tc.lang, func(t *testing.T) {
			p, id := screeningDonor(t, b, tc.lang, "Ngày hội Sửa nhầm "+tc.lang)
			answerEight(t, p, tc.screeningTexts, 7) // the mistake
			p.Expect(tc.deferred, tc.flu)

			p.Send("/mydrives")
			p.Expect(tc.deferredStatus)
			p.TapPrefix(tc.reanswer)
			p.TapIn(p.Expect(tc.q1).ID, tc.cancel) // changed their mind: nothing changes
			p.Expect(tc.stopped)

			// Another donor's forged tap on the button reopens nothing.
			var regID int64
			if err := b.Store.DB().Get(&regID, `SELECT r.id FROM registrations r JOIN donors d ON d.id = r.donor_id
				WHERE d.telegram_id = $1`, id); err != nil {
				t.Fatal(err)
			}
			forger := testenv.TelegramID()
			seed(t, b, donorSpec{id: forger, group: profile.BloodOPos})
			if err := b.Store.SetDonorLanguage(context.Background(), forger, tc.lang); err != nil {
				t.Fatal(err)
			}
			f := b.Phone(forger, tc.lang)
			f.TapStale(1, "drv:v1:reanswer:"+strconv.FormatInt(regID, 10))
			f.Expect(tc.gone)
			if inConversation(t, b, forger) {
				t.Errorf("a forged tap started another donor's screening")
			}
			p.Send("/mydrives")
			p.Expect(tc.deferredStatus)
			p.TapPrefix(tc.reanswer)
			answerEight(t, p, tc.screeningTexts, 7) // asked again, the same answer
			p.Expect(tc.deferred, tc.flu)
			p.Send("/eligibility")
			if m := p.Expect(tc.flu); strings.Count(m.Text, tc.flu) != 1 {
				t.Errorf("/eligibility lists the flu %d times: %q", strings.Count(m.Text, tc.flu), m.Text)
			}

			b.Clock.Advance(time.Hour)
			p.Send("/mydrives")
			p.Expect(tc.deferredStatus)
			p.TapPrefix(tc.reanswer)
			answerEight(t, p, tc.screeningTexts) // corrected
			p.Expect(tc.eligible)
			p.Expect(tc.confirmed)
			p.Send("/eligibility")
			if m := p.Expect(tc.eligibleNow); strings.Contains(m.Text, tc.flu) {
				t.Errorf("/eligibility still lists the flu after the correction: %q", m.Text)
			}
			p.Send("/mydrives")
			if m := p.Expect(tc.confirmedStatus); strings.Contains(m.Text, tc.deferredStatus) || m.HasButtonText(tc.reanswer) {
				t.Errorf("/mydrives after the correction: %q %v", m.Text, m.Buttons())
			}

			changes, err := b.Store.ScreeningChanges(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != 1 || changes[0].Question != screening.QWithin14Days || !changes[0].Old.Yes ||
				changes[0].New.Yes || !changes[0].ChangedAt.Equal(b.Now()) {
				t.Errorf("audit of the changes: %+v; want d14 Yes → No at %v", changes, b.Now())
			}
		})
	}
}
