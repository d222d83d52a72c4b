package handlers_test

import (
	"context"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// TestCheckinShowsTheDonorsStatus: the desk sees each arrival's
// eligibility on the drive's day, as /eligibility computes it. A donor who
// gave whole blood 30 days before the drive (recorded after registering)
// is flagged with the day they may donate again, 84 days after (TT26
// Điều 6); another donor is shown as able to donate. In both languages.
func TestCheckinShowsTheDonorsStatus(t *testing.T) {
	for _, tc := range []struct {
		lang, ok, from string
	}{
		{"vi", "Theo hồ sơ trên bot: có thể hiến hôm nay", "chưa nên hiến hôm nay, có thể hiến lại từ "},
		{"en", "From the bot's records: may donate today", "should not donate today; may donate again from "},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ids := testenv.TelegramIDs(3)
			orgID, readyID, recentID := ids[0], ids[1], ids[2]
			b := bottest.Start(t, bottest.Admins(orgID))
			ctx := context.Background()
			d, slots := publishedDrive(t, b, "Ngày hội Hồ sơ "+tc.lang, 48*time.Hour, 5)
			seedDonor(t, b, seededDonor{id: readyID, name: "Ngô Thị Hoa", phone: "+84912000731"})
			seedDonor(t, b, seededDonor{id: recentID, name: "Trịnh Văn Nam", phone: "+84912000732"})
			for _, id := range []int64{readyID, recentID} {
				registerScreened(t, b, id, slots[0].ID, `[{"Question":"ill","Yes":false}]`, 450)
			}
			driveDay := calendarDay(t, d.Start)
			gave := driveDay.AddDate(0, 0, -30)
			if err := b.Store.AddDonation(ctx, recentID, gave, "whole_blood", 350, "self_report", 0); err != nil {
				t.Fatal(err)
			}
			if err := b.Store.SetDonorLanguage(ctx, orgID, tc.lang); err != nil {
				t.Logf("organizer has no donor record: %v", err) // the language then comes from Telegram
			}
			b.Clock.Advance(48*time.Hour + 5*time.Minute) // the desk is open
			org := b.Phone(orgID, tc.lang)
			org.Send("/checkin " + d.Code)
			org.Expect(d.Title)
			org.Send("0912 000 731")
			org.Expect("Ngô Thị Hoa", tc.ok)
			org.Send("0912 000 732")
			org.Expect("Trịnh Văn Nam", tc.from+shownDate(t, tc.lang, gave.AddDate(0, 0, 84)))
		})
	}
}
