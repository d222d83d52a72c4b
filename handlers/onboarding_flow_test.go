package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// onboardingTexts are what a user sees of onboarding in one language.
type onboardingTexts struct {
	lang, agree, step, back, cancel, paused, cont, notUnderstood string
	female, male, blood, skip, done                              string
}

var onboardingLangs = []onboardingTexts{
	{"vi", "✅ Tôi đồng ý", "Bước %d/7", "⬅️ Quay lại", "✖️ Hủy", "Đã tạm dừng", "▶️ Tiếp tục", "Mình chưa hiểu",
		"Nữ", "Nam", "O+", "Bỏ qua", "Cảm ơn"},
	{"en", "✅ I agree", "Step %d/7", "⬅️ Back", "✖️ Cancel", "Paused", "▶️ Continue", "I didn't understand",
		"Female", "Male", "O+", "Skip", "Thank you"},
}

// TestOnboardingBackAndCancel walks onboarding with Back (none on the first
// question, through the phone question and its reply keyboard) and Cancel,
// which keeps consent and answers and offers a Continue button that resumes
// at the first unanswered question, in both languages.
func TestOnboardingBackAndCancel(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range onboardingLangs {
		t.Run(tc.lang, func(t *testing.T) {
			ctx := context.Background()
			id := testenv.TelegramID()
			p := b.Phone(id, tc.lang)
			step := func(n int) string { return fmt.Sprintf(tc.step, n) }

			p.Send("/start")
			p.Tap(tc.agree)
			first := p.Expect(step(1))
			if first.HasButtonText(tc.back) || !first.HasButtonText(tc.cancel) {
				t.Fatalf("first question: want Cancel and no Back, got %v", first.Buttons())
			}
			p.Send("Đỗ Minh Khang")
			p.Expect(step(2))
			if nav := p.ExpectMatch(func(m telegramtest.Message) bool { return m.HasButtonText(tc.cancel) }); !nav.HasButtonText(tc.back) {
				t.Fatalf("phone question: no Back: %v", nav.Buttons())
			}
			p.Send("0912 345 678")
			p.Expect("0912 345 678")
			p.Expect(step(3))
			p.Tap(tc.female)
			p.Expect(step(4))
			p.Tap(tc.back)
			p.Expect(step(3))
			p.Tap(tc.back)
			p.Expect(step(2))
			p.Send("0987 654 321") // a change of mind, typed again
			p.Expect("0987 654 321")
			p.Expect(step(3))
			p.Tap(tc.male)
			asked := p.Expect(step(4))

			p.TapIn(asked.ID, tc.cancel)
			paused := p.Expect(tc.paused)
			if !paused.HasButtonText(tc.cont) {
				t.Fatalf("paused without a %q button: %v", tc.cont, paused.Buttons())
			}
			d, err := b.Store.Donor(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if d.ConsentAt.IsZero() || d.FullName != "Đỗ Minh Khang" || d.Phone != "+84987654321" || d.Sex != profile.SexMale || d.Onboarded() {
				t.Fatalf("after Cancel: %+v; want consent, name, the second phone, male, not onboarded", d)
			}
			p.Send("15/08/1990") // paused: not an answer
			p.Expect(tc.notUnderstood)

			p.Tap(tc.cont)
			again := p.Expect(step(4))
			if !again.HasButtonText(tc.back) {
				t.Fatalf("resumed question has no Back to the answers before: %v", again.Buttons())
			}
			p.Tap(tc.back)
			p.Expect(step(3))
			p.Tap(tc.female)
			p.Expect(step(4))
			p.Send("15/08/1990")
			p.Expect(step(5))
			p.Send("58")
			p.Expect(step(6))
			p.Tap(tc.blood)
			if m := p.ExpectMatch(func(m telegramtest.Message) bool {
				return strings.Contains(m.Text, step(7)) || strings.Contains(m.Text, tc.done)
			}); strings.Contains(m.Text, step(7)) {
				p.Tap(tc.skip)
				p.Expect(tc.done)
			}
			if d, err = b.Store.Donor(ctx, id); err != nil || d.Sex != profile.SexFemale || !d.Onboarded() {
				t.Fatalf("after onboarding: %+v, %v; want female, onboarded", d, err)
			}
		})
	}
}

// TestOnboardingResumesLostConversation: a conversation lost with Redis
// mid-onboarding resumes at the first unanswered question (a tap on that
// question is its answer); a record of the layout before the engine is
// restarted with an explanation, at the same question.
func TestOnboardingResumesLostConversation(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	id := testenv.TelegramID()
	p := b.Phone(id, "vi")
	key := b.Cfg.RedisPrefix + "user:" + itoa(id) + ":conv"
	lose := func() {
		t.Helper()
		if err := b.Redis.Del(ctx, key).Err(); err != nil {
			t.Fatal(err)
		}
	}
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Send("Vũ Thị Mai")
	p.Expect("Bước 2/7")
	p.Send("0912 345 678")
	p.Expect("Bước 3/7")
	lose()
	p.Tap("Nữ")
	p.Expect("Bước 4/7")

	lose()
	p.Send("15/08/1990")
	p.Expect("không còn nhớ")
	if m := p.Expect("Bước 4/7"); !m.HasButtonText("⬅️ Quay lại") {
		t.Fatalf("resumed question has no Back: %v", m.Buttons())
	}

	// The layout a release before the engine left in Redis.
	if err := b.Redis.Set(ctx, key, `{"flow":"onboarding","step":"sex"}`, 0).Err(); err != nil {
		t.Fatal(err)
	}
	p.Send("15/08/1990")
	p.Expect("Bot vừa được cập nhật")
	p.Expect("Bước 4/7")
	p.Send("15/08/1990")
	p.Expect("Bước 5/7")
	if d, err := b.Store.Donor(ctx, id); err != nil || d.Sex != profile.SexFemale || d.BirthDate.Format("02/01/2006") != "15/08/1990" {
		t.Fatalf("donor %+v, %v", d, err)
	}
}

// TestOnboardingAnswerAfterItsRowWrite: a process that stored the name and
// died before moving the conversation on leaves the name in the donor row
// and the conversation at the name question. The re-run's name is taken as
// the name, not as the phone number the stored profile would ask next.
func TestOnboardingAnswerAfterItsRowWrite(t *testing.T) {
	b := bottest.Start(t)
	id := testenv.TelegramID()
	p := b.Phone(id, "vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Expect("Bước 1/7")
	if err := b.Store.SetDonorName(context.Background(), id, "Hồ Văn Tâm"); err != nil {
		t.Fatal(err)
	}
	p.Send("Hồ Văn Tâm")
	p.Expect("Bước 2/7")
	for _, m := range p.Messages() {
		if strings.Contains(m.Text, "Số điện thoại chưa đúng") {
			t.Fatalf("the name was read as the phone number: %q", m.Text)
		}
	}
}

// TestProfileEditBackCancel: a field's question from /profile has Back (to
// the choice of field) and Cancel, which changes nothing; a wrong answer is
// explained and asked again; in both languages.
func TestProfileEditBackCancel(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct {
		lang, shown, weightBtn, askWeight, bad, back, cancel, cancelled, which, bloodBtn, updated, changed string
	}{
		{"vi", "Cân nặng: 62 kg", "Cân nặng", "Cân nặng hiện tại", "từ 30 đến 200 kg", "⬅️ Quay lại", "✖️ Hủy",
			"Đã hủy sửa hồ sơ", "sửa mục nào", "Nhóm máu", "Đã cập nhật", "Nhóm máu: AB-"},
		{"en", "Weight: 62 kg", "Weight", "Your current weight", "between 30 and 200 kg", "⬅️ Back", "✖️ Cancel",
			"Profile editing cancelled", "Which part", "Blood group", "Profile updated", "Blood group: AB-"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ctx := context.Background()
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodOPos})
			if err := b.Store.SetDonorLanguage(ctx, id, tc.lang); err != nil {
				t.Fatal(err)
			}
			p := b.Phone(id, tc.lang)
			p.Send("/profile")
			p.Expect(tc.shown)
			p.Tap(tc.weightBtn)
			q := p.Expect(tc.askWeight)
			if !q.HasButtonText(tc.back) || !q.HasButtonText(tc.cancel) {
				t.Fatalf("question without Back and Cancel: %v", q.Buttons())
			}
			p.Send("0")
			p.Expect(tc.bad)
			p.Expect(tc.askWeight)
			p.Tap(tc.cancel)
			p.Expect(tc.cancelled)
			if d, err := b.Store.Donor(ctx, id); err != nil || d.WeightKg != 62 {
				t.Fatalf("after Cancel: weight %v, %v", d.WeightKg, err)
			}

			p.Tap(tc.weightBtn) // the profile's buttons stay
			p.Expect(tc.askWeight)
			p.Tap(tc.back)
			p.Expect(tc.which)
			p.Tap(tc.bloodBtn)
			p.Tap("AB-")
			p.Expect(tc.updated)
			p.Expect(tc.changed)
			if d, err := b.Store.Donor(ctx, id); err != nil || d.BloodGroup != profile.BloodABNeg || d.WeightKg != 62 {
				t.Fatalf("after the edit: %+v, %v", d, err)
			}
		})
	}
}

