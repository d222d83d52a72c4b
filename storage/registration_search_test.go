package storage_test

import (
	"context"
	"slices"
	"testing"

	"donorbot/regsearch"
	"donorbot/storage"
)

// searchPeople registers a drive's people, each with a name, a phone and
// the status they end in; slot is 0 or 1 (two slots of three seats).
var searchPeople = []struct {
	name, phone, status string
	slot                int
}{
	{"Nguyễn Thị Lan", "+84901234567", "arrived", 0},
	{"Nguyễn Văn Đức", "+84912000111", "registered", 0},
	{"Trần Thị Lành", "+84387000222", "registered", 0},
	{"Lê Đình Dũng", "+84388000333", "waitlisted", 0},
	{"Phạm Lan Anh", "+84389000444", "donated", 1},
	{"Đặng Thu Hà", "+84390000555", "deferred", 1},
	{"Võ Minh Tâm", "+84391000666", "cancelled", 1},
	{"Hồ Thanh Bình", "+84392000777", "no_show", 1},
}

// TestSearchRegistrations: a drive's registrations are found by a name
// typed without accents, in any case and order, by a phone in any form,
// filtered by the statuses organizers see and by slot, a page at a time
// with the total; another drive's donors are never found.
func TestSearchRegistrations(t *testing.T) {
	ctx := context.Background()
	s := openPool(t)
	d, slots := publishedDrive(t, s, tomorrow(), 2, 3)
	ids := newDonors(t, s, len(searchPeople)+1)
	regIDs := map[int64]string{}
	for i, p := range searchPeople {
		if err := s.SetDonorName(ctx, ids[i], p.name); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDonorPhone(ctx, ids[i], p.phone); err != nil {
			t.Fatal(err)
		}
		reg := registerAll(t, s, ids[i:i+1], slots[p.slot].ID)[0]
		regIDs[reg.ID] = p.name
		switch p.status {
		case "arrived", "donated", "deferred":
			if err := s.CheckIn(ctx, d.ID, reg.ID, 1, testNow); err != nil {
				t.Fatal(err)
			}
		}
		var err error
		switch p.status {
		case "donated":
			_, err = s.RecordDonation(ctx, storage.DonationInput{RegistrationID: reg.ID, On: testNow, Kind: "whole_blood", VolumeML: 350, Source: "drive"})
		case "deferred":
			_, err = s.RecordOnSiteDeferral(ctx, reg.ID, "Hb", testNow.AddDate(0, 1, 0))
		case "cancelled":
			_, err = s.Cancel(ctx, ids[i], reg.ID, testNow)
		case "no_show":
			_, err = s.DB().Exec(`UPDATE registrations SET status = 'no_show' WHERE id = $1`, reg.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Her namesake at another drive.
	other, otherSlots := publishedDrive(t, s, tomorrow(), 1, 3)
	namesake := ids[len(searchPeople)]
	if err := s.SetDonorName(ctx, namesake, "Nguyễn Thị Lan"); err != nil {
		t.Fatal(err)
	}
	registerAll(t, s, []int64{namesake}, otherSlots[0].ID)

	names := func(hits []storage.RegistrationHit) []string {
		out := []string{}
		for _, h := range hits {
			out = append(out, h.FullName.String)
		}
		return out
	}
	search := func(in storage.RegistrationSearch) ([]string, int) {
		t.Helper()
		if in.Page == 0 {
			in.Page, in.Per = 1, 50
		}
		hits, total, err := s.SearchRegistrations(ctx, d.ID, in)
		if err != nil {
			t.Fatalf("SearchRegistrations(%+v): %v", in, err)
		}
		for _, h := range hits {
			if regIDs[h.ID] != h.FullName.String {
				t.Errorf("hit %d is %q, registered as %q", h.ID, h.FullName.String, regIDs[h.ID])
			}
		}
		return names(hits), total
	}
	lan := []string{"Nguyễn Thị Lan"}
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"nguyen thi lan", lan},
		{"Nguyen Thi LAN", lan},
		{"NGUYỄN THỊ LAN", lan},
		{"lan nguyen", lan},
		{"ngu th la", lan},
		{"lan", []string{"Nguyễn Thị Lan", "Trần Thị Lành", "Phạm Lan Anh"}},
		{"duc", []string{"Nguyễn Văn Đức"}},
		{"đức", []string{"Nguyễn Văn Đức"}},
		{"dang thu ha", []string{"Đặng Thu Hà"}},
		{"0901234567", lan},
		{"0901 234 567", lan},
		{"0901-234-567", lan},
		{"+84 901 234 567", lan},
		{"+84901234567", lan},
		{"84901234567", lan},
		{"901 234 567", lan},
		{"4567", lan},
		{"lan 4567", lan},
		{"lan 0222", []string{"Trần Thị Lành"}},
		{"minh tam", []string{"Võ Minh Tâm"}},
		{"nguyen thi lan x", []string{}},
		{"0999999999", []string{}},
		{"%", names(nil)}, // a wildcard is no word: everyone
	} {
		got, total := search(storage.RegistrationSearch{Query: regsearch.Parse(tt.q)})
		if tt.q == "%" {
			if total != len(searchPeople) {
				t.Errorf("%q: %d found, want all %d", tt.q, total, len(searchPeople))
			}
			continue
		}
		if !slices.Equal(got, tt.want) || total != len(tt.want) {
			t.Errorf("%q: %q (total %d), want %q", tt.q, got, total, tt.want)
		}
	}

	for _, p := range searchPeople {
		got, total := search(storage.RegistrationSearch{Status: p.status})
		want := []string{p.name}
		if p.status == "registered" {
			want = []string{"Nguyễn Văn Đức", "Trần Thị Lành"}
		}
		if !slices.Equal(got, want) || total != len(want) {
			t.Errorf("status %s: %q (total %d), want %q", p.status, got, total, want)
		}
	}
	if got, _ := search(storage.RegistrationSearch{Status: "registered", Query: regsearch.Parse("lan")}); !slices.Equal(got, []string{"Trần Thị Lành"}) {
		t.Errorf("registered named lan: %q", got)
	}
	slot1 := []string{"Đặng Thu Hà", "Hồ Thanh Bình", "Phạm Lan Anh", "Võ Minh Tâm"}
	if got, total := search(storage.RegistrationSearch{SlotID: slots[1].ID}); !slices.Equal(got, slot1) || total != 4 {
		t.Errorf("slot 2: %q (total %d), want %q in this order", got, total, slot1)
	}
	if got, total := search(storage.RegistrationSearch{SlotID: otherSlots[0].ID}); len(got) != 0 || total != 0 {
		t.Errorf("another drive's slot: %q (total %d)", got, total)
	}

	// Pages: the slot's order, then the name's, three at a time.
	var paged []string
	for page := 1; page <= 4; page++ {
		got, total := search(storage.RegistrationSearch{Page: page, Per: 3})
		if total != len(searchPeople) {
			t.Errorf("page %d: total %d, want %d", page, total, len(searchPeople))
		}
		if want := min(3, max(0, len(searchPeople)-(page-1)*3)); len(got) != want {
			t.Errorf("page %d: %d rows, want %d", page, len(got), want)
		}
		paged = append(paged, got...)
	}
	want := []string{"Lê Đình Dũng", "Nguyễn Thị Lan", "Nguyễn Văn Đức", "Trần Thị Lành"}
	want = append(want, slot1...)
	if !slices.Equal(paged, want) {
		t.Errorf("pages: %q, want %q", paged, want)
	}

	for _, bad := range []storage.RegistrationSearch{{Page: 1, Per: 101}, {Page: 0, Per: 10}, {Page: 1, Per: 10, Status: "confirmed"}} {
		if _, _, err := s.SearchRegistrations(ctx, d.ID, bad); err == nil {
			t.Errorf("SearchRegistrations(%+v) = no error", bad)
		}
	}

	// The check-in desk: the same search, cancelled registrations aside.
	found, err := s.SearchArrivals(ctx, d.ID, regsearch.Parse("nguyen thi lan"), 10)
	if err != nil || len(found) != 1 || found[0].FullName.String != "Nguyễn Thị Lan" || found[0].DriveID != d.ID {
		t.Errorf("SearchArrivals(nguyen thi lan) = %+v, %v", found, err)
	}
	if found, err := s.SearchArrivals(ctx, d.ID, regsearch.Parse("minh tam"), 10); err != nil || len(found) != 0 {
		t.Errorf("SearchArrivals finds a cancelled registration: %+v, %v", found, err)
	}
	if found, err := s.SearchArrivals(ctx, other.ID, regsearch.Parse("nguyen thi lan"), 10); err != nil || len(found) != 1 || found[0].TelegramID != namesake {
		t.Errorf("SearchArrivals at the other drive = %+v, %v", found, err)
	}
}
