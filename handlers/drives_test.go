package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/telegramtest"
)

// publishedDrive stores and publishes a drive starting in `in`, with slots
// of 30 minutes and capacity seats each, as an organizer would.
func publishedDrive(t *testing.T, b *bottest.Bot, title string, in time.Duration, capacity int) (drive.Drive, []drive.Slot) {
	t.Helper()
	// Tests of the package share a database: drives of earlier tests would
	// push this one off the first page of /drives.
	if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
		t.Fatal(err)
	}
	start := b.Now().Add(in).Truncate(time.Minute)
	d, slots, err := b.Store.CreateDrive(context.Background(), drive.DraftInput{
		Title: title, Wave: "Đợt 1", Organizer: "Công an quận Ba Đình", Hospital: "Viện Huyết học - Truyền máu TW",
		Venue: "25 Phan Đình Phùng, Ba Đình, Hà Nội", Start: start, End: start.Add(time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: capacity, TargetUnits: 100,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = b.Store.PublishDrive(context.Background(), d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	return d, slots
}

// noneOfThese answers the questions asked together No.
const noneOfThese = "✅ Không có điều nào"

// answerScreening answers every screening question No, or Yes to the
// question whose text contains yesTo (and to the group of questions it is
// in), and confirms the answers at the review, until a result comes.
func answerScreening(t *testing.T, b *bottest.Bot, p *bottest.Phone, yesTo string) {
	t.Helper()
	last := 0
	for range 15 {
		m := b.API.WaitMessage(t, p.User.ID, func(m telegramtest.Message) bool {
			return m.ID > last && ((strings.HasPrefix(m.Text, "Câu ") && (m.HasButtonText("Có") || m.HasButtonText("Hôm nay"))) ||
				strings.HasPrefix(m.Text, "Bạn xem lại các câu trả lời") ||
				strings.Contains(m.Text, "Theo câu trả lời") || strings.Contains(m.Text, "chưa nên hiến"))
		})
		last = m.ID
		switch {
		case strings.HasPrefix(m.Text, "Bạn xem lại"):
			p.TapIn(m.ID, "✅ Xác nhận")
		case !strings.HasPrefix(m.Text, "Câu "):
			return
		case m.HasButtonText("Hôm nay"): // the day of a recent Yes
			p.TapIn(m.ID, "Hôm nay")
		case yesTo != "" && strings.Contains(m.Text, yesTo):
			p.TapIn(m.ID, "Có")
		case m.HasButtonText(noneOfThese):
			p.TapIn(m.ID, noneOfThese)
		default:
			p.TapIn(m.ID, "Không")
		}
	}
	t.Fatal("screening did not end")
}

func TestRegisterForDriveEligible(t *testing.T) {
	b := bottest.Start(t)
	d, slots := publishedDrive(t, b, "Ngày hội Giọt hồng", 48*time.Hour, 5)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Đặng Văn Hùng")
	p.Expect("Cảm ơn")

	p.Send("/drives")
	p.Expect("Ngày hội Giọt hồng", "Viện Huyết học", "Còn 10 chỗ")
	p.Tap("Đăng ký: Ngày hội Giọt hồng")
	p.Expect("Chọn khung giờ")
	from := slots[0].Start.In(loc(t)).Format("15:04")
	p.Tap(from + "–" + slots[0].End.In(loc(t)).Format("15:04") + " (còn 5)")
	p.Expect("câu hỏi sàng lọc")
	// A woman sees the women-only questions.
	p.Expect("Câu 1/11", "đã từng hiến máu")
	answerScreening(t, b, p, "")
	p.Expect("có thể hiến máu vào ngày", "tối đa 450 ml", "nhân viên y tế")
	p.Expect("Đã xác nhận", "Ngày hội Giọt hồng", from)
	b.API.WaitUntil(t, "calendar file", func() bool {
		for _, m := range p.Messages() {
			if m.Document != nil && strings.HasSuffix(m.Document.Name, ".ics") &&
				strings.Contains(string(m.Document.Data), "BEGIN:VEVENT") {
				return true
			}
		}
		return false
	})
	var status string
	var volume int
	var answers string
	q := `SELECT r.status, r.allowed_volume_ml, r.screening_answers::text FROM registrations r
		JOIN donors dn ON dn.id = r.donor_id WHERE dn.telegram_id = $1 AND r.drive_id = $2`
	if err := b.Store.DB().QueryRow(q, p.User.ID, d.ID).Scan(&status, &volume, &answers); err != nil {
		t.Fatal(err)
	}
	if status != "confirmed" || volume != 450 || !strings.Contains(answers, "ill_now") {
		t.Errorf("got status %s volume %d answers %s", status, volume, answers)
	}

	p.Send("/drives")
	p.Expect("Còn 9 chỗ")
	p.Tap("Đăng ký: Ngày hội Giọt hồng")
	p.Tap(from + "–" + slots[0].End.In(loc(t)).Format("15:04") + " (còn 4)")
	p.Expect("đã đăng ký ngày hội này rồi")
}

func TestRegisterDeferredAndMenSeeNoPregnancyQuestions(t *testing.T) {
	b := bottest.Start(t)
	_, slots := publishedDrive(t, b, "Ngày hội Hoa hồng", 72*time.Hour, 5)
	p := b.NewPhone("vi")
	p.Send("/start")
	agreeAndAnswer(t, b, p, profileAnswers{"Hồ Văn Nam", "0912555666", "Nam", "01/01/1990", "70", "A+"})
	p.Expect("Cảm ơn")

	p.Send("/drives")
	p.Tap("Đăng ký: Ngày hội Hoa hồng")
	p.Tap(slots[1].Start.In(loc(t)).Format("15:04") + "–" + slots[1].End.In(loc(t)).Format("15:04") + " (còn 5)")
	p.Expect("Câu 1/8") // no women-only questions for a man
	answerScreening(t, b, p, "cúm, cảm lạnh")
	p.Expect("chưa nên hiến máu", "cúm, cảm, ho", "nhân viên y tế")
	for _, m := range p.Messages() {
		if strings.Contains(m.Text, "mang thai") {
			t.Errorf("a man was asked: %q", m.Text)
		}
	}
	p.TapPrefix("🔔 Nhắc tôi ngày")
	p.Expect("Mình sẽ nhắc bạn")
	var status string
	var deferrals, reminders int
	db := b.Store.DB()
	if err := db.Get(&status, `SELECT r.status FROM registrations r JOIN donors d ON d.id = r.donor_id WHERE d.telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&deferrals, `SELECT count(*) FROM deferrals f JOIN donors d ON d.id = f.donor_id WHERE d.telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&reminders, `SELECT count(*) FROM date_reminders r JOIN donors d ON d.id = r.donor_id WHERE d.telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if status != "deferred" || deferrals != 1 || reminders != 1 {
		t.Errorf("got status %s, %d deferrals, %d reminders; want deferred, 1, 1", status, deferrals, reminders)
	}
	p.Send("/eligibility")
	p.Expect("cúm, cảm, ho")
}

func TestNotEligibleRegistration(t *testing.T) {
	b := bottest.Start(t)
	_, slots := publishedDrive(t, b, "Ngày hội Nhân ái", 72*time.Hour, 5)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Mai Thị Hạnh")
	p.Expect("Cảm ơn")
	p.Send("/drives")
	p.Tap("Đăng ký: Ngày hội Nhân ái")
	p.Tap(slots[0].Start.In(loc(t)).Format("15:04") + "–" + slots[0].End.In(loc(t)).Format("15:04") + " (còn 5)")
	answerScreening(t, b, p, "viêm gan B")
	p.Expect("không đủ điều kiện", "gặp bác sĩ", "nhân viên y tế")
	var status string
	if err := b.Store.DB().Get(&status, `SELECT r.status FROM registrations r JOIN donors d ON d.id = r.donor_id WHERE d.telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if status != "deferred" {
		t.Errorf("got status %s, want the seat released (deferred)", status)
	}
	// /forget removes the screening answers with the registration.
	p.Send("/forget")
	p.Tap("🗑 Xóa dữ liệu của tôi")
	p.Expect("Đã xóa toàn bộ")
	b.Settle()
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM registrations WHERE screening_answers::text LIKE '%chronic%' AND donor_id NOT IN (SELECT id FROM donors)`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d screening answers survived /forget", n)
	}
}

func TestWaitlistAndPromotionOnCancel(t *testing.T) {
	b := bottest.Start(t)
	_, slots := publishedDrive(t, b, "Ngày hội Sẻ chia", 48*time.Hour, 1)
	slot := slots[0].Start.In(loc(t)).Format("15:04") + "–" + slots[0].End.In(loc(t)).Format("15:04")
	first, second := b.NewPhone("vi"), b.NewPhone("vi")
	for i, p := range []*bottest.Phone{first, second} {
		onboard(t, b, p, fmt.Sprintf("Người Thứ %c", 'A'+i))
		p.Expect("Cảm ơn")
	}
	first.Send("/drives")
	first.Tap("Đăng ký: Ngày hội Sẻ chia")
	first.Tap(slot + " (còn 1)")
	answerScreening(t, b, first, "")
	first.Expect("Đã xác nhận")

	second.Send("/drives")
	second.Tap("Đăng ký: Ngày hội Sẻ chia")
	second.Tap(slot + " (hết chỗ)")
	second.Expect("đã đủ người", "danh sách chờ")
	second.Tap("Vào danh sách chờ")
	answerScreening(t, b, second, "")
	second.Expect("vị trí số 1 trong danh sách chờ")

	first.Send("/mydrives")
	first.Expect("Ngày hội Sẻ chia", "đã xác nhận")
	first.Tap("Hủy «Ngày hội Sẻ chia»")
	first.TapEdits("Có, hủy đăng ký", "Đã hủy đăng ký")
	if m := second.Expect("Đã có chỗ cho bạn", "Ngày hội Sẻ chia"); !m.HasButtonText("📋 Lịch của tôi") {
		t.Errorf("the promotion does not open the registrations: %v", m.Buttons())
	}
	second.Send("/mydrives")
	second.Expect("đã xác nhận")

	// A donor who deletes their data frees their seat for the waitlist too.
	third := b.NewPhone("vi")
	onboard(t, b, third, "Người Thứ C")
	third.Expect("Cảm ơn")
	third.Send("/drives")
	third.Tap("Đăng ký: Ngày hội Sẻ chia")
	third.Tap(slot + " (hết chỗ)")
	third.Tap("Vào danh sách chờ")
	answerScreening(t, b, third, "")
	third.Expect("vị trí số 1 trong danh sách chờ")
	second.Send("/forget")
	second.Tap("🗑 Xóa dữ liệu của tôi")
	second.Expect("Đã xóa toàn bộ")
	third.Expect("Đã có chỗ cho bạn")
}

func TestDeepLinkForNewUserLandsOnDrive(t *testing.T) {
	b := bottest.Start(t)
	d, _ := publishedDrive(t, b, "Ngày hội Trái tim", 48*time.Hour, 5)
	p := b.NewPhone("vi")
	p.Send("/start " + drive.DeepLinkPayload(d.Code))
	p.Expect("Nghị định 13/2023")
	agreeAndAnswer(t, b, p, profileAnswers{"Tạ Quang Bửu", "0912777888", "Nam", "02/02/1992", "60", "B+"})
	p.Expect("Cảm ơn")
	p.Expect("Ngày hội Trái tim", "Chọn khung giờ")

	// A forwarded announcement tapped by someone without a profile: the same.
	fwd := b.NewPhone("vi")
	fwd.TapStale(1, fmt.Sprintf("drv:v1:open:%d", d.ID))
	fwd.Expect("Nghị định 13/2023")
	agreeAndAnswer(t, b, fwd, profileAnswers{"Tạ Thị Bích", "0912777999", "Nữ", "03/03/1993", "55", "AB+"})
	fwd.Expect("Cảm ơn")
	fwd.Expect("Ngày hội Trái tim", "Chọn khung giờ")

	other := b.NewPhone("vi")
	other.Send("/start " + drive.DeepLinkPayload(drive.NewCode()))
	other.Expect("Không tìm thấy ngày hội")
}

func TestStaleDriveButtons(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	d, slots := publishedDrive(t, b, "Ngày hội Sắp hủy", 48*time.Hour, 5)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Kiều Văn Tâm")
	p.Expect("Cảm ơn")
	p.Send("/drives")
	list := p.Expect("Ngày hội Sắp hủy")
	p.TapStale(list.ID, fmt.Sprintf("drv:v1:slot:%d:%d", d.ID, 99999999)) // a slot that vanished
	p.Expect("Ngày hội Sắp hủy", "Chọn khung giờ")

	admin := b.Phone(adminID, "vi")
	admin.Send("/canceldrive " + d.Code)
	admin.Tap("Hủy ngày hội và báo cho người đăng ký")
	admin.Expect("Đã hủy ngày hội")

	p.TapStale(list.ID, fmt.Sprintf("drv:v1:open:%d", d.ID))
	p.Expect("đã đóng đăng ký, bị hủy")
	p.TapStale(list.ID, fmt.Sprintf("drv:v1:slot:%d:%d", d.ID, slots[0].ID))
	p.Expect("đã đóng đăng ký, bị hủy")
	var n int
	if err := b.Store.DB().Get(&n, `SELECT count(*) FROM registrations WHERE drive_id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("got %d registrations for a cancelled drive", n)
	}
}

// TestRemindersFireOnceWithSeveralSchedulers: the bot's own scheduler and two
// more callers (as other processes would) race for the same due reminder;
// the donor gets it once, with the morning-of health check.
func TestRemindersFireOnceWithSeveralSchedulers(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Phan Thị Ngọc")
	p.Expect("Cảm ơn")
	_, slots := publishedDrive(t, b, "Ngày hội Sớm mai", 100*time.Minute, 3)
	reg, err := b.Store.Register(context.Background(), p.User.ID, slots[0].ID, b.Now())
	if err != nil {
		t.Fatal(err)
	}
	earlier := `[{"Question":"chronic","Yes":false},{"Question":"d14","Yes":false},{"Question":"m6","Yes":false}]`
	if _, err := b.Store.SetScreening(context.Background(), reg.ID, []byte(earlier), 450, drive.RegConfirmed, b.Now()); err != nil {
		t.Fatal(err)
	}
	// Registered yesterday: a reminder due before registering is never sent.
	// The bot's own scheduler may have looked in between, seen a reminder due
	// before a registration of now and recorded it skipped: undo that in the
	// same statement.
	const yesterday = `WITH r AS (UPDATE registrations SET queued_at = now() - interval '1 day' WHERE id = $1)
		DELETE FROM reminders_sent WHERE registration_id = $1 AND skipped`
	if _, err := b.Store.DB().Exec(yesterday, reg.ID); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Handlers().SendReminders(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	m := p.Expect("Nhắc lịch hiến máu", "Ngày hội Sớm mai", "có gì thay đổi")
	// One more run of the jobs, and the queue emptied: a duplicate would
	// have been delivered by now.
	if err := b.Handlers().SendReminders(context.Background()); err != nil {
		t.Fatal(err)
	}
	drained(t, b)
	count := 0
	for _, msg := range p.Messages() {
		if strings.Contains(msg.Text, "Nhắc lịch hiến máu") {
			count++
		}
	}
	if count != 1 {
		t.Errorf("got %d reminders, want 1 (the 24h reminder is stale, the 2h one due once)", count)
	}
	// Something changed: questions 2, 7 and 8 again; a fever defers.
	p.TapIn(m.ID, "Có")
	p.Expect("Câu 1/3")
	answerScreening(t, b, p, "cúm, cảm lạnh")
	p.Expect("chưa nên hiến máu")
	var status string
	if err := b.Store.DB().Get(&status, `SELECT status FROM registrations WHERE id = $1`, reg.ID); err != nil {
		t.Fatal(err)
	}
	if status != "deferred" {
		t.Errorf("got %s after the morning check found a fever, want deferred", status)
	}
	// The re-check replaced its own questions' answers and kept the others.
	var stored string
	if err := b.Store.DB().Get(&stored, `SELECT screening_answers::text FROM registrations WHERE id = $1`, reg.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stored, `"chronic"`) || !strings.Contains(stored, `"m6"`) ||
		strings.Count(stored, `"d14"`) != 1 || !strings.Contains(stored, `"ill_now"`) {
		t.Errorf("stored answers after the re-check: %s", stored)
	}
}

func loc(t testing.TB) *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
