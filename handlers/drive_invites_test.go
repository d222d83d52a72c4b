package handlers_test

import (
	"testing"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
)

// TestDriveInvitationsSettingAndStop: in /settings a donor sees that they
// take invitations to drives, turns them off and on again with one tap;
// the "No more invitations" button an invitation carries turns them off
// and says announcements of their units still come. A forged "on" under
// an invitation changes nothing.
func TestDriveInvitationsSettingAndStop(t *testing.T) {
	texts := []struct{ lang, on, off, turnOff, turnOn, stopped string }{
		{"vi", "Nhận lời mời hiến máu: bật", "Nhận lời mời hiến máu: tắt", "📭 Không nhận lời mời hiến máu",
			"📨 Nhận lời mời hiến máu", "Bạn sẽ không nhận lời mời hiến máu nữa"},
		{"en", "Invitations to donate: on", "Invitations to donate: off", "📭 No invitations to donate",
			"📨 Get invitations to donate", "You will get no more invitations to donate"},
	}
	for _, tc := range texts {
		t.Run(tc.lang, func(t *testing.T) {
			b := bottest.Start(t)
			id := testenv.TelegramID()
			seed(t, b, donorSpec{id: id, group: profile.BloodBPos})
			if _, err := b.Store.DB().Exec(`UPDATE donors SET language = $2 WHERE telegram_id = $1`, id, tc.lang); err != nil {
				t.Fatal(err)
			}
			invitations := func() bool {
				t.Helper()
				var on bool
				if err := b.Store.DB().QueryRow(`SELECT invitations FROM donors WHERE telegram_id = $1`, id).Scan(&on); err != nil {
					t.Fatal(err)
				}
				return on
			}
			p := b.Phone(id, tc.lang)
			p.Send("/settings")
			m := p.Expect(tc.on)
			p.TapIn(m.ID, tc.turnOff)
			waitEdited(t, b, p, tc.off)
			if invitations() {
				t.Fatal("invitations still on after the settings button")
			}
			p.TapIn(m.ID, tc.turnOn)
			waitEdited(t, b, p, tc.on)
			if !invitations() {
				t.Fatal("invitations still off after the settings button")
			}

			// The button under an invitation, as the invitation sender
			// words it (dinv:v1:off); "on" is no button the bot sends.
			p.TapStale(m.ID, "dinv:v1:on")
			p.Settle()
			if !invitations() {
				t.Fatal("a forged dinv:v1:on changed the setting")
			}
			p.TapStale(m.ID, "dinv:v1:off")
			p.Expect(tc.stopped)
			if invitations() {
				t.Fatal("invitations still on after No more invitations")
			}
			p.Send("/settings")
			p.Expect(tc.off)
		})
	}
}
