package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"donorbot/demo"
	"donorbot/internal/testenv"
	"donorbot/screening"
	"donorbot/storage"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// emptyStore is the package's database with no data: each test seeds from
// scratch, however often it runs (-count).
func emptyStore(t *testing.T) *storage.Store {
	t.Helper()
	db := testenv.DB(t)
	if _, err := db.Exec(`TRUNCATE donors, units, roles, campaigns, drives, drive_slots, registrations, donations CASCADE`); err != nil {
		t.Fatal(err)
	}
	return storage.New(db)
}

type counts struct {
	Donors, Onboarded, OnCall, Groups, Clubs, Units, Members, Donations, Campaigns, Drives, Waves, Published, Confirmed, Seats int
}

func count(t *testing.T, store *storage.Store) counts {
	t.Helper()
	var c counts
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM donors WHERE telegram_id BETWEEN 920001 AND 920030`:                                        &c.Donors,
		`SELECT count(*) FROM donors WHERE telegram_id BETWEEN 920001 AND 920030 AND onboarded_at IS NOT NULL`:           &c.Onboarded,
		`SELECT count(*) FROM availability WHERE on_call`:                                                                &c.OnCall,
		`SELECT count(DISTINCT blood_group) FROM donors WHERE telegram_id BETWEEN 920001 AND 920030`:                     &c.Groups,
		`SELECT count(*) FROM units WHERE kind = 'club'`:                                                                 &c.Clubs,
		`SELECT count(*) FROM units WHERE kind = 'unit'`:                                                                 &c.Units,
		`SELECT count(*) FROM unit_members`:                                                                              &c.Members,
		`SELECT count(*) FROM donations`:                                                                                 &c.Donations,
		`SELECT count(*) FROM campaigns`:                                                                                 &c.Campaigns,
		`SELECT count(*) FROM drives`:                                                                                    &c.Drives,
		`SELECT count(DISTINCT wave) FROM drives`:                                                                        &c.Waves,
		`SELECT count(*) FROM drives WHERE status = 'published'`:                                                         &c.Published,
		`SELECT count(*) FROM registrations WHERE status = 'confirmed'`:                                                  &c.Confirmed,
		`SELECT coalesce(sum(capacity), 0) FROM drive_slots s JOIN drives d ON d.id = s.drive_id WHERE d.wave = 'Đợt 1'`: &c.Seats,
	} {
		if err := store.DB().Get(dst, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return c
}

// TestSeedLoadsDemoDataOnce: the data the issue asks for, and a second run
// that adds nothing and does not fail.
func TestSeedLoadsDemoDataOnce(t *testing.T) {
	store := emptyStore(t)
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(loc)
	sum, err := demo.Seed(ctx, store, now)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Created || len(sum.Clubs) != 2 || len(sum.Drives) != 2 || sum.Campaign.Name != demo.CampaignName {
		t.Errorf("summary = %+v", sum)
	}
	got := count(t, store)
	want := counts{Donors: 30, Onboarded: 30, OnCall: 20, Groups: 8, Clubs: 2, Units: 1, Members: got.Members, Donations: got.Donations,
		Campaigns: 1, Drives: 2, Waves: 2, Published: 2, Confirmed: 12, Seats: 24}
	if got != want {
		t.Errorf("after the first seed: got %+v, want %+v", got, want)
	}
	if got.Members < 30 || got.Donations < 20 {
		t.Errorf("%d memberships and %d donations, want every donor in a club and most with a history", got.Members, got.Donations)
	}
	// The second wave is the auto-fill demo: on, at its first checkpoint.
	for i, want := range []bool{false, true} {
		a, err := store.AutofillOf(ctx, sum.Drives[i].ID)
		if err != nil || a.On != want || a.Paused {
			t.Errorf("auto-fill of drive %d = %+v, %v; want on %v", i+1, a, err, want)
		}
	}
	y, m, d := now.Date()
	if tenth := time.Date(y, m, d+10, 0, 0, 0, 0, loc); !sameDay(sum.Drives[1].Start.In(loc), tenth) {
		t.Errorf("the auto-fill drive is on %s, want its first checkpoint, 10 days from %s", sum.Drives[1].Start, now)
	}
	last, err := store.LastDonation(ctx, demo.FirstDonorID+1)
	if err != nil || !last.On.Before(now) {
		t.Errorf("last donation of the second demo donor: %+v, %v", last, err)
	}
	var clubProvinces, donorProvinces, hospitalProvinces int
	for q, dst := range map[string]*int{
		`SELECT count(DISTINCT province) FROM units WHERE kind = 'club'`:                                &clubProvinces,
		`SELECT count(DISTINCT province) FROM donors WHERE telegram_id BETWEEN 920001 AND 920030`:       &donorProvinces,
		`SELECT count(DISTINCT province) FROM hospitals WHERE province IN (SELECT province FROM units)`: &hospitalProvinces,
	} {
		if err := store.DB().Get(dst, q); err != nil {
			t.Fatal(err)
		}
	}
	if clubProvinces != 2 || donorProvinces != 2 || hospitalProvinces != 2 {
		t.Errorf("clubs in %d provinces, donors in %d, directory hospitals in %d of theirs; want 2 each",
			clubProvinces, donorProvinces, hospitalProvinces)
	}
	if ok, err := store.HasRole(ctx, demo.FirstDonorID+1, storage.RoleClubAdmin); err != nil || !ok {
		t.Errorf("the second demo donor is not a club admin: %v", err)
	}

	t.Run("SecondRunAddsNothing", func(t *testing.T) {
		again, err := demo.Seed(ctx, store, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if again.Created || again.Campaign.ID != sum.Campaign.ID || len(again.Drives) != 2 || again.Clubs[0].ID != sum.Clubs[0].ID {
			t.Errorf("second summary = %+v, want the same data, nothing created", again)
		}
		if after := count(t, store); after != got {
			t.Errorf("after the second seed: %+v, want unchanged %+v", after, got)
		}
	})
}

// TestSeedRefreshesPastDrives: once the half-full demo drive is over, the
// next run dates the two waves from the new now (cancelling what is left of
// the old ones), so the playground always has an upcoming half-full drive.
func TestSeedRefreshesPastDrives(t *testing.T) {
	store := emptyStore(t)
	ctx := context.Background()
	now := time.Now()
	if _, err := demo.Seed(ctx, store, now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		at    time.Time
		ahead int // published demo drives after at
	}{
		{"FirstWaveOver", now.AddDate(0, 0, 14), 2}, // the old second wave is cancelled, not listed twice
		{"AllOver", now.AddDate(0, 2, 0), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := demo.Seed(ctx, store, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Drives) != 2 || !sum.Drives[0].Start.After(tc.at) {
				t.Fatalf("drives: %+v, want two after %s", sum.Drives, tc.at)
			}
			var ahead, confirmed int
			if err := store.DB().Get(&ahead, `SELECT count(*) FROM drives WHERE status = 'published' AND starts_at > $1`, tc.at); err != nil {
				t.Fatal(err)
			}
			q := `SELECT count(*) FROM registrations WHERE drive_id = $1 AND status = 'confirmed'`
			if err := store.DB().Get(&confirmed, q, sum.Drives[0].ID); err != nil {
				t.Fatal(err)
			}
			if ahead != tc.ahead || confirmed != 12 {
				t.Errorf("%d published drives ahead, %d confirmed in the first; want %d and 12", ahead, confirmed, tc.ahead)
			}
		})
	}
}

// TestSeedHasDonorsEligibleAgainSoon: by the one eligibility rule, some
// demo donors may donate again from today or one of the next days (the
// playground shows them recalled), not all at once.
func TestSeedHasDonorsEligibleAgainSoon(t *testing.T) {
	store := emptyStore(t)
	ctx := context.Background()
	now := time.Now()
	if _, err := demo.Seed(ctx, store, now); err != nil {
		t.Fatal(err)
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	soon := map[int]int{} // days from today -> donors eligible again then
	for id := int64(demo.FirstDonorID); id < demo.FirstDonorID+demo.Donors; id++ {
		last, err := store.LastDonation(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		d := screening.Donor{LastDonation: &screening.Donation{Date: last.On, Kind: screening.DonationKind(last.Kind)}}
		// From the day after the gift: the first day the interval allows.
		from, _ := screening.NextEligible(screening.DefaultConfig(), d, last.On.AddDate(0, 0, 1))
		if days := int(from.Sub(today).Hours() / 24); days >= 0 && days <= 3 {
			soon[days]++
		}
	}
	if soon[0] == 0 || soon[1]+soon[2]+soon[3] < 2 {
		t.Errorf("donors eligible again in 0..3 days: %v, want one today and two in the next days", soon)
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
