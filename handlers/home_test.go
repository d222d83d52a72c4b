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
)

// TestConfirmationCountsSeatsLeft: the confirmation of a registration shows
// the drive's seats left once the donor's own is taken (two slots of five:
// nine), not a fixed zero. In both languages.
func TestConfirmationCountsSeatsLeft(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct{ lang, seats string }{
		{"vi", "💺 Còn 9 chỗ"},
		{"en", "💺 9 seats left"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			st := screeningLangs[langIndex(tc.lang)]
			p, _ := screeningDonor(t, b, tc.lang, "Ngày hội Đếm chỗ "+tc.lang)
			answerEight(t, p, st)
			p.Expect(st.confirmed, tc.seats)
		})
	}
}

// extraDrive publishes one more drive next to those already open.
func extraDrive(t *testing.T, b *bottest.Bot, title string, in time.Duration, capacity int) (drive.Drive, []drive.Slot) {
	t.Helper()
	ctx := context.Background()
	start := b.Now().Add(in).Truncate(time.Minute)
	d, slots, err := b.Store.CreateDrive(ctx, drive.DraftInput{
		Title: title, Organizer: "Đoàn phường Cửa Nam", Hospital: "Bệnh viện Bạch Mai",
		Venue: "1 Tràng Tiền, phường Cửa Nam, Hà Nội", Start: start, End: start.Add(time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: capacity, TargetUnits: 50,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	return d, slots
}

// cancelTexts are what a donor reads and taps when cancelling.
type cancelTexts struct {
	lang, confirmed, cancel, ask, yes, keep, cancelled, register, waitlist, drives, chooseSlot, none string
}

var cancelLangs = []cancelTexts{
	{"vi", "đã xác nhận", "Hủy «", "Bạn muốn hủy đăng ký", "Có, hủy đăng ký", "Không, giữ lại", "Đã hủy đăng ký",
		"Đăng ký: ", "Vào danh sách chờ: ", "🩸 Ngày hội hiến máu", "Chọn khung giờ", "Bạn chưa đăng ký ngày hội nào"},
	{"en", "confirmed", "Cancel “", "Cancel your registration for", "Yes, cancel it", "No, keep it", "Registration cancelled",
		"Register: ", "Join the waitlist: ", "🩸 Drives", "Choose the time slot", "You haven't registered for any drive"},
}

// TestCancelAsksThenOffersOtherDrives: cancelling from "My registrations"
// asks first; "Keep it" keeps the seat and shows the list again; "Yes"
// cancels, and the message that listed the registration as confirmed now
// says it is cancelled and offers the other drive with free seats (not the
// full one) and the list of drives. When no other drive has a seat, the
// full one's waitlist is offered. In both languages.
func TestCancelAsksThenOffersOtherDrives(t *testing.T) {
	b := bottest.Start(t)
	ctx := context.Background()
	for _, tc := range cancelLangs {
		t.Run(tc.lang, func(t *testing.T) {
			st := screeningLangs[langIndex(tc.lang)]
			title := "Ngày hội Hủy thử " + tc.lang
			p, _ := screeningDonor(t, b, tc.lang, title)
			answerEight(t, p, st)
			p.Expect(st.confirmed)
			free, _ := extraDrive(t, b, "Ngày hội Còn chỗ "+tc.lang, 96*time.Hour, 5)
			full, fullSlots := extraDrive(t, b, "Ngày hội Hết chỗ "+tc.lang, 120*time.Hour, 1)
			for _, s := range fullSlots {
				other := testenv.TelegramID()
				seed(t, b, donorSpec{id: other, group: profile.BloodAPos})
				if _, err := b.Store.Register(ctx, other, s.ID, b.Now()); err != nil {
					t.Fatal(err)
				}
			}

			p.Send("/mydrives")
			list := p.Expect(title, tc.confirmed)
			p.TapEdits(tc.cancel+title+closeQuote(tc.lang), tc.ask, title)
			p.TapEdits(tc.keep, title, tc.confirmed)
			if n := liveRegistrations(t, b, p.User.ID); n != 1 {
				t.Fatalf("Keep it left %d live registrations, want 1", n)
			}

			p.TapIn(list.ID, tc.cancel+title+closeQuote(tc.lang))
			done := p.TapEdits(tc.yes, tc.cancelled, title)
			if strings.Contains(done.Text, tc.confirmed) {
				t.Errorf("the cancelled registration still reads %q:\n%s", tc.confirmed, done.Text)
			}
			if !done.HasButtonText(tc.register+free.Title) || !done.HasButtonText(tc.drives) ||
				done.HasButtonText(tc.register+title) || done.HasButtonText(tc.waitlist+full.Title) {
				t.Errorf("after the cancel, buttons %v; want the drive with seats and the list of drives", done.Buttons())
			}
			if n := liveRegistrations(t, b, p.User.ID); n != 0 {
				t.Fatalf("%d live registrations after the cancel", n)
			}
			p.Send("/mydrives")
			p.Expect(tc.none)
			p.TapIn(done.ID, tc.register+free.Title)
			p.Expect(free.Title, tc.chooseSlot)

			// No other drive with a seat: the full one's waitlist.
			if _, err := b.Store.CloseDrive(ctx, free.ID); err != nil {
				t.Fatal(err)
			}
			p.Send("/drives")
			p.Tap(st.register + title)
			p.Expect(title, tc.chooseSlot)
			p.TapPrefix(driveTitled(t, b, title).Start.In(loc(t)).Format("15:04") + "–")
			p.TapIn(p.Expect(askLessLangs[langIndex(tc.lang)].reuse).ID, askLessLangs[langIndex(tc.lang)].keep)
			p.Expect(st.confirmed)
			p.Send("/mydrives")
			p.Expect(title, tc.confirmed)
			p.TapPrefix(tc.cancel + title)
			done = p.TapEdits(tc.yes, tc.cancelled)
			if !done.HasButtonText(tc.waitlist+full.Title) || !done.HasButtonText(tc.drives) {
				t.Errorf("with no seat elsewhere, buttons %v; want the full drive's waitlist and the list of drives", done.Buttons())
			}
			if _, err := b.Store.CloseDrive(ctx, full.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func closeQuote(lang string) string {
	if lang == "en" {
		return "”"
	}
	return "»"
}

// liveRegistrations counts the donor's confirmed or waitlisted registrations.
func liveRegistrations(t *testing.T, b *bottest.Bot, telegramID int64) int {
	t.Helper()
	var n int
	err := b.Store.DB().Get(&n, `SELECT count(*) FROM registrations r JOIN donors d ON d.id = r.donor_id
		WHERE d.telegram_id = $1 AND r.status IN ('confirmed', 'waitlisted')`, telegramID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
