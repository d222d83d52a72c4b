package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestNewDriveCampaignWaveAndShortDate: in /newdrive the campaign is picked
// by a button and then one of its waves (those its drives are in, and the
// next), not typed; a forged wave is refused; "20/12" is taken as the next
// 20 December (issue 20: "'20/12' is refused (year required)", "the wave
// is free text, not the campaign's wave").
func TestNewDriveCampaignWaveAndShortDate(t *testing.T) {
	b := bottest.Start(t) // the clock stands at 16 May 2030
	ctx := context.Background()
	for _, tc := range []struct {
		lang, step, useButtons, stale, noAudience, day string
		waves                                          [3]string
		tooFar                                         string
	}{
		{"vi", "Bước %d/12", "chọn bằng các nút", "Nút này không còn hiệu lực", "Chưa có người hiến máu nào", "20/12/2030",
			[3]string{"Đợt 1", "Đợt 2", "Đợt 3"}, "Đợt 4"},
		{"en", "Step %d/12", "choose with the buttons", "This button is no longer active", "There are no donors", "20 Dec 2030",
			[3]string{"Wave 1", "Wave 2", "Wave 3"}, "Wave 4"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			id := testenv.TelegramID()
			unit, err := b.Store.CreateUnit(ctx, "unit", fmt.Sprintf("Công an phường %d", id), fmt.Sprintf("cap%d", id))
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Store.GrantRole(ctx, id, storage.RoleOrganizer, unit.ID, 0); err != nil {
				t.Fatal(err)
			}
			camp, err := b.Store.CreateCampaign(ctx, fmt.Sprintf("Hành trình đỏ %d", id), id)
			if err != nil {
				t.Fatal(err)
			}
			// The campaign's drives reach wave 2: waves 1 to 3 are offered.
			start := b.Now().AddDate(0, 0, 20)
			if _, _, err := b.Store.CreateDrive(ctx, drive.DraftInput{CampaignID: camp.ID, Wave: "Đợt 2",
				Title: "Đợt trước", Start: start, End: start.Add(time.Hour), SlotLength: time.Hour,
				SlotCapacity: 5, TargetUnits: 5, AudienceUnitID: unit.ID}, id); err != nil {
				t.Fatal(err)
			}
			step := func(n int) string { return fmt.Sprintf(tc.step, n) }
			org := b.Phone(id, tc.lang)
			title := fmt.Sprintf("Ngày hội %d", id)

			org.Send("/newdrive")
			org.Expect(step(1))
			org.Send(title)
			org.Expect(step(2))
			org.Tap(camp.Name)
			ask := org.Expect(step(3), camp.Name)
			for _, w := range tc.waves {
				if !ask.HasButtonText(w) {
					t.Fatalf("wave %q not offered: %v", w, ask.Buttons())
				}
			}
			if ask.HasButtonText(tc.tooFar) {
				t.Fatalf("a wave past the next offered: %v", ask.Buttons())
			}
			org.Send("Đợt 3") // typed where a button is expected
			org.Expect(tc.useButtons)
			org.TapStale(ask.ID, "fl:v1:newdrive:wave:a:9")
			org.Expect(tc.stale)
			org.Tap(tc.waves[2])
			org.Expect(step(4))
			org.Send("Công an phường")
			org.Expect(step(5))
			org.Send("20/12")
			org.Expect(step(6))
			for _, answer := range []string{"07:30-09:30", "30", "10", "Hội trường", "Bệnh viện Bạch Mai", "40"} {
				org.Send(answer)
			}
			org.Expect(step(12))
			org.Tap(unit.Name)
			org.Expect(tc.waves[2]+" — "+title, tc.day)
			org.Tap("📣 " + map[string]string{"vi": "Đăng và thông báo", "en": "Publish and announce"}[tc.lang])
			org.Expect(tc.noAudience)

			var got struct {
				Campaign int64     `db:"campaign_id"`
				Wave     string    `db:"wave"`
				Start    time.Time `db:"starts_at"`
			}
			if err := b.Store.DB().Get(&got, `SELECT campaign_id, wave, starts_at FROM drives WHERE created_by = $1 AND title = $2`,
				id, title); err != nil {
				t.Fatal(err)
			}
			want := time.Date(2030, time.December, 20, 7, 30, 0, 0, loc(t))
			if got.Campaign != camp.ID || got.Wave != "Đợt 3" || !got.Start.Equal(want) {
				t.Errorf("published %+v, want campaign %d, Đợt 3, %s", got, camp.ID, want)
			}
		})
	}
}
