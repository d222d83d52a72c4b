package handlers_test

import (
	"context"
	"strings"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// onboard walks a Vietnamese-speaking user through the whole onboarding
// with valid answers.
func onboard(t *testing.T, b *bottest.Bot, p *bottest.Phone, name string) {
	t.Helper()
	p.Send("/start")
	p.Expect("Nghị định 13/2023")
	p.Tap("✅ Tôi đồng ý")
	p.Expect("Bước 1/7", "Họ và tên")
	p.Send(name)
	p.Expect("Bước 2/7")
	p.ShareContact("84912345678", p.User.ID)
	p.Expect("0912 345 678")
	p.Expect("Bước 3/7")
	p.Tap("Nữ")
	p.Expect("Bước 4/7")
	p.Send("25/03/1995")
	p.Expect("Bước 5/7")
	p.Send("52,5 kg")
	p.Expect("Bước 6/7")
	p.Tap("O+")
	skipUnitStep(t, b, p)
}

// profileAnswers are what a Vietnamese-speaking user types or taps at each
// onboarding step: name, phone, sex button, birth date, weight, blood button.
type profileAnswers struct{ name, phone, sex, birth, weight, blood string }

// agreeAndAnswer taps consent on the intro already shown and answers every
// step with a.
func agreeAndAnswer(t *testing.T, b *bottest.Bot, p *bottest.Phone, a profileAnswers) {
	t.Helper()
	p.Tap("✅ Tôi đồng ý")
	p.Send(a.name)
	p.Expect("Bước 2/7")
	p.Send(a.phone)
	p.Tap(a.sex)
	p.Send(a.birth)
	p.Send(a.weight)
	p.Tap(a.blood)
	skipUnitStep(t, b, p)
}

// skipUnitStep skips step 7, which is asked only when units exist (other
// tests of the package may have created one).
func skipUnitStep(t *testing.T, b *bottest.Bot, p *bottest.Phone) {
	t.Helper()
	m := b.API.WaitMessage(t, p.User.ID, func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, "Bước 7/7") || strings.Contains(m.Text, "Cảm ơn")
	})
	if strings.Contains(m.Text, "Bước 7/7") {
		p.Tap("Bỏ qua")
	}
}

func TestOnboardingPolling(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	onboard(t, b, p, "  Nguyễn   Thị Hoa ")
	// No unit exists, so step 7 is skipped.
	p.Expect("Cảm ơn Hoa!", "hoàn tất")

	d, err := b.Store.Donor(context.Background(), p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := profile.Donor{FullName: "Nguyễn Thị Hoa", Phone: "+84912345678", Sex: profile.SexFemale,
		WeightKg: 52.5, BloodGroup: profile.BloodOPos}
	if d.FullName != want.FullName || d.Phone != want.Phone || d.Sex != want.Sex || d.WeightKg != want.WeightKg ||
		d.BloodGroup != want.BloodGroup || d.BirthDate.Format("2006-01-02") != "1995-03-25" || !d.Onboarded() {
		t.Errorf("got donor %+v, want %+v born 1995-03-25, onboarded", d, want)
	}
	if d.Language != "vi" || d.ConsentVersion == "" || d.ConsentAt.IsZero() {
		t.Errorf("got language %q consent %q at %v, want vi with a consent record", d.Language, d.ConsentVersion, d.ConsentAt)
	}
	// The phone question's reply keyboard was removed once answered.
	removed := false
	for _, m := range p.Messages() {
		removed = removed || m.RemoveKeyboard
	}
	if !removed {
		t.Error("reply keyboard with the contact button was never removed")
	}
	p.Send("/start")
	p.Expect("Chào Hoa,") // the given name, the last word of a Vietnamese name
	p.Send("/profile")
	p.Expect("Điện thoại: 0912 345 678", "Ngày sinh: Thứ Bảy, 25/03/1995") // stored +84912345678
}

func TestOnboardingWebhookEnglishWithUnit(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Webhook(), bottest.Admins(adminID))
	admin := b.Phone(adminID, "en")
	admin.Send("/newunit club Ngân hàng máu sống Hà Nội")
	admin.Expect("Created club", "Ngân hàng máu sống Hà Nội")

	p := b.NewPhone("en-US")
	p.Send("/start")
	p.Expect("Decree 13/2023")
	p.Tap("✅ I agree")
	p.Expect("Step 1/7")
	p.Send("Tran Van Binh")
	p.Expect("Step 2/7")
	p.Send("0912 345 678") // typed, not shared
	p.Expect("0912 345 678")
	p.Tap("Male")
	p.Expect("Step 4/7")
	p.Send("1/2/1990")
	p.Expect("Step 5/7")
	p.Send("70")
	p.Expect("Step 6/7")
	p.Tap("I don't know")
	p.Expect("Step 7/7")
	p.TapPaging("Ngân hàng máu sống Hà Nội", "More ➡️")
	p.Expect("Thank you, Binh!")

	p.Send("/profile")
	// The phone as dialled in Vietnam, the birth date with its weekday and
	// the month in words: no dd/mm for an English reader.
	m := p.Expect("Your profile", "Phone: 0912 345 678", "Blood group: I don't know", "Unit/club: Ngân hàng máu sống Hà Nội",
		"Date of birth: Thu 1 Feb 1990")
	if len(m.InlineKeyboard) == 0 {
		t.Fatal("profile has no edit buttons")
	}
	d, err := b.Store.Donor(context.Background(), p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.BloodGroupAnswered || d.BloodGroup.Known() || d.Language != "en" {
		t.Errorf("got blood %q answered=%t lang %q, want unknown answered, en", d.BloodGroup, d.BloodGroupAnswered, d.Language)
	}
	p.Send("/start")
	p.Expect("Hi Binh,") // the given name of a Vietnamese name, in English too
	if len(b.API.CallsOf("setWebhook")) != 1 || len(b.API.CallsOf("getUpdates")) != 0 {
		t.Errorf("webhook mode: got %d setWebhook, %d getUpdates calls", len(b.API.CallsOf("setWebhook")), len(b.API.CallsOf("getUpdates")))
	}
}

func TestNothingStoredBeforeConsent(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	p.Send("/start")
	p.Expect("Bạn có đồng ý")
	p.Send("Nguyễn Văn A") // typing before consenting
	p.Expect("chưa đồng ý")
	p.Tap("Không đồng ý")
	p.Expect("chưa lưu gì")
	p.Settle()
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM donors WHERE telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("got %d donor rows before consent, want 0", n)
	}
}

