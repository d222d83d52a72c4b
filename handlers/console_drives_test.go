package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

type driveSummary struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Title      string `json:"title"`
	Day        string `json:"day"`
	Date       string `json:"date"`
	Time       string `json:"time"`
	Status     string `json:"status"`
	StatusText string `json:"status_text"`
	Seats      int    `json:"seats"`
	SeatsLeft  int    `json:"seats_left"`
	Registered int    `json:"registered"`
	Target     int    `json:"target"`
	Arrived    int    `json:"arrived"`
	Donated    int    `json:"donated"`
	CampaignID int64  `json:"campaign_id"`
	Campaign   string `json:"campaign"`
	Wave       string `json:"wave"`
	UnitID     int64  `json:"unit_id"`
	Unit       string `json:"unit"`
}

type drivesList struct {
	Drives  []driveSummary
	Filters struct {
		Campaigns []storage.Named
		Waves     []string
		Units     []storage.Named
	}
	Total int
}

func listDrives(t *testing.T, c *bottest.Console, query string) drivesList {
	t.Helper()
	res := c.Get("/drives" + query)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /drives%s: %d %s", query, res.Status, res.Body)
	}
	var l drivesList
	res.Decode(t, &l)
	return l
}

func titles(l drivesList) []string {
	var out []string
	for _, d := range l.Drives {
		out = append(out, d.Title)
	}
	return out
}

