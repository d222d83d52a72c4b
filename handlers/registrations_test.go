package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// registered onboards a donor and registers them, screened eligible, for
// the first slot of d.
func registered(t *testing.T, b *bottest.Bot, p *bottest.Phone, name string, d drive.Drive) {
	t.Helper()
	onboard(t, b, p, name)
	p.Expect("Cảm ơn")
	p.Send("/drives")
	p.Tap("Đăng ký: " + d.Title)
	p.Expect("Chọn khung giờ")
	p.TapPrefix(d.Start.In(loc(t)).Format("15:04") + "–")
	answerScreening(t, b, p, "")
	p.Expect("Đã xác nhận")
}

func TestOrganizerEditAndCancelTellRegistrants(t *testing.T) {
	orgID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(orgID))
	d, _ := publishedDrive(t, b, "Ngày hội Hồng Hà", 48*time.Hour, 5)
	p := b.NewPhone("vi")
	registered(t, b, p, "Chu Văn An", d)

	org := b.Phone(orgID, "vi")
	org.Send("/editdrive " + d.Code)
	org.Expect("Sửa mục nào")
	org.Tap("Địa điểm")
	org.Expect("Địa điểm (địa chỉ)")
	org.Send("Hội trường lớn, 87 Trần Hưng Đạo, Hà Nội")
	org.Expect("Đã cập nhật ngày hội", "1 người đăng ký")
	p.Expect("vừa được cập nhật", "87 Trần Hưng Đạo")

	org.Send("/editdrive " + d.Code)
	org.Tap("Giờ")
	org.Send("13:00-15:00")
	org.Expect("không thể đổi giờ")

	org.Send("/canceldrive " + d.Code)
	org.Tap("Hủy ngày hội và báo cho người đăng ký")
	org.Expect("Đã hủy ngày hội", "1 người đăng ký")
	p.Expect("đã bị hủy", "Ngày hội Hồng Hà")
	p.Send("/mydrives")
	m := p.Expect("Ngày hội Hồng Hà")
	if len(m.InlineKeyboard) != 0 {
		t.Errorf("a cancelled drive still offers buttons: %v", m.Buttons())
	}
}

