package handlers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// screeningTexts are what a donor reads and taps in the questionnaire, in
// one language.
type screeningTexts struct {
	lang, register, q1, q2, q5, q7, when, badMonth, yes, no, back, cancel      string
	group, none                                                                string
	review, q5Label, changeQ5, q7Label, changeQ7, confirm, eligible, confirmed string
	today                                                                      string
}

var screeningLangs = []screeningTexts{
	{lang: "vi", register: "Đăng ký: ", q1: "Câu 1/8", q2: "Câu 2/8", q5: "Câu 5/8", q7: "Câu 7/8",
		when: "Việc đó vào ngày nào", badMonth: "chưa hiểu", yes: "Có", no: "Không", back: "⬅️ Quay lại", cancel: "✖️ Hủy",
		review: "Bạn xem lại các câu trả lời", q5Label: "Trong 6 tháng", changeQ5: "✏️ Trong 6 tháng", q7Label: "Trong 14 ngày", changeQ7: "✏️ Trong 14 ngày", confirm: "✅ Xác nhận",
		eligible: "bạn có thể hiến máu vào ngày", confirmed: "Đã xác nhận đăng ký", today: "Hôm nay",
		group: "Câu 2–8/8", none: "✅ Không có điều nào"},
	{lang: "en", register: "Register: ", q1: "Question 1/8", q2: "Question 2/8", q5: "Question 5/8", q7: "Question 7/8",
		when: "When was that", badMonth: "I didn't understand", yes: "Yes", no: "No", back: "⬅️ Back", cancel: "✖️ Cancel",
		review: "Please check your answers", q5Label: "Last 6 months", changeQ5: "✏️ Last 6 months", q7Label: "Last 14 days", changeQ7: "✏️ Last 14 days", confirm: "✅ Confirm",
		eligible: "you may donate on", confirmed: "Your registration is confirmed", today: "Today",
		group: "Questions 2–8/8", none: "✅ None of these"},
}

// screeningDonor seeds an onboarded man speaking lang and has him register
// for the first slot of a new drive; it returns his id and the drive's title.
func screeningDonor(t *testing.T, b *bottest.Bot, lang, title string) (*bottest.Phone, int64) {
	t.Helper()
	d, _ := publishedDrive(t, b, title, 72*time.Hour, 5)
	id := testenv.TelegramID()
	seed(t, b, donorSpec{id: id, group: profile.BloodOPos})
	if err := b.Store.SetDonorLanguage(context.Background(), id, lang); err != nil {
		t.Fatal(err)
	}
	p := b.Phone(id, lang)
	p.Send("/drives")
	p.Tap(screeningLangs[langIndex(lang)].register + title)
	p.TapPrefix(d.Start.In(loc(t)).Format("15:04") + "–")
	return p, id
}

