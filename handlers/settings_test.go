package handlers_test

import (
	"context"
	"testing"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// settingsTexts are what a donor reads and taps on /settings in one language.
type settingsTexts struct {
	lang, header, recallOn, quietOn, onCallOff                  string
	langButton, otherLang, otherHeader, otherLanguageLine, back string
	onCallButton, onCallOn, unitsButton, done, updated, close   string
	cancel                                                      string
}

var settingsLanguages = []settingsTexts{
	{lang: "vi", header: "⚙️ Cài đặt của bạn", recallOn: "Nhắc khi hiến lại được: bật",
		quietOn: "Giờ yên lặng: bật", onCallOff: "Sẵn sàng hiến máu khẩn cấp: tắt",
		langButton: "🌐 Đổi ngôn ngữ", otherLang: "English", otherHeader: "⚙️ Your settings",
		otherLanguageLine: "Language: English", back: "⬅️ Back",
		onCallButton: "🟢 On call for urgent needs", onCallOn: "On call for urgent needs: on",
		unitsButton: "👥 Units and clubs", done: "Done", updated: "Profile updated.", close: "✖️ Close", cancel: "✖️ Cancel"},
	{lang: "en", header: "⚙️ Your settings", recallOn: "Reminder when you may donate again: on",
		quietOn: "Quiet hours: on", onCallOff: "On call for urgent needs: off",
		langButton: "🌐 Change language", otherLang: "Tiếng Việt", otherHeader: "⚙️ Cài đặt của bạn",
		otherLanguageLine: "Ngôn ngữ: Tiếng Việt", back: "⬅️ Quay lại",
		onCallButton: "🟢 Sẵn sàng hiến máu khẩn cấp", onCallOn: "Sẵn sàng hiến máu khẩn cấp: bật",
		unitsButton: "👥 Đơn vị, CLB", done: "Xong", updated: "Đã cập nhật hồ sơ.", close: "✖️ Đóng", cancel: "✖️ Hủy"},
}

// TestSettingsJourney: /settings shows the donor's values; they switch to
// the other language (which then wins over their Telegram language on
// every later message), go on call, join a club through the profile's
// unit question and come back to the settings, and close them.
func TestSettingsJourney(t *testing.T) {
	for _, tc := range settingsLanguages {
		t.Run(tc.lang, func(t *testing.T) {
			b := bottest.Start(t)
			ctx := context.Background()
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodAPos})
			if _, err := b.Store.DB().Exec(`UPDATE donors SET language = $2 WHERE telegram_id = $1`, id, tc.lang); err != nil {
				t.Fatal(err)
			}
			club, err := b.Store.CreateUnit(ctx, "club", "000 CLB Cài đặt "+tc.lang+itoa(id%10000), "caidat"+tc.lang+itoa(id))
			if err != nil {
				t.Fatal(err)
			}
			// Telegram says the phone speaks tc.lang.
			p := b.Phone(id, tc.lang)
			p.Send("/settings")
			m := p.Expect(tc.header, tc.recallOn, tc.quietOn, tc.onCallOff)

			p.TapIn(m.ID, tc.langButton)
			waitEdited(t, b, p, "Choose your language")
			p.TapIn(m.ID, tc.otherLang)
			waitEdited(t, b, p, tc.otherHeader, tc.otherLanguageLine)
			p.TapIn(m.ID, tc.onCallButton)
			waitEdited(t, b, p, tc.onCallOn)
			if a, err := b.Store.Availability(ctx, id); err != nil || !a.OnCallOn(calendarDay(t, b.Now())) {
				t.Errorf("after the on-call button the donor is not on call: %+v, %v", a, err)
			}

			// Back from the language choice shows the settings again.
			p.TapIn(m.ID, map[string]string{"vi": "🌐 Change language", "en": "🌐 Đổi ngôn ngữ"}[tc.lang])
			waitEdited(t, b, p, "Choose your language")
			p.TapIn(m.ID, tc.back)
			waitEdited(t, b, p, tc.otherHeader)

			// A later message, still from a phone in tc.lang, is answered
			// in the language chosen.
			p.Send("/settings")
			m = p.Expect(tc.otherHeader, tc.onCallOn)
			p.TapIn(m.ID, tc.unitsButton)
			p.Tap(club.Name)
			b.API.WaitUntil(t, "the club ticked", func() bool {
				for _, msg := range p.Messages() {
					if msg.HasButtonText("✓ " + club.Name) {
						return true
					}
				}
				return false
			})
			p.Tap(tc.done)
			p.Expect(tc.updated)
			m = p.Expect(tc.otherHeader, club.Name)
			// Cancel at the unit question comes back to the settings too.
			p.TapIn(m.ID, tc.unitsButton)
			p.Tap(tc.cancel)
			m = p.Expect(tc.otherHeader, club.Name)
			p.TapIn(m.ID, tc.close)
			b.API.WaitUntil(t, "settings closed", func() bool {
				msg, ok := b.API.Message(id, m.ID)
				return ok && len(msg.InlineKeyboard) == 0
			})
		})
	}
}