// TestEditDriveKeepsWhatTheFormCannotSay: /editdrive changes one field and
// keeps the rest as stored, including what the /newdrive answers cannot
// express: the drive's campaign, its map point, and an evening window that
// ends after midnight (a fixture drive starting at 23:xx local once failed
// a venue edit with "end must be after start").
func TestEditDriveKeepsWhatTheFormCannotSay(t *testing.T) {
	orgID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(orgID))
	ctx := context.Background()
	if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
		t.Fatal(err)
	}
	c, err := b.Store.CreateCampaign(ctx, "Hành trình đỏ "+t.Name(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	day := b.Now().In(loc(t)).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 23, 0, 0, 0, loc(t))
	point := drive.Point{Lat: 21.0245, Lon: 105.8412}
	d, _, err := b.Store.CreateDrive(ctx, drive.DraftInput{
		CampaignID: c.ID, Wave: "Đợt 2", Title: "Đêm hội Hồng Hà", Organizer: "Công an quận Hoàn Kiếm",
		Hospital: "Bệnh viện 19-8", Venue: "1 Tràng Tiền, Hà Nội", Point: &point,
		Start: start, End: start.Add(2 * time.Hour), SlotLength: time.Hour, SlotCapacity: 3, TargetUnits: 40,
	}, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}

	org := b.Phone(orgID, "vi")
	org.Send("/editdrive " + d.Code)
	org.Tap("Địa điểm")
	org.Expect("Địa điểm (địa chỉ)")
	org.Send("Nhà hát Lớn, 1 Tràng Tiền, Hà Nội")
	org.Expect("Đã cập nhật ngày hội")
	org.Send("/editdrive " + d.Code)
	org.Tap("Chỉ tiêu")
	org.Send("60")
	org.Expect("Đã cập nhật ngày hội")

	got, err := b.Store.Drive(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Venue != "Nhà hát Lớn, 1 Tràng Tiền, Hà Nội" || got.TargetUnits != 60 {
		t.Errorf("venue %q, target %d: the edits were not applied", got.Venue, got.TargetUnits)
	}
	if got.CampaignID != c.ID || got.Point == nil || *got.Point != point || got.Wave != "Đợt 2" ||
		!got.Start.Equal(start) || !got.End.Equal(start.Add(2*time.Hour)) {
		t.Errorf("an edit changed what it did not touch: campaign %d (want %d), point %v, wave %q, %s–%s",
			got.CampaignID, c.ID, got.Point, got.Wave, got.Start, got.End)
	}

	// A new window is placed on the drive's own day.
	org.Send("/editdrive " + d.Code)
	org.Tap("Giờ")
	org.Send("07:30-11:30")
	org.Expect("Đã cập nhật ngày hội")
	if got, err = b.Store.Drive(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if want := start.Add(-15*time.Hour - 30*time.Minute); !got.Start.Equal(want) || !got.End.Equal(want.Add(4*time.Hour)) {
		t.Errorf("window %s–%s, want %s–%s", got.Start, got.End, want, want.Add(4*time.Hour))
	}
}

func TestMoveToAnotherSlot(t *testing.T) {
	b := bottest.Start(t)
	d, slots := publishedDrive(t, b, "Ngày hội Đổi giờ", 48*time.Hour, 2)
	p := b.NewPhone("vi")
	registered(t, b, p, "Trần Thị Dung", d)
	p.Send("/mydrives")
	p.Expect("đã xác nhận")
	p.Tap("Đổi giờ")
	p.Expect("Chọn khung giờ mới")
	second := slots[1].Start.In(loc(t)).Format("15:04")
	p.Tap(second + "–" + slots[1].End.In(loc(t)).Format("15:04") + " (còn 2)")
	p.Expect("Đã xác nhận", second)
	var slotID int64
	if err := b.Store.DB().Get(&slotID, `SELECT r.slot_id FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE dn.telegram_id = $1 AND r.status = 'confirmed'`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if slotID != slots[1].ID {
		t.Errorf("registration in slot %d, want %d", slotID, slots[1].ID)
	}
}

func TestThanksAfterDrive(t *testing.T) {
	b := bottest.Start(t)
	d, _ := publishedDrive(t, b, "Ngày hội Cảm ơn", 48*time.Hour, 2)
	p := b.NewPhone("vi")
	registered(t, b, p, "Vương Thị Hoa", d)
	db := b.Store.DB()
	var regID int64
	if err := db.Get(&regID, `SELECT id FROM registrations WHERE drive_id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.Store.MarkAttendance(context.Background(), d.ID, regID, drive.RegAttended); err != nil {
		t.Fatal(err)
	}
	// The drive took place this morning.
	for _, q := range []string{
		`UPDATE drive_slots SET starts_at = starts_at - interval '50 hours', ends_at = ends_at - interval '50 hours' WHERE drive_id = $1`,
		`UPDATE drives SET starts_at = starts_at - interval '50 hours', ends_at = ends_at - interval '50 hours' WHERE id = $1`,
	} {
		if _, err := db.Exec(q, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	p.Expect("Cảm ơn bạn đã hiến máu tại «Ngày hội Cảm ơn»")
}

// TestScreeningBackDatesAndRestart: Back re-asks the previous step (the
// month, then the kind of donation, then the question itself), a Yes with a
// date asks for the month, a bad month is explained, and the questionnaire
// survives a restart of the bot.
func TestScreeningBackDatesAndRestart(t *testing.T) {
	b := bottest.Start(t)
	d, _ := publishedDrive(t, b, "Ngày hội Sàng lọc", 96*time.Hour, 5)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Lã Thị Bình")
	p.Expect("Cảm ơn")
	p.Send("/drives")
	p.Tap("Đăng ký: Ngày hội Sàng lọc")
	p.TapPrefix(d.Start.In(loc(t)).Format("15:04") + "–")
	q1 := p.Expect("Câu 1/11", "đã từng hiến máu")
	p.TapIn(q1.ID, "Có")
	p.Expect("Lần hiến gần nhất, bạn đã hiến gì")
	p.Tap("tiểu cầu")
	p.Expect("Lần hiến gần nhất vào ngày nào")
	p.Send("13/2026")
	p.Expect("chưa hiểu", "tháng/năm")
	month := b.Now().In(loc(t)).Format("01/2006")
	p.Send(month) // platelets this month: 2 weeks, counted from the month's end or today
	q2 := p.Expect("Câu 2–11/11", "đang bị bệnh")
	p.TapIn(q2.ID, "⬅️ Quay lại")
	when := p.Expect("Câu 1/11", "Lần hiến gần nhất vào ngày nào")
	p.TapIn(when.ID, "⬅️ Quay lại")
	kind := p.Expect("Câu 1/11", "Lần hiến gần nhất, bạn đã hiến gì")
	p.TapIn(kind.ID, "⬅️ Quay lại")
	p.Expect("Câu 1/11", "đã từng hiến máu")

	b.Restart()

	p.Tap("Không")
	p.TapIn(p.Expect("Câu 2–11/11").ID, "Có")
	q2 = p.Expect("Câu 2/11")
	p.TapIn(q2.ID, "Không")
	q3 := p.Expect("Câu 3/11")
	p.TapIn(q3.ID, "Không")
	q4 := p.Expect("Câu 4/11")
	p.TapIn(q4.ID, "Không")
	q5 := p.Expect("Câu 5/11", "xăm mình")
	p.TapIn(q5.ID, "Có")
	p.Expect("Việc đó vào ngày nào")
	p.Tap("Không nhớ") // counted from today
	answerScreening(t, b, p, "")
	res := p.Expect("chưa nên hiến máu", "xăm", "(ước tính)")
	if strings.Contains(res.Text, "tiểu cầu") {
		t.Errorf("the donation answered No after Back still counts: %q", res.Text)
	}
	until := b.Now().In(loc(t)).AddDate(0, 6, 0).Format("02/01/2006")
	if !strings.Contains(res.Text, until) {
		t.Errorf("result %q lacks the end of the 6-month deferral %s", res.Text, until)
	}
}