// TestOnboardingBadInput: every step explains a bad answer and asks again;
// nothing invalid is stored.
func TestOnboardingBadInput(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Expect("Bước 1/7")

	p.ShareContact("84912345678", p.User.ID) // a contact where a name is asked
	p.Expect("cần bạn gõ câu trả lời")
	p.Expect("Bước 1/7")
	p.Send("A")
	p.Expect("Tên quá ngắn")
	p.Expect("Bước 1/7")
	p.Send("Nguyễn 123")
	p.Expect("chỉ gồm chữ cái")
	p.Send("Lê Văn Cường")
	p.Expect("Bước 2/7")

	p.ShareContact("84987654321", testenv.TelegramID()) // a stranger's contact
	p.Expect("danh bạ của người khác")
	p.Expect("Bước 2/7")
	p.Send("12345")
	p.Expect("Số điện thoại chưa đúng")
	p.Send("+1 415 555 2671")
	p.Expect("số di động Việt Nam")
	p.Send("0987.654.321")
	p.Expect("0987 654 321")

	p.Expect("Bước 3/7")
	p.Send("có lẽ") // text where a button is expected
	p.Expect("chọn bằng các nút")
	p.Expect("Bước 3/7")
	p.Tap("Nam")

	p.Expect("Bước 4/7")
	p.Send("31/02/1990")
	p.Expect("Ngày không hợp lệ")
	p.Send("hôm qua")
	p.Expect("Ngày không hợp lệ")
	future := b.Now().AddDate(1, 0, 0).Format("02/01/2006")
	p.Send(future)
	p.Expect("không thể ở tương lai")
	p.Send("01/01/2015") // 15 years old on the test clock
	p.Expect("Tuổi phải từ 16 đến 80")
	p.Send("01/01/1930")
	p.Expect("Tuổi phải từ 16 đến 80")
	p.Send("15/08/1988")

	p.Expect("Bước 5/7")
	p.Send("nặng lắm")
	p.Expect("cân nặng bằng số kg")
	p.Send("250")
	p.Expect("từ 30 đến 200 kg")
	p.Send("29")
	p.Expect("từ 30 đến 200 kg")
	p.Send("65")

	p.Expect("Bước 6/7")
	p.Send("Z+")
	p.Expect("chọn bằng các nút")
	p.Send("ab âm") // a typed group is understood
	skipUnitStep(t, b, p)
	p.Expect("Cảm ơn Cường!")

	d, err := b.Store.Donor(context.Background(), p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Phone != "+84987654321" || d.Sex != profile.SexMale || d.WeightKg != 65 || d.BloodGroup != profile.BloodABNeg ||
		d.BirthDate.Format("02/01/2006") != "15/08/1988" {
		t.Errorf("got %+v", d)
	}
}

// TestStaleButtons: a button from a finished question changes nothing and
// says it is no longer active.
func TestStaleButtons(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Phạm Thị Lan")
	p.Expect("Cảm ơn")

	var sexMsg int
	for _, m := range p.Messages() {
		if m.Text == "Bước 3/7. Giới tính của bạn?" {
			sexMsg = m.ID
		}
	}
	if sexMsg == 0 {
		t.Fatal("sex question not found")
	}
	for _, data := range []string{"step:v1:sex:male", "fl:v1:onboarding:sex:a:male", "fl:v1:edit:weight:a:60", "consent:v1:no", "step:v1:unit:999", "nonsense", "edit:v1:../../etc"} {
		id := p.TapStale(sexMsg, data)
		b.API.WaitUntil(t, "callback answered", func() bool { _, ok := b.API.CallbackAnswer(id); return ok })
		ans, _ := b.API.CallbackAnswer(id)
		if ans.Text != "Nút này không còn hiệu lực." {
			t.Errorf("tap %q: got answer %q, want the stale-button notice", data, ans.Text)
		}
	}
	d, err := b.Store.Donor(context.Background(), p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Sex != profile.SexFemale {
		t.Errorf("stale tap changed sex to %q", d.Sex)
	}
}
