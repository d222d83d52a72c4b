package handlers_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// TestDriveCardInTheReadersLanguage: a drive of wave "Đợt 1" on Sunday
// 19/05/2030 (three days after bottest.Epoch) with one seat, as a
// Vietnamese and an English donor see it in /drives: the wave and the date
// with its weekday in their language (no dd/mm in English), and the seat
// in the singular.
func TestDriveCardInTheReadersLanguage(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	if _, err := b.Store.DB().Exec(`UPDATE drives SET status = 'closed' WHERE status = 'published'`); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 5, 19, 8, 0, 0, 0, loc(t))
	d, _, err := b.Store.CreateDrive(ctx, drive.DraftInput{
		Title: "Ngày hội Một chỗ", Wave: "Đợt 1", Organizer: "Công an phường Ba Đình", Hospital: "Viện Huyết học - Truyền máu TW",
		Venue: "25 Phan Đình Phùng, Phường Ba Đình, Hà Nội", Start: start, End: start.Add(30 * time.Minute),
		SlotLength: 30 * time.Minute, SlotCapacity: 1, TargetUnits: 10,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, title, date, seats string }{
		{"vi", "Đợt 1 — Ngày hội Một chỗ", "📅 Chủ Nhật, 19/05/2030, 08:00–08:30", "💺 Còn 1 chỗ"},
		{"en", "Wave 1 — Ngày hội Một chỗ", "📅 Sun 19 May 2030, 08:00–08:30", "💺 1 seat left"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodOPos})
			if err := b.Store.SetDonorLanguage(ctx, id, tc.lang); err != nil {
				t.Fatal(err)
			}
			p := b.Phone(id, tc.lang)
			p.Send("/drives")
			p.Expect(tc.title, tc.date, tc.seats)
		})
	}
}

// TestEnglishDonationCount: /eligibility counts donations in English
// without "0 times" or "1 times".
func TestEnglishDonationCount(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	id := testenv.TelegramID()
	seed(t, b, donorSpec{id: id, group: profile.BloodAPos})
	if err := b.Store.SetDonorLanguage(ctx, id, "en"); err != nil {
		t.Fatal(err)
	}
	p := b.Phone(id, "en")
	p.Send("/eligibility")
	p.Expect("You have not donated yet.")
	day := calendarDay(t, b.Now())
	if err := b.Store.AddDonation(ctx, id, day.AddDate(-1, 0, 0), "whole_blood", 350, "self_report", 0); err != nil {
		t.Fatal(err)
	}
	p.Send("/eligibility")
	p.Expect("You have donated once.", "Wed 16 May 2029")
	if err := b.Store.AddDonation(ctx, id, day.AddDate(0, -6, 0), "whole_blood", 350, "self_report", 0); err != nil {
		t.Fatal(err)
	}
	p.Send("/eligibility")
	p.Expect("You have donated 2 times.", "Fri 16 Nov 2029")
}

// TestPresetDeferralReasonInEachLanguage: an English-speaking organizer
// defers a Vietnamese donor at the desk with the "Low haemoglobin" button;
// the donor reads the reason in Vietnamese, the organizer in English, and
// the reason is stored as its code, not as either text.
func TestPresetDeferralReasonInEachLanguage(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	d, slots := publishedDrive(t, b, "Ngày hội Lý do", 48*time.Hour, 5)
	donorID, orgID := testenv.TelegramID(), testenv.TelegramID()
	seedDonor(t, b, seededDonor{id: donorID, name: "Phan Thị Thu", phone: "+84912000881"})
	reg := registerScreened(t, b, donorID, slots[0].ID, `[{"Question":"ill","Yes":false}]`, 450)
	if err := b.Store.GrantRole(ctx, orgID, "organizer", 0, 0); err != nil {
		t.Fatal(err)
	}
	b.Clock.Advance(48*time.Hour + 5*time.Minute) // the desk is open
	org, donor := b.Phone(orgID, "en"), b.Phone(donorID, "vi")

	org.Send("/checkin " + d.Code)
	org.Expect("Check-in for “Ngày hội Lý do”")
	org.Send("0912 000 881")
	org.Expect("Checked in: Phan Thị Thu (0912 000 881)")
	org.Tap("⏸ Deferred on site")
	org.Expect("Reason for the deferral?")
	org.Tap("Low haemoglobin")
	org.Expect("Deferred until which day?")
	org.Send("30/05/2030")
	org.Expect("Recorded: Phan Thị Thu — deferred until Thu 30 May 2030 (low haemoglobin)")
	donor.Expect("Hôm nay bạn chưa hiến máu được: huyết sắc tố thấp", "Thứ Năm, 30/05/2030")

	var code, note sql.NullString
	if err := b.Store.DB().QueryRow(`SELECT reason_code, note FROM deferrals WHERE registration_id = $1`, reg.ID).Scan(&code, &note); err != nil {
		t.Fatal(err)
	}
	if code.String != "low_hb" || note.Valid {
		t.Errorf("stored reason_code %v, note %v; want low_hb and no note", code, note)
	}
}

// TestConsentNamesWhoSeesWhat: before anything is stored, the consent says
// who sees which data, in the user's language: the drive's organizers,
// the admins of a club the donor joins (phones included, on an urgent
// accept), and the bot's administrators, not "only the organizers".
func TestConsentNamesWhoSeesWhat(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"vi", []string{"Ai được xem gì:",
			"• Ban tổ chức ngày hội bạn đăng ký", "số điện thoại, ngày sinh",
			"• Quản trị viên câu lạc bộ Ngân hàng máu sống bạn tham gia", "họ tên, nhóm máu và số điện thoại của bạn khi bạn nhận lời đi hiến",
			"• Quản trị viên donorbot", "Ngoài những người trên, không ai xem được", "/forget"}},
		{"en", []string{"Who sees what:",
			"• The organizers of a drive you register for", "phone number, date of birth",
			"• The admins of a living blood bank club you join", "your name, blood group and phone number when you accept",
			"• The donorbot administrators", "Nobody else sees your data.", "/forget"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			p := b.NewPhone(tc.lang)
			p.Send("/start")
			m := p.Expect(tc.want...)
			if !m.HasButtonText(map[string]string{"vi": "✅ Tôi đồng ý", "en": "✅ I agree"}[tc.lang]) {
				t.Errorf("the consent has no agree button: %v", m.Buttons())
			}
		})
	}
}
