package main

import (
	"context"
	"math"
	"testing"

	"donorbot/mobilize"
	"donorbot/mobsim"
	"donorbot/storage"
)

// loadForTest loads a population of n donors (seed 11) into a fresh
// database, with or without the previous campaign.
func loadForTest(t *testing.T, n int, history bool) (*storage.Store, *mobsim.Population, []int64) {
	t.Helper()
	ctx := context.Background()
	o := testOptions(t, n, strategyAll)
	db, err := createDatabase(ctx, o.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.drop(); err != nil {
			t.Error(err)
		}
	})
	store, err := storage.Open(ctx, db.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pop := mobsim.New(o.params, o.seed, firstDay)
	units, err := loadPopulation(ctx, store, pop, firstDay, history)
	if err != nil {
		t.Fatal(err)
	}
	return store, pop, units
}

// TestHistoryShowRate: with the previous campaign loaded, the bot's
// show-and-donate history of a unit (storage.ShowHistory, what the
// forecast learns from) is what the donors' own chances make it, within
// the sampling error; its donations are those of the donors' histories.
func TestHistoryShowRate(t *testing.T) {
	ctx := context.Background()
	store, pop, units := loadForTest(t, 50_000, true)
	for u, unitID := range units[:2] {
		h, err := store.ShowHistory(ctx, unitID, firstDay)
		if err != nil {
			t.Fatal(err)
		}
		var registered int
		var chance float64
		for _, d := range pop.Donors {
			if d.Unit == u {
				registered += len(d.Past)
				for range d.Past {
					chance += d.ShowAndDonate()
				}
			}
		}
		model := chance / float64(registered)
		got := float64(h.Donated) / float64(h.Registered)
		// Unit 1 of 50,000 donors registers about 860 times: the rate's
		// standard error is about 1.4 points.
		t.Logf("unit %d: %d drives, %d registered, %d donated: %.3f; the model's chance %.3f over %d registrations",
			u+1, h.Drives, h.Registered, h.Donated, got, model, registered)
		if h.Drives != len(pop.Params.PastDrivesAgo) || h.Registered != registered || math.Abs(got-model) > 0.05 {
			t.Errorf("unit %d: ShowHistory %+v (rate %.3f), want %d drives, %d registered, rate near %.3f",
				u+1, h, got, len(pop.Params.PastDrivesAgo), registered, model)
		}
	}
	// Every donation of the past drives is one of the donors' history,
	// and each donor's latest stored donation is the model's last.
	var linked int
	if err := store.DB().GetContext(ctx, &linked, `SELECT count(*) FROM donations n
		JOIN registrations r ON r.id = n.registration_id JOIN drives d ON d.id = r.drive_id
		WHERE r.status = 'attended' AND n.donated_on = (d.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`); err != nil {
		t.Fatal(err)
	}
	attended := 0
	for _, d := range pop.Donors {
		for _, v := range d.Past {
			if v.Outcome == mobsim.Attended {
				attended++
			}
		}
	}
	if linked != attended || attended == 0 {
		t.Errorf("%d donations linked to an attended registration on the drive's day, the model has %d", linked, attended)
	}
	var rows []struct {
		TelegramID int64  `db:"telegram_id"`
		Last       string `db:"last"`
		N          int    `db:"n"`
	}
	if err := store.DB().SelectContext(ctx, &rows, `SELECT dn.telegram_id, max(n.donated_on)::text AS last,
		count(*) AS n FROM donations n JOIN donors dn ON dn.id = n.donor_id GROUP BY dn.telegram_id`); err != nil {
		t.Fatal(err)
	}
	donors := 0
	for _, r := range rows {
		d := pop.Donors[donorIndex(r.TelegramID)]
		if r.Last != d.LastDonation.Format("2006-01-02") || r.N != d.Donations {
			t.Fatalf("donor %d: stored %d donations, the last %s; the model %d, the last %v", d.Index, r.N, r.Last,
				d.Donations, d.LastDonation)
		}
	}
	for _, d := range pop.Donors {
		if d.Donations > 0 {
			donors++
		}
	}
	if donors != len(rows) {
		t.Errorf("%d donors have donations stored, the model %d", len(rows), donors)
	}
}

// TestColdStart: without history the bot has no past drive to learn from,
// on the same population.
func TestColdStart(t *testing.T) {
	store, _, units := loadForTest(t, 2_000, false)
	h, err := store.ShowHistory(context.Background(), units[0], firstDay)
	if err != nil {
		t.Fatal(err)
	}
	if h != (mobilize.History{}) {
		t.Errorf("cold start: ShowHistory %+v, want none", h)
	}
}
