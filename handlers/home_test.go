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

// homeTexts are the home menu and what its buttons open, in one language.
type homeTexts struct {
	lang                                            string
	drives, mine, canI, history, settings           string
	drivesHeader, mineNone, eligibility, notUnderst string
	welcome, left, editName, askName, paused        string
	otherMine                                       string // "My registrations" in the other language
}

var homeLangs = []homeTexts{
	{"vi", "🩸 Ngày hội hiến máu", "📋 Lịch của tôi", "✅ Tôi hiến được chưa?", "📜 Lịch sử", "⚙️ Cài đặt",
		"Các ngày hội hiến máu sắp tới", "Bạn chưa đăng ký ngày hội nào", "Theo hồ sơ của bạn", "Mình chưa hiểu",
		"hồ sơ của bạn đã đầy đủ", "Đã dừng việc đang làm dở", "Họ tên", "Họ và tên", "Đã tạm dừng",
		"📋 My registrations"},
	{"en", "🩸 Drives", "📋 My registrations", "✅ Can I donate?", "📜 History", "⚙️ Settings",
		"Upcoming blood drives", "You haven't registered for any drive", "From your profile", "I didn't understand",
		"your profile is complete", "Stopped what you were doing", "Name", "full name", "Paused",
		"📋 Lịch của tôi"},
}

// onboardIn walks onboarding in the phone's language, typing name.
func onboardIn(t *testing.T, b *bottest.Bot, p *bottest.Phone, name string) telegramtest.Message {
	t.Helper()
	tc := onboardingLangs[langIndex(p.User.LanguageCode)]
	step := func(n int) string { return fmt.Sprintf(tc.step, n) }
	p.Send("/start")
	p.Tap(tc.agree)
	p.Expect(step(1))
	p.Send(name)
	p.Expect(step(2))
	p.Send("0912345678")
	p.Expect(step(3))
	p.Tap(tc.female)
	p.Expect(step(4))
	p.Send("25/03/1995")
	p.Expect(step(5))
	p.Send("55")
	p.Expect(step(6))
	p.Tap(tc.blood)
	m := p.ExpectMatch(func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, step(7)) || strings.Contains(m.Text, tc.done)
	})
	if strings.Contains(m.Text, step(7)) {
		p.Tap(tc.skip)
		m = p.Expect(tc.done)
	}
	return m
}

// menuOf is the reply keyboard a message brought, row by row.
func menuOf(m telegramtest.Message) [][]string {
	var out [][]string
	for _, row := range m.ReplyKeyboard {
		var r []string
		for _, k := range row {
			r = append(r, k.Text)
		}
		out = append(out, r)
	}
	return out
}