// TestConsoleMyDrives: the console lists the drives an organizer manages
// and no other — another unit's drive is neither listed nor opened (404) —
// filtered by campaign, wave, unit and upcoming/past, with the counts a
// plain COUNT finds; a drive's home shows its slots and seats taken.
func TestConsoleMyDrives(t *testing.T) {
	ids := testenv.TelegramIDs(3)
	adminID, orgA, orgB := ids[0], ids[1], ids[2]
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	s := b.Store
	unitA, unitB := newUnit(t, b, "Công an phường Bảng"), newUnit(t, b, "Nhà máy Bảng")
	grant(t, b, orgA, storage.RoleOrganizer, unitA.ID)
	grant(t, b, orgB, storage.RoleOrganizer, unitB.ID)
	camp, err := s.CreateCampaign(ctx, "Hành trình đỏ "+strconv.FormatInt(adminID, 10), adminID)
	if err != nil {
		t.Fatal(err)
	}
	now := b.Now()
	a1 := unitDrive(t, b, "Ngày hội A1", now.Add(48*time.Hour), unitA.ID, adminID, camp.ID)
	unitDrive(t, b, "Ngày hội A2", now.Add(-7*24*time.Hour), unitA.ID, adminID, 0)
	a3 := unitDrive(t, b, "Ngày hội A3", now.Add(time.Hour), unitA.ID, orgA, 0)
	b1 := unitDrive(t, b, "Ngày hội B1", now.Add(48*time.Hour), unitB.ID, adminID, camp.ID)
	if _, err := s.DB().Exec(`UPDATE drives SET wave = 'Đợt 7' WHERE id = $1`, a1.ID); err != nil {
		t.Fatal(err)
	}
	slots, err := s.DriveSlots(ctx, a1.ID)
	if err != nil {
		t.Fatal(err)
	}
	donors := testenv.TelegramIDs(5)
	for i, id := range donors {
		seedDonor(t, b, seededDonor{id: id, name: fmt.Sprintf("Người hiến %d", i), phone: fmt.Sprintf("+8491200050%d", i)})
		slot := slots[0].ID
		if i == 4 {
			slot = slots[1].ID
		}
		reg := registerScreened(t, b, id, slot, `[]`, 350)
		if i < 2 {
			if err := s.CheckIn(ctx, a1.ID, reg.ID, adminID, now); err != nil {
				t.Fatal(err)
			}
		}
		if i == 0 {
			if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: reg.ID, On: now,
				Kind: "whole_blood", VolumeML: 350, Source: "drive", RecordedBy: adminID}); err != nil {
				t.Fatal(err)
			}
		}
	}

	org := b.Console(orgA, "vi")
	all := listDrives(t, org, "")
	if got, want := titles(all), []string{"Ngày hội A3", "Ngày hội A1", "Ngày hội A2"}; !slices.Equal(got, want) {
		t.Fatalf("organizer of A lists %q, want %q", got, want)
	}
	if all.Total != 3 || len(all.Filters.Units) != 1 || all.Filters.Units[0].ID != unitA.ID ||
		!slices.Equal(all.Filters.Waves, []string{"Đợt 1", "Đợt 7"}) ||
		len(all.Filters.Campaigns) != 1 || all.Filters.Campaigns[0].ID != camp.ID {
		t.Errorf("filters %+v, total %d", all.Filters, all.Total)
	}

	// Counts against a plain COUNT over the tables.
	got := all.Drives[1]
	var want driveSummary
	db := s.DB()
	for _, c := range []struct {
		dst *int
		q   string
	}{
		{&want.Registered, `SELECT count(*) FROM registrations WHERE drive_id = $1 AND status NOT IN ('cancelled', 'waitlisted')`},
		{&want.Arrived, `SELECT count(*) FROM registrations WHERE drive_id = $1 AND checked_in_at IS NOT NULL`},
		{&want.Donated, `SELECT count(*) FROM donations n JOIN registrations r ON r.id = n.registration_id WHERE r.drive_id = $1`},
		{&want.Seats, `SELECT sum(capacity) FROM drive_slots WHERE drive_id = $1`},
		{&want.SeatsLeft, `SELECT sum(greatest(capacity - (SELECT count(*) FROM registrations r
			WHERE r.slot_id = sl.id AND r.status = 'confirmed'), 0)) FROM drive_slots sl WHERE drive_id = $1`},
	} {
		if err := db.Get(c.dst, c.q, a1.ID); err != nil {
			t.Fatal(err)
		}
	}
	if want.Registered < 4 || want.Arrived != 2 || want.Donated != 1 {
		t.Fatalf("seeded %+v", want)
	}
	if got.ID != a1.ID || got.Registered != want.Registered || got.Arrived != want.Arrived || got.Donated != want.Donated ||
		got.Seats != want.Seats || got.SeatsLeft != want.SeatsLeft || got.Target != 40 {
		t.Errorf("A1 counts %+v, want %+v", got, want)
	}
	if got.Code != a1.Code || got.Date != a1.Start.In(now.Location()).Format(time.DateOnly) || got.Time != "10:00–11:00" ||
		got.Day != "Thứ Bảy, 18/05/2030" || got.Status != "upcoming" || got.StatusText != "Sắp diễn ra" ||
		got.Campaign != camp.Name || got.CampaignID != camp.ID || got.Wave != "Đợt 7" || got.UnitID != unitA.ID || got.Unit != unitA.Name {
		t.Errorf("A1 summary %+v", got)
	}
	if all.Drives[0].Status != "today" || all.Drives[2].Status != "over" {
		t.Errorf("statuses %q %q", all.Drives[0].Status, all.Drives[2].Status)
	}

	for q, want := range map[string][]string{
		"?campaign=" + itoa(camp.ID):        {"Ngày hội A1"},
		"?wave=" + url.QueryEscape("Đợt 7"): {"Ngày hội A1"},
		"?unit=" + itoa(unitA.ID):           {"Ngày hội A3", "Ngày hội A1", "Ngày hội A2"},
		"?unit=" + itoa(unitB.ID):           nil,
		"?status=past":                      {"Ngày hội A2"},
		"?status=upcoming":                  {"Ngày hội A3", "Ngày hội A1"},
		"?status=all&per=1&page=2":          {"Ngày hội A1"},
	} {
		if got := titles(listDrives(t, org, q)); !slices.Equal(got, want) {
			t.Errorf("GET /drives%s lists %q, want %q", q, got, want)
		}
	}
	admin := b.Console(adminID, "en")
	if got := titles(listDrives(t, admin, "?campaign="+itoa(camp.ID))); !slices.Equal(got, []string{"Ngày hội A1", "Ngày hội B1"}) {
		t.Errorf("admin's campaign lists %q", got)
	}
	for _, q := range []string{"?status=soon", "?campaign=abc", "?unit=-1", "?per=0", "?page=x"} {
		if res := org.Get("/drives" + q); res.Status != http.StatusBadRequest || res.Error() != "bad_input" {
			t.Errorf("GET /drives%s: %d %s", q, res.Status, res.Body)
		}
	}

	// Another unit's drive cannot be opened, whichever way round.
	for _, c := range []struct {
		who   *bottest.Console
		drive int64
	}{{org, b1.ID}, {b.Console(orgB, "vi"), a1.ID}, {org, 999999999}} {
		if res := c.who.Get("/drives/" + itoa(c.drive)); res.Status != http.StatusNotFound || res.Error() != "not_found" {
			t.Errorf("GET /drives/%d by %d: %d %s", c.drive, c.who.User.ID, res.Status, res.Body)
		}
	}
	if got := titles(listDrives(t, b.Console(orgB, "vi"), "")); !slices.Equal(got, []string{"Ngày hội B1"}) {
		t.Errorf("organizer of B lists %q", got)
	}

	var home struct {
		driveSummary
		Slots []struct {
			ID       int64
			Label    string
			Capacity int
			Taken    int
		}
		CheckinOpen bool `json:"checkin_open"`
		CanEdit     bool `json:"can_edit"`
	}
	res := b.Console(orgA, "en").Get("/drives/" + itoa(a1.ID))
	if res.Status != http.StatusOK {
		t.Fatalf("GET /drives/%d: %d %s", a1.ID, res.Status, res.Body)
	}
	res.Decode(t, &home)
	if home.ID != a1.ID || home.Registered != want.Registered || home.StatusText != "Upcoming" || home.Day != "Sat 18 May 2030" ||
		home.CheckinOpen || !home.CanEdit || len(home.Slots) != 2 ||
		home.Slots[0].Label != "10:00–10:30" || home.Slots[0].Capacity != 3 ||
		home.Slots[0].Taken+home.Slots[1].Taken != want.Registered || home.Slots[1].Taken != 1 {
		t.Errorf("A1's home %+v", home)
	}
	res = org.Get("/drives/" + itoa(a3.ID))
	res.Decode(t, &home)
	if res.Status != http.StatusOK || !home.CheckinOpen || home.Status != "today" {
		t.Errorf("A3's home (today): %d %+v", res.Status, home)
	}
}
