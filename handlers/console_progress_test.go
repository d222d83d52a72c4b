package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

type slotFigures struct {
	Label                                  string
	Capacity, Registered, Arrived, Donated int
}

type driveFigures struct {
	Target, Registered, Arrived, Donated, Percent int
	Slots                                         []slotFigures
}

// sameFunnel fails unless the console's registered → arrived → donated
// equal the plain counts.
func sameFunnel(t *testing.T, what string, registered, arrived, donated int, want storage.Progress) {
	t.Helper()
	if registered != want.Registered || arrived != want.CheckedIn || donated != want.Donated {
		t.Errorf("%s: console %d → %d → %d, plain counts %d → %d → %d", what,
			registered, arrived, donated, want.Registered, want.CheckedIn, want.Donated)
	}
}

// checkInAndDonate records a donation at the desk as the chat and the
// console do: check-in, then the result.
func checkInAndDonate(t *testing.T, b *bottest.Bot, reg drive.Registration, by int64, ml int) {
	t.Helper()
	ctx := context.Background()
	if err := b.Store.CheckIn(ctx, reg.DriveID, reg.ID, by, b.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.RecordDonation(ctx, storage.DonationInput{RegistrationID: reg.ID, On: b.Now(),
		Kind: "whole_blood", VolumeML: ml, Source: "drive", RecordedBy: by}); err != nil {
		t.Fatal(err)
	}
}

// TestConsoleDriveProgress: an organizer of the drive's unit opens the
// drive's progress in the console and reads the funnel and every slot as
// plain COUNTs find them after registrations, check-ins and results; a
// donation corrected or also reported by the donor counts once; the figures
// move with the next result; another unit's organizer learns nothing.
func TestConsoleDriveProgress(t *testing.T) {
	adminID, orgID, otherID := testenv.TelegramID(), testenv.TelegramID(), testenv.TelegramID()
	donors := testenv.TelegramIDs(9)
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	s := b.Store
	d, slots := publishedDrive(t, b, "Ngày hội Tiến độ trực tiếp", 48*time.Hour, 3)
	unit, err := s.CreateUnit(ctx, "unit", "Công an phường Trực tiếp", "tructiep7301")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateUnit(ctx, "unit", "Nhà máy Bên cạnh", "bencanh7302")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct{ id, unit int64 }{{orgID, unit.ID}, {otherID, other.ID}} {
		if err := s.GrantRole(ctx, g.id, storage.RoleOrganizer, g.unit, adminID); err != nil {
			t.Fatal(err)
		}
	}
	regs := make([]drive.Registration, len(donors))
	for i, id := range donors {
		seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến trực tiếp %d", i), phone: fmt.Sprintf("+849120004%02d", i)})
		slot := slots[0].ID // 0-3 in slot 1 (3 seats: one waits), 4-8 in slot 2 (two wait)
		if i >= 4 {
			slot = slots[1].ID
		}
		regs[i] = registerScreened(t, b, id, slot, `[]`, 450)
	}
	if _, err := s.DB().Exec(`UPDATE drives SET audience_unit_id = $2 WHERE id = $1`, d.ID, unit.ID); err != nil {
		t.Fatal(err)
	}
	checkInAndDonate(t, b, regs[0], orgID, 350)
	checkInAndDonate(t, b, regs[1], orgID, 450)
	checkInAndDonate(t, b, regs[4], orgID, 250)
	if err := s.CheckIn(ctx, d.ID, regs[5].ID, orgID, b.Now()); err != nil { // arrived, no result yet
		t.Fatal(err)
	}
	if err := s.CheckIn(ctx, d.ID, regs[6].ID, orgID, b.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordOnSiteDeferral(ctx, regs[6].ID, "Huyết áp cao", b.Now().AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cancel(ctx, donors[2], regs[2].ID, b.Now()); err != nil { // donors[3] takes the seat
		t.Fatal(err)
	}
	// A donation corrected at the desk, and one the donor also reported
	// himself, are still one donation each.
	if _, _, err := s.CorrectResult(ctx, storage.Correction{RegistrationID: regs[1].ID,
		New: storage.Result{Donated: true, VolumeML: 350, Kind: "whole_blood"}, On: b.Now(), By: orgID, At: b.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddDonation(ctx, donors[0], b.Now(), "whole_blood", 350, "self_report", 0); err != nil {
		t.Fatal(err)
	}

	want := counted(t, b, `r.drive_id = $1`, d.ID)
	if want.Registered != 6 || want.CheckedIn != 5 || want.Donated != 3 {
		t.Fatalf("independent counts of the drive: %+v", want)
	}
	org := b.Console(orgID, "vi")
	path := fmt.Sprintf("/drives/%d/progress", d.ID)
	var got driveFigures
	res := org.Get(path)
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
	}
	res.Decode(t, &got)
	sameFunnel(t, "drive", got.Registered, got.Arrived, got.Donated, want)
	if got.Target != 100 || got.Percent != 3 {
		t.Errorf("target %d (%d%%), want 100 (3%%)", got.Target, got.Percent)
	}
	if len(got.Slots) != len(slots) {
		t.Fatalf("%d slots, want %d: %s", len(got.Slots), len(slots), res.Body)
	}
	for i, sl := range slots {
		c := counted(t, b, `r.slot_id = $1`, sl.ID)
		g := got.Slots[i]
		label := sl.Start.In(loc(t)).Format("15:04") + "–" + sl.End.In(loc(t)).Format("15:04")
		if g.Label != label || g.Capacity != sl.Capacity {
			t.Errorf("slot %d: %q with %d seats, want %q with %d", i, g.Label, g.Capacity, label, sl.Capacity)
		}
		sameFunnel(t, "slot "+label, g.Registered, g.Arrived, g.Donated, c)
	}

	// Live: the next result shows at the next refresh.
	checkInAndDonate(t, b, regs[3], orgID, 350)
	org.Get(path).Decode(t, &got)
	sameFunnel(t, "drive after one more donation", got.Registered, got.Arrived, got.Donated, counted(t, b, `r.drive_id = $1`, d.ID))
	if got.Donated != 4 {
		t.Errorf("donated %d after the fourth donation", got.Donated)
	}

	if res := b.Console(otherID, "vi").Get(path); res.Status != http.StatusNotFound || res.Error() != "not_found" {
		t.Errorf("another unit's organizer: %d %s", res.Status, res.Body)
	}
	if res := b.Console(adminID, "vi").Get(path); res.Status != http.StatusOK {
		t.Errorf("admin: %d %s", res.Status, res.Body)
	}
}

// campaignDrive creates and publishes a drive of the campaign in wave
// with one slot of 10 seats, days from now, without closing other drives.
func campaignDrive(t *testing.T, b *bottest.Bot, campaignID int64, wave string, target, days int) (drive.Drive, drive.Slot) {
	t.Helper()
	ctx := context.Background()
	start := b.Now().Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Minute)
	d, slots, err := b.Store.CreateDrive(ctx, drive.DraftInput{CampaignID: campaignID, Wave: wave,
		Title: "Hành trình " + wave, Organizer: "Hội Chữ thập đỏ", Hospital: "Viện Huyết học - Truyền máu TW",
		Venue: "25 Phan Đình Phùng, Ba Đình, Hà Nội", Start: start, End: start.Add(time.Hour),
		SlotLength: time.Hour, SlotCapacity: 10, TargetUnits: target}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = b.Store.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	return d, slots[0]
}

type campaignFigures struct {
	ID                           int64
	Name                         string
	Target, Collected, Percent   int
	Registered, Arrived, Donated int
	Waves                        []struct {
		Wave                                                  int
		Label                                                 string
		Drives, Target, Registered, Arrived, Donated, Percent int
	}
	Units []struct {
		Unit                string
		Registered, Donated int
	}
}

// TestConsoleCampaignPercentOfPlan: the seeds' view of a campaign of five
// waves (the third held as two drives, "Đợt 3" and "Wave 3"), whose plan
// is the sum of its drives' targets: 21 units collected against 20 planned
// is 105% of plan, in the console as in the chat's /stats. The organizer of
// one drive's unit sees the whole campaign; another unit's organizer does
// not see it at all.
func TestConsoleCampaignPercentOfPlan(t *testing.T) {
	adminID, orgID, otherID := testenv.TelegramID(), testenv.TelegramID(), testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	s := b.Store
	name := fmt.Sprintf("Hành trình đỏ %d", orgID)
	c, err := s.CreateCampaign(ctx, name, adminID)
	if err != nil {
		t.Fatal(err)
	}
	unit, err := s.CreateUnit(ctx, "unit", "Công an phường Kế hoạch", fmt.Sprintf("kehoach%d", orgID%100000))
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateUnit(ctx, "unit", "Nhà máy Ngoài kế hoạch", fmt.Sprintf("ngoai%d", orgID%100000))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct{ id, unit int64 }{{orgID, unit.ID}, {otherID, other.ID}} {
		if err := s.GrantRole(ctx, g.id, storage.RoleOrganizer, g.unit, adminID); err != nil {
			t.Fatal(err)
		}
	}
	waves := []struct {
		wave              string
		target, donations int
	}{
		{"Đợt 1", 2, 3}, {"Đợt 2", 3, 4}, {"Đợt 3", 2, 2}, {"Wave 3", 2, 3}, {"Đợt 4", 5, 4}, {"Đợt 5", 6, 5},
	}
	driveIDs := map[int][]string{} // wave number → its drives
	var unitDrive int64
	for i, w := range waves {
		d, slot := campaignDrive(t, b, c.ID, w.wave, w.target, 2+i)
		n, _ := drive.WaveNumber(w.wave)
		driveIDs[n] = append(driveIDs[n], itoa(d.ID))
		// One donor more than donations: registered, not yet arrived.
		for j, id := range testenv.TelegramIDs(w.donations + 1) {
			seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến %d-%d", i, j), phone: fmt.Sprintf("+8493%02d%02d%03d", i, j, orgID%1000)})
			if j%2 == 0 {
				if err := s.JoinUnit(ctx, id, unit.ID); err != nil {
					t.Fatal(err)
				}
			}
			reg := registerScreened(t, b, id, slot.ID, `[]`, 450)
			if j < w.donations {
				checkInAndDonate(t, b, reg, adminID, 350)
			}
		}
		if w.wave == "Wave 3" {
			unitDrive = d.ID
		}
	}
	// A cancelled drive is out of the plan.
	cancelled, _ := campaignDrive(t, b, c.ID, "Đợt 5", 50, 9)
	if _, err := s.DB().Exec(`UPDATE drives SET status = 'cancelled' WHERE id = $1`, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE drives SET audience_unit_id = $2 WHERE id = $1`, unitDrive, unit.ID); err != nil {
		t.Fatal(err)
	}

	inCampaign := `r.drive_id IN (SELECT id FROM drives WHERE campaign_id = $1 AND status <> 'cancelled')`
	want := counted(t, b, inCampaign, c.ID)
	var plan int
	if err := s.DB().Get(&plan, `SELECT sum(target_units) FROM drives WHERE campaign_id = $1 AND status <> 'cancelled'`, c.ID); err != nil {
		t.Fatal(err)
	}
	if want.Donated != 21 || plan != 20 {
		t.Fatalf("independent counts: %d donated against %d planned", want.Donated, plan)
	}

	org := b.Console(orgID, "en")
	var list []struct {
		ID                         int64
		Name                       string
		Target, Collected, Percent int
	}
	org.Get("/campaigns").Decode(t, &list)
	found := false
	for _, l := range list {
		if l.ID == c.ID {
			found = true
			if l.Name != name || l.Target != plan || l.Collected != want.Donated || l.Percent != 105 {
				t.Errorf("campaigns list: %+v", l)
			}
		}
	}
	if !found {
		t.Errorf("the campaign of a drive the organizer manages is not listed: %+v", list)
	}

	var got campaignFigures
	res := org.Get(fmt.Sprintf("/campaigns/%d/progress", c.ID))
	if res.Status != http.StatusOK {
		t.Fatalf("campaign progress: %d %s", res.Status, res.Body)
	}
	res.Decode(t, &got)
	if got.Target != plan || got.Collected != want.Donated || got.Percent != 105 {
		t.Errorf("campaign: %d/%d = %d%%, want %d/%d = 105%%", got.Collected, got.Target, got.Percent, want.Donated, plan)
	}
	sameFunnel(t, "campaign", got.Registered, got.Arrived, got.Collected, want)
	if len(got.Waves) != 5 {
		t.Fatalf("%d waves, want 5: %s", len(got.Waves), res.Body)
	}
	for i, w := range got.Waves {
		ids := driveIDs[i+1]
		c := counted(t, b, `r.drive_id = ANY($1::bigint[])`, "{"+strings.Join(ids, ",")+"}")
		var target int
		if err := s.DB().Get(&target, `SELECT sum(target_units) FROM drives WHERE id = ANY($1::bigint[])`, "{"+strings.Join(ids, ",")+"}"); err != nil {
			t.Fatal(err)
		}
		label := fmt.Sprintf("Wave %d", i+1)
		if w.Wave != i+1 || w.Label != label || w.Drives != len(ids) || w.Target != target || w.Percent != c.Donated*100/target {
			t.Errorf("wave %d: %+v, want %q of %d drives, target %d", i+1, w, label, len(ids), target)
		}
		sameFunnel(t, label, w.Registered, w.Arrived, w.Donated, c)
	}
	inUnit := counted(t, b, inCampaign+` AND r.donor_id IN (SELECT donor_id FROM unit_members WHERE unit_id = `+itoa(unit.ID)+`)`, c.ID)
	noUnit := counted(t, b, inCampaign+` AND r.donor_id NOT IN (SELECT donor_id FROM unit_members)`, c.ID)
	units := map[string]int{}
	for _, u := range got.Units {
		units[u.Unit] = u.Donated
	}
	if len(got.Units) != 2 || units[unit.Name] != inUnit.Donated || units["(no unit)"] != noUnit.Donated {
		t.Errorf("units: %+v, want %s %d and (no unit) %d", got.Units, unit.Name, inUnit.Donated, noUnit.Donated)
	}

	// The chat's /stats of the campaign tells the same.
	phone := b.Phone(orgID, "vi")
	phone.Send("/stats " + name)
	expectProgress(t, phone, want, plan, "kế hoạch")

	path := fmt.Sprintf("/campaigns/%d/progress", c.ID)
	if res := b.Console(otherID, "vi").Get(path); res.Status != http.StatusNotFound || res.Error() != "not_found" {
		t.Errorf("another unit's organizer: %d %s", res.Status, res.Body)
	}
	var theirs []struct{ ID int64 }
	b.Console(otherID, "vi").Get("/campaigns").Decode(t, &theirs)
	for _, l := range theirs {
		if l.ID == c.ID {
			t.Errorf("another unit's organizer sees the campaign in the list")
		}
	}
	if res := b.Console(adminID, "vi").Get(path); res.Status != http.StatusOK {
		t.Errorf("admin: %d %s", res.Status, res.Body)
	}
	if res := org.Get("/campaigns/99999999/progress"); res.Status != http.StatusNotFound {
		t.Errorf("unknown campaign: %d %s", res.Status, res.Body)
	}
}