// TestProfileUnitsPagesAndTicks: the unit question of /profile pages
// through the units and ticks one in place, staying on its page.
func TestProfileUnitsPagesAndTicks(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	id := testenv.TelegramID()
	seed(t, b, donorSpec{id: id, group: profile.BloodOPos})
	var last string
	for i := range 9 {
		last = fmt.Sprintf("Đơn vị thử %d-%02d", id, i)
		if _, err := b.Store.CreateUnit(ctx, "unit", last, fmt.Sprintf("t%d%02d", id, i)); err != nil {
			t.Fatal(err)
		}
	}
	p := b.Phone(id, "vi")
	p.Send("/profile")
	p.Tap("Đơn vị/CLB")
	q := p.Expect("Bạn thuộc đơn vị")
	current := func() telegramtest.Message { m, _ := b.API.Message(id, q.ID); return m }
	for page := 0; !current().HasButtonText(last); page++ {
		if page > 100 {
			t.Fatal("unit never shown")
		}
		before := fmt.Sprint(current().Buttons())
		p.TapIn(q.ID, "Xem thêm ➡️")
		b.API.WaitUntil(t, "next page", func() bool {
			bs := current().Buttons()
			return len(bs) > 0 && fmt.Sprint(bs) != before
		})
	}
	if m := current(); !m.HasButtonText("⬅️ Quay lại") || !m.HasButtonText("✖️ Hủy") {
		t.Fatalf("unit question without Back and Cancel: %v", m.Buttons())
	}
	p.TapIn(q.ID, last)
	b.API.WaitUntil(t, "ticked in place", func() bool { return current().HasButtonText("✓ " + last) })
	p.TapIn(q.ID, "Xong")
	p.Expect("Đã cập nhật")
	p.Expect("Đơn vị/CLB:", last)
}