// TestSettingsForgedButtons: settings buttons an old or tampered client
// sends (an unknown language, action or value; "rcl" other than off) are
// answered as stale and change nothing; before a profile they change
// nothing either.
func TestSettingsForgedButtons(t *testing.T) {
	b := bottest.Start(t)
	id := testenv.TelegramID()
	seed(t, b, donorSpec{id: id, group: profile.BloodOPos})
	p := b.Phone(id, "vi")
	p.Send("/settings")
	m := p.Expect("⚙️ Cài đặt của bạn")
	for _, data := range []string{"set:v1:setlang:fr", "set:v1:bogus:on", "rcl:v1:on"} {
		p.TapStale(m.ID, data)
	}
	stranger := b.NewPhone("vi")
	stranger.TapStale(1, "set:v1:recall:off")
	stranger.TapStale(1, "rcl:v1:off")
	p.Settle()
	var lang string
	var recall bool
	if err := b.Store.DB().QueryRow(`SELECT language, recall FROM donors WHERE telegram_id = $1`, id).Scan(&lang, &recall); err != nil {
		t.Fatal(err)
	}
	if lang != "vi" || !recall {
		t.Errorf("forged buttons changed the settings: language %q, recall %t", lang, recall)
	}
}

// TestSettingsWhereYouLive: where the donor lives (which urgent needs reach
// them first) is set from the settings too, and the settings show it.
func TestSettingsWhereYouLive(t *testing.T) {
	b := bottest.Start(t)
	for _, tc := range []struct{ lang, button, ask, askWard, shown string }{
		{"vi", "📍 Nơi ở", "Bạn đang sống ở tỉnh/thành phố nào?", "Bạn ở phường/xã nào?", "📍 Nơi ở: phường Hoàn Kiếm, Hà Nội"},
		{"en", "📍 Where you live", "Which province or city do you live in?", "Which ward or commune?", "📍 Where you live: phường Hoàn Kiếm, Hà Nội"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodOPos})
			if err := b.Store.SetDonorLanguage(context.Background(), id, tc.lang); err != nil {
				t.Fatal(err)
			}
			p := b.Phone(id, tc.lang)
			p.Send("/settings")
			p.Tap(tc.button)
			p.Expect(tc.ask)
			p.Tap("Hà Nội")
			p.Expect(tc.askWard)
			p.Send("phường Hoàn Kiếm")
			p.Expect(tc.shown)
			prov, ward, err := b.Store.DonorPlace(context.Background(), id)
			if err != nil || prov != "hn" || ward != "phường Hoàn Kiếm" {
				t.Fatalf("stored %q %q, %v", prov, ward, err)
			}
		})
	}
}