// TestHomeMenu: onboarding ends with the home menu in the donor's language;
// its buttons (typed or tapped, in either language) open the drives, the
// donor's registrations and when they can donate; /start, /help and text
// that fits nothing bring it back; a menu button tapped while a question
// waits for typed input leaves that question and is never stored as the
// answer (neither as a new donor's name nor as a changed one). In both
// languages.
func TestHomeMenu(t *testing.T) {
	b := bottest.Start(t)
	publishedDrive(t, b, "Ngày hội Menu", 72*time.Hour, 5)
	ctx := context.Background()
	for _, tc := range homeLangs {
		t.Run(tc.lang, func(t *testing.T) {
			wantMenu := fmt.Sprint([][]string{{tc.drives, tc.mine}, {tc.canI}, {tc.history, tc.settings}})
			p := b.NewPhone(tc.lang)
			done := onboardIn(t, b, p, "Phạm Thu Trang")
			if got := fmt.Sprint(menuOf(done)); got != wantMenu {
				t.Fatalf("onboarding ends with menu %s; want %s", got, wantMenu)
			}

			p.Send(tc.drives)
			p.Expect(tc.drivesHeader, "Ngày hội Menu")
			p.Send(tc.mine)
			p.Expect(tc.mineNone)
			p.Send(tc.otherMine)
			p.Expect(tc.mineNone)
			p.Send(tc.canI)
			p.Expect(tc.eligibility)
			p.Send(tc.history)
			p.Expect(map[string]string{"vi": "📖 Lịch sử hiến máu của bạn", "en": "📖 Your donation history"}[tc.lang])
			p.Send(tc.settings)
			p.Expect(map[string]string{"vi": "⚙️ Cài đặt của bạn", "en": "⚙️ Your settings"}[tc.lang])

			for _, typed := range []string{"/start", "/help", "ê bot ơi"} {
				p.Send(typed)
				m := p.ExpectMatch(func(m telegramtest.Message) bool { return len(m.ReplyKeyboard) > 0 })
				if got := fmt.Sprint(menuOf(m)); got != wantMenu {
					t.Errorf("%s: menu %s; want %s", typed, got, wantMenu)
				}
			}
			if got := fmt.Sprint(b.API.ReplyKeyboard(p.User.ID)); !strings.Contains(got, tc.canI) {
				t.Errorf("the phone shows keyboard %s; want the menu", got)
			}

			// A menu tap while the name question waits: it leaves the
			// question, opens the registrations, and the name stays.
			p.Send("/profile")
			p.Tap(tc.editName)
			p.Expect(tc.askName)
			p.Send(tc.mine)
			p.Expect(tc.left)
			p.Expect(tc.mineNone)
			p.Send("Nguyễn Văn Bình")
			p.Expect(tc.notUnderst)
			if d, err := b.Store.Donor(ctx, p.User.ID); err != nil || d.FullName != "Phạm Thu Trang" {
				t.Fatalf("after a menu tap at the name question: %q, %v; want the name unchanged", d.FullName, err)
			}

			// Another language: the menu comes again in it.
			other := homeLangs[1-langIndex(tc.lang)]
			p.Send("/lang")
			p.Tap(map[string]string{"vi": "Tiếng Việt", "en": "English"}[other.lang])
			switched := p.Expect(map[string]string{"vi": "Đã chuyển sang tiếng Việt", "en": "Switched to English"}[other.lang])
			if got, want := fmt.Sprint(menuOf(switched)), fmt.Sprint([][]string{{other.drives, other.mine}, {other.canI}, {other.history, other.settings}}); got != want {
				t.Errorf("after /lang: menu %s; want %s", got, want)
			}

			// The same for someone onboarding: paused, nothing stored.
			fresh := b.NewPhone(tc.lang)
			fresh.Send("/start")
			fresh.Tap(onboardingLangs[langIndex(tc.lang)].agree)
			fresh.Expect(fmt.Sprintf(onboardingLangs[langIndex(tc.lang)].step, 1))
			fresh.Send(tc.mine)
			fresh.Expect(tc.paused)
			if d, err := b.Store.Donor(ctx, fresh.User.ID); err != nil || d.FullName != "" {
				t.Fatalf("a menu tap at onboarding's name question stored %q (%v)", d.FullName, err)
			}
		})
	}
}

// nextStepTexts are the journey ends a donor meets, and their buttons.
type nextStepTexts struct {
	lang, needConsent, start, intro, decline, declined, mineHeader string
}

var nextStepLangs = []nextStepTexts{
	{"vi", "Bạn chưa đồng ý", "▶️ Bắt đầu", "Nghị định 13/2023", "Không đồng ý", "mình chưa lưu gì về bạn", "Đăng ký của bạn"},
	{"en", "You haven't agreed", "▶️ Start", "Decree 13/2023", "I don't agree", "nothing about you is stored", "Your registrations"},
}

// TestJourneyEndsOfferNextStep: where a journey ends, the next step is a
// button, not a command to type: text from someone who has not agreed gets
// Start, which shows the consent question; declining it offers Start again;
// a confirmed registration opens "My registrations"; an empty "My
// registrations" opens the drives. In both languages.
func TestJourneyEndsOfferNextStep(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range nextStepLangs {
		t.Run(tc.lang, func(t *testing.T) {
			home := homeLangs[langIndex(tc.lang)]
			stranger := b.NewPhone(tc.lang)
			stranger.Send("hello?")
			if m := stranger.Expect(tc.needConsent); !m.HasButtonText(tc.start) {
				t.Fatalf("no %q under %q: %v", tc.start, m.Text, m.Buttons())
			}
			stranger.Tap(tc.start)
			stranger.Expect(tc.intro)
			stranger.Tap(tc.decline)
			if m := stranger.Expect(tc.declined); !m.HasButtonText(tc.start) {
				t.Fatalf("declining ends without %q: %v", tc.start, m.Buttons())
			}

			st := screeningLangs[langIndex(tc.lang)]
			p, _ := screeningDonor(t, b, tc.lang, "Ngày hội Bước tiếp "+tc.lang)
			answerEight(t, p, st)
			confirmed := p.Expect(st.confirmed)
			p.TapIn(confirmed.ID, home.mine)
			p.Expect(tc.mineHeader, "Ngày hội Bước tiếp "+tc.lang)

			p.TapPrefix(cancelLangs[langIndex(tc.lang)].cancel)
			p.TapEdits(cancelLangs[langIndex(tc.lang)].yes, cancelLangs[langIndex(tc.lang)].cancelled)
			p.Send(home.mine)
			none := p.Expect(home.mineNone)
			p.TapIn(none.ID, home.drives)
			p.Expect(home.drivesHeader)
		})
	}
}