func langIndex(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// TestScreeningReviewUndoesAMistakenTap: a donor taps "Yes" for flu by
// mistake, sees it at the review, changes it to "No" and is registered,
// with one answer to that question stored. On the way: Back on a question,
// a month that is not one explained and asked again, Back from the month to
// its question, and at the review a No changed to Yes (its month asked,
// Back from the month to the question) and back to No. In both languages.
func TestScreeningReviewUndoesAMistakenTap(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range screeningLangs {
		t.Run(tc.lang, func(t *testing.T) {
			p, id := screeningDonor(t, b, tc.lang, "Ngày hội Bấm nhầm "+tc.lang)
			q1 := p.Expect(tc.q1)
			if q1.HasButtonText(tc.back) || !q1.HasButtonText(tc.cancel) {
				t.Fatalf("the first question's buttons: %v", q1.Buttons())
			}
			p.TapIn(q1.ID, tc.no)
			group := p.Expect(tc.group)
			p.TapIn(group.ID, tc.back)
			p.TapIn(p.Expect(tc.q1).ID, tc.no)
			p.TapIn(p.Expect(tc.group).ID, tc.yes) // one of them applies: asked one by one
			for range 3 {                          // questions 2 to 4
				p.TapIn(p.ExpectMatch(func(m telegramtest.Message) bool { return m.HasButtonText(tc.yes) }).ID, tc.no)
			}
			p.TapIn(p.Expect(tc.q5).ID, tc.yes)
			p.Expect(tc.q5, tc.when)
			p.Send("13/2026")
			p.Expect(tc.badMonth)
			when := p.Expect(tc.q5, tc.when) // asked again
			p.TapIn(when.ID, tc.back)
			p.TapIn(p.Expect(tc.q5).ID, tc.no)
			p.TapIn(p.Expect("6/8").ID, tc.no)
			p.TapIn(p.Expect(tc.q7).ID, tc.yes) // the mistake
			p.TapIn(p.Expect(tc.q7).ID, tc.today)
			p.TapIn(p.Expect("8/8").ID, tc.no)

			today := shownDate(t, tc.lang, b.Now())
			review := p.Expect(tc.review, tc.q7Label+": "+tc.yes+" ("+today+")")
			if !review.HasButtonText(tc.confirm) || !review.HasButtonText(tc.cancel) {
				t.Fatalf("review buttons: %v", review.Buttons())
			}
			if strings.Contains(review.Text, "Mang thai") || strings.Contains(review.Text, "Pregnant") {
				t.Errorf("a man's review lists a question for women: %q", review.Text)
			}
			// A No changed to Yes asks its month before the review comes
			// back; Back from the month returns to the question, not to
			// the review.
			p.TapIn(review.ID, tc.changeQ5)
			p.TapIn(p.Expect(tc.q5).ID, tc.yes)
			p.TapIn(p.Expect(tc.q5, tc.when).ID, tc.back)
			p.TapIn(p.Expect(tc.q5).ID, tc.yes)
			p.Expect(tc.q5, tc.when)
			p.Send(b.Now().In(loc(t)).Format("01/2006"))
			month := "05/2030" // bottest.Epoch's month, in words in English
			if tc.lang == "en" {
				month = "May 2030"
			}
			review = p.Expect(tc.review, tc.q5Label+": "+tc.yes+" ("+month+")", tc.q7Label+": "+tc.yes+" ("+today+")")
			p.TapIn(review.ID, tc.changeQ5)
			p.TapIn(p.Expect(tc.q5).ID, tc.no)
			review = p.Expect(tc.review, tc.q5Label+": "+tc.no)

			p.TapIn(review.ID, tc.changeQ7)
			p.TapIn(p.Expect(tc.q7).ID, tc.no)
			review = p.Expect(tc.review, tc.q7Label+": "+tc.no)
			p.TapIn(review.ID, tc.confirm)
			p.Expect(tc.eligible)
			p.Expect(tc.confirmed)

			var status, answers string
			if err := b.Store.DB().QueryRow(`SELECT r.status, r.screening_answers::text FROM registrations r
				JOIN donors d ON d.id = r.donor_id WHERE d.telegram_id = $1`, id).Scan(&status, &answers); err != nil {
				t.Fatal(err)
			}
			var stored []struct {
				Question string
				Yes      bool
			}
			if err := json.Unmarshal([]byte(answers), &stored); err != nil {
				t.Fatal(err)
			}
			d14 := 0
			for _, a := range stored {
				if a.Yes {
					t.Errorf("stored a Yes to %s: %s", a.Question, answers)
				}
				if a.Question == "d14" {
					d14++
				}
			}
			if status != "confirmed" || d14 != 1 || len(stored) != 8 {
				t.Errorf("registration %s with answers %s; want confirmed with one No to each of 8 questions", status, answers)
			}
		})
	}
}

// TestScreeningCancelRestartAndLost: Cancel stops the questionnaire and
// keeps the registration, whose screening /mydrives starts again; a record
// an earlier release left is restarted with an explanation; a button tapped
// after Redis lost the conversation starts the questions again for the
// registration waiting for them. In both languages.
func TestScreeningCancelRestartAndLost(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct {
		screeningTexts
		cancelled, finish, restarted, lost string
	}{
		{screeningLangs[0], "Đã dừng phần sàng lọc", "Trả lời sàng lọc", "Bot vừa được cập nhật", "không còn nhớ các câu trả lời sàng lọc"},
		{screeningLangs[1], "Screening stopped", "Answer screening", "The bot was updated", "I lost the screening answers"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			p, id := screeningDonor(t, b, tc.lang, "Ngày hội Dừng lại "+tc.lang)
			p.TapIn(p.Expect(tc.q1).ID, tc.no)
			q2 := p.Expect(tc.group)
			p.TapIn(q2.ID, tc.cancel)
			if m := p.Expect(tc.cancelled); !m.HasButtonText(homeLangs[langIndex(tc.lang)].mine) {
				t.Fatalf("screening stopped without the way to finish it: %v", m.Buttons())
			}
			if inConversation(t, b, id) {
				t.Fatalf("the conversation outlived Cancel")
			}
			if m, _ := b.API.Message(id, q2.ID); len(m.InlineKeyboard) != 0 {
				t.Errorf("the cancelled question still shows buttons: %v", m.Buttons())
			}

			p.Send("/mydrives")
			p.Tap(tc.finish)
			p.Expect(tc.q1)

			// A record of the layout before the engine, as a release
			// before it left in Redis.
			old, _ := json.Marshal(map[string]string{"s": `{"purpose":"reg:1","day":"2026-12-08","answers":[]}`})
			raw, _ := json.Marshal(storage.Conversation{Flow: "screening", Step: "q", Data: map[string]string{"s": string(old)}})
			key := b.Cfg.RedisPrefix + "user:" + itoa(id) + ":conv"
			if err := b.Redis.Set(context.Background(), key, raw, 0).Err(); err != nil {
				t.Fatal(err)
			}
			p.Send("03/2026")
			p.Expect(tc.restarted)
			q1 := p.Expect(tc.q1)

			if err := b.Redis.Del(context.Background(), key).Err(); err != nil {
				t.Fatal(err)
			}
			p.TapIn(q1.ID, tc.no)
			p.Expect(tc.lost)
			p.TapIn(p.Expect(tc.q1).ID, tc.no)
			p.TapIn(p.Expect(tc.group).ID, tc.none)
			p.TapIn(p.Expect(tc.review).ID, tc.confirm)
			p.Expect(tc.confirmed)
		})
	}
}
