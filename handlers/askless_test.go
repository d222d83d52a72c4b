package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// askLessTexts are what a donor reads and taps when the bot asks less.
type askLessTexts struct {
	screeningTexts
	cancel, cancelYes, cancelled, intro, reuse, keep, again, deferred, ruledOut, firstDrive, chooseSlot string
}

var askLessLangs = []askLessTexts{
	{screeningLangs[0], "Hủy «", "Có, hủy đăng ký", "Đã hủy đăng ký", "Trước khi xác nhận", "Bạn đã trả lời các câu hỏi sàng lọc lúc",
		"✅ Vẫn đúng", "✏️ Trả lời lại", "Bạn chưa nên hiến máu vào ngày", "Theo lịch sử hiến máu của bạn, bạn chưa thể hiến",
		"Ngày hội gần nhất bạn có thể tham gia", "Chọn khung giờ"},
	{screeningLangs[1], "Cancel “", "Yes, cancel it", "Registration cancelled", "Before confirming", "You answered the screening questions at",
		"✅ Still true", "✏️ Answer again", "You should not donate on", "From your donation history, you cannot donate",
		"The first drive you can attend", "Choose the time slot"},
}

// registerAgain cancels the donor's registration from /mydrives and
// registers again for the first slot of the drive.
func registerAgain(t *testing.T, p *bottest.Phone, tc askLessTexts, d drive.Drive) {
	t.Helper()
	p.Send("/mydrives")
	p.TapPrefix(tc.cancel)
	p.TapEdits(tc.cancelYes, tc.cancelled)
	p.Send("/drives")
	p.Tap(tc.register + d.Title)
	p.TapPrefix(d.Start.In(loc(t)).Format("15:04") + "–")
}

// nextMessage is the first bot message after those expected so far.
func nextMessage(p *bottest.Phone) telegramtest.Message {
	return p.ExpectMatch(func(telegramtest.Message) bool { return true })
}

// TestAnswersOfTheLastDayReused: a donor who answered, cancelled and
// registered again ten minutes later sees their answers with "Still true"
// and is registered with one tap; an hour later they choose to answer
// again and get every question; a day and more after their last answers,
// the questions come without the offer. In both languages.
func TestAnswersOfTheLastDayReused(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range askLessLangs {
		t.Run(tc.lang, func(t *testing.T) {
			title := "Ngày hội Nhớ giúp " + tc.lang
			p, _ := screeningDonor(t, b, tc.lang, title)
			d := driveTitled(t, b, title)
			answerEight(t, p, tc.screeningTexts)
			p.Expect(tc.confirmed)

			b.Clock.Advance(10 * time.Minute)
			registerAgain(t, p, tc, d)
			offer := p.Expect(tc.reuse, tc.q7Label+": "+tc.no, tc.q5Label+": "+tc.no)
			if !offer.HasButtonText(tc.again) {
				t.Fatalf("the offer's buttons: %v", offer.Buttons())
			}
			p.TapIn(offer.ID, tc.keep)
			p.Expect(tc.eligible)
			p.Expect(tc.confirmed)

			b.Clock.Advance(time.Hour)
			registerAgain(t, p, tc, d)
			p.TapIn(p.Expect(tc.reuse).ID, tc.again)
			answerEight(t, p, tc.screeningTexts, 7)
			p.Expect(tc.deferred)

			b.Clock.Advance(reuseWindowForTest + time.Minute)
			p.Send("/drives")
			p.Tap(tc.register + d.Title)
			p.TapPrefix(d.Start.In(loc(t)).Format("15:04") + "–")
			p.Expect(tc.chooseSlot)
			if m := nextMessage(p); !strings.Contains(m.Text, tc.intro) {
				t.Fatalf("answers older than a day: got %q, want the questionnaire's intro", m.Text)
			}
			p.Expect(tc.q1)
		})
	}
}

// reuseWindowForTest is how long answers are offered again.
const reuseWindowForTest = 24 * time.Hour