// TestDeepLinkSurvivesPausedOnboarding: the drive of a QR code is shown
// once onboarding ends, after a Cancel and Continue on the way.
func TestDeepLinkSurvivesPausedOnboarding(t *testing.T) {
	b := bottest.Start(t)
	d, _ := publishedDrive(t, b, "Ngày hội Tạm dừng", 48*time.Hour, 5)
	p := b.Phone(testenv.TelegramID(), "vi")
	p.Send("/start " + drive.DeepLinkPayload(d.Code))
	p.Tap("✅ Tôi đồng ý")
	p.Send("Lý Thị Hằng")
	p.Expect("Bước 2/7")
	nav := p.Expect("Hoặc:") // Back and Cancel under the phone question's reply keyboard
	p.TapIn(nav.ID, "✖️ Hủy")
	if m := p.Expect("Đã tạm dừng"); !m.RemoveKeyboard {
		t.Error("the phone question's reply keyboard stays after Cancel")
	}
	p.Tap("▶️ Tiếp tục")
	p.Expect("Bước 2/7")
	p.Send("0912 345 678")
	p.Tap("Nữ")
	p.Send("02/02/1992")
	p.Send("55")
	p.Tap("B+")
	skipUnitStep(t, b, p)
	p.Expect("Cảm ơn")
	p.Expect("Ngày hội Tạm dừng", "Chọn khung giờ")
}