// driveTitled finds a published drive by its title.
func driveTitled(t *testing.T, b *bottest.Bot, title string) drive.Drive {
	t.Helper()
	var driveID int64
	if err := b.Store.DB().Get(&driveID, `SELECT id FROM drives WHERE title = $1`, title); err != nil {
		t.Fatal(err)
	}
	d, err := b.Store.Drive(context.Background(), driveID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestHistoryRulesOutTheDriveBeforeAnyQuestion: a donor who gave whole
// blood 30 days ago registers for a drive in three days. Before any
// question they are told the history rules that day out and until when,
// the seat is freed, and the first drive after that day is offered with a
// button that opens it. In both languages.
func TestHistoryRulesOutTheDriveBeforeAnyQuestion(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	for _, tc := range askLessLangs {
		t.Run(tc.lang, func(t *testing.T) {
			soon, _ := publishedDrive(t, b, "Ngày hội Quá sớm "+tc.lang, 72*time.Hour, 5)
			start := b.Now().Add(60 * 24 * time.Hour).Truncate(time.Minute)
			later, _, err := b.Store.CreateDrive(ctx, drive.DraftInput{
				Title: "Ngày hội Đúng hẹn " + tc.lang, Organizer: "Đoàn phường", Hospital: "Bệnh viện Bạch Mai",
				Venue: "78 Giải Phóng, Hà Nội", Start: start, End: start.Add(time.Hour),
				SlotLength: 30 * time.Minute, SlotCapacity: 5, TargetUnits: 50,
			}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Store.PublishDrive(ctx, later.ID, b.Now()); err != nil {
				t.Fatal(err)
			}
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodAPos})
			if err := b.Store.SetDonorLanguage(ctx, id, tc.lang); err != nil {
				t.Fatal(err)
			}
			if err := b.Store.AddDonation(ctx, id, calendarDay(t, b.Now()).AddDate(0, 0, -30), "whole_blood", 350, "self_report", 0); err != nil {
				t.Fatal(err)
			}
			p := b.Phone(id, tc.lang)
			p.Send("/drives")
			p.Tap(tc.register + soon.Title)
			p.TapPrefix(soon.Start.In(loc(t)).Format("15:04") + "–")
			told := p.Expect(tc.ruledOut, shownDate(t, tc.lang, calendarDay(t, b.Now()).AddDate(0, 0, 54)),
				tc.firstDrive, later.Title)
			for _, m := range p.Messages() {
				if strings.Contains(m.Text, tc.q1) || strings.Contains(m.Text, tc.intro) {
					t.Fatalf("a question was asked: %q", m.Text)
				}
			}
			var status string
			if err := b.Store.DB().Get(&status, `SELECT r.status FROM registrations r JOIN donors d ON d.id = r.donor_id
				WHERE d.telegram_id = $1`, id); err != nil || status != "deferred" {
				t.Fatalf("registration %q, %v; want deferred", status, err)
			}
			p.TapIn(told.ID, tc.register+later.Title)
			p.Expect(later.Title, tc.chooseSlot)
		})
	}
}

// TestAlmostAlwaysNoAskedTogether: after question 1, questions 2 to 8 come
// in one message; "None of these" answers them all No and brings the
// review at once, where each is listed and can still be changed; the
// donor is registered with eight answers stored after three taps. In both
// languages.
func TestAlmostAlwaysNoAskedTogether(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range askLessLangs {
		t.Run(tc.lang, func(t *testing.T) {
			p, id := screeningDonor(t, b, tc.lang, "Ngày hội Gọn nhẹ "+tc.lang)
			p.TapIn(p.Expect(tc.q1).ID, tc.no)
			group := p.Expect(tc.group, "14", "aspirin")
			if !group.HasButtonText(tc.none) || !group.HasButtonText(tc.yes) || group.HasButtonText(tc.no) {
				t.Fatalf("the group's buttons: %v", group.Buttons())
			}
			p.TapIn(group.ID, tc.none)
			review := p.Expect(tc.review, tc.q5Label+": "+tc.no, tc.q7Label+": "+tc.no)
			if !review.HasButtonText(tc.changeQ7) {
				t.Fatalf("the review cannot change a question answered together: %v", review.Buttons())
			}
			p.TapIn(review.ID, tc.confirm)
			p.Expect(tc.eligible)
			p.Expect(tc.confirmed)
			questions := 0
			for _, m := range p.Messages() {
				if strings.HasPrefix(m.Text, strings.TrimSuffix(tc.q1, " 1/8")) {
					questions++
				}
			}
			if questions != 2 {
				t.Errorf("%d question messages, want 2 (question 1, then the group)", questions)
			}
			var answers int
			if err := b.Store.DB().Get(&answers, `SELECT jsonb_array_length(r.screening_answers) FROM registrations r
				JOIN donors d ON d.id = r.donor_id WHERE d.telegram_id = $1`, id); err != nil || answers != 8 {
				t.Errorf("%d answers stored, %v; want 8", answers, err)
			}
		})
	}
}
