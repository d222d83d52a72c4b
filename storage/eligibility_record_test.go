package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
)

// TestEligibilityRecordReadsInOne: the one-statement record holds what the
// three reads it replaces return: the latest donation (by date, then id),
// the deferrals open on the day (permanent, of unknown end, ending after
// it; not the one ended), in the order recorded with their source, and the
// latest screening's answer about the last donation. A donor without
// records, or without a row, has an empty record.
func TestEligibilityRecordReadsInOne(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	club, err := s.CreateUnit(ctx, "club", "CLB record "+unique(), "rec"+unique())
	if err != nil {
		t.Fatal(err)
	}
	ids := testenv.TelegramIDs(3)
	donor, blank, nobody := ids[0], ids[1], ids[2]
	member(t, s, donor, club.ID, profile.BloodONeg)
	member(t, s, blank, club.ID, profile.BloodONeg)
	day := time.Date(2030, time.May, 16, 0, 0, 0, 0, time.UTC)
	for _, d := range []struct {
		on   time.Time
		kind string
	}{{day.AddDate(0, -5, 0), "whole_blood"}, {day.AddDate(0, -2, 0), "platelets"}, {day.AddDate(-1, 0, 0), "whole_blood"}} {
		if err := s.AddDonation(ctx, donor, d.on, d.kind, 350, "self_report", 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct {
		code      string
		until     time.Time
		permanent bool
		source    string
	}{
		{"tattoo", day.AddDate(0, 3, 0), false, "screening"},
		{"ended", day, false, "screening"},
		{"unknown_end", time.Time{}, false, "on_site"},
		{"hiv", time.Time{}, true, "on_site"},
	} {
		if err := s.AddDeferral(ctx, donor, f.code, f.until, f.permanent, f.source); err != nil {
			t.Fatal(err)
		}
	}
	_, slots := publishedDrive(t, s, tomorrow(), 1, 10)
	for _, answers := range []string{
		`[{"Question":"donated_before","Yes":false}]`,
		`[{"Question":"donated_before","Yes":true,"When":"2030-05-06T00:00:00Z","Exact":true,"Kind":"whole_blood"}]`,
		`[{"Question":"ill_now","Yes":false}]`,
	} {
		r := registerAll(t, s, []int64{donor}, slots[0].ID)[0]
		if _, err := s.SetScreening(ctx, r.ID, []byte(answers), 450, drive.RegConfirmed, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, donor, r.ID, testNow); err != nil {
			t.Fatal(err)
		}
	}

	got, err := s.EligibilityRecord(ctx, donor, day)
	if err != nil {
		t.Fatal(err)
	}
	last, err := s.LastDonation(ctx, donor)
	if err != nil {
		t.Fatal(err)
	}
	if got.Last == nil || !got.Last.On.Equal(last.On) || got.Last.Kind != last.Kind || got.Last.Kind != "platelets" {
		t.Fatalf("last donation %+v, want %+v (platelets)", got.Last, last)
	}
	open, err := s.OpenDeferrals(ctx, donor, day)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Deferrals, open) || len(open) != 3 {
		t.Fatalf("deferrals %+v, want %+v (3: tattoo, unknown_end, hiv)", got.Deferrals, open)
	}
	answered, err := s.LastDonationAnswers(ctx, []int64{donor})
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := answered[donor]; got.Answered == nil || !ok || !reflect.DeepEqual(*got.Answered, a) || !a.Yes {
		t.Fatalf("answer %+v, want %+v", got.Answered, a)
	}

	for _, id := range []int64{blank, nobody} {
		rec, err := s.EligibilityRecord(ctx, id, day)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Last != nil || len(rec.Deferrals) != 0 || rec.Answered != nil {
			t.Fatalf("donor %d without records: %+v", id, rec)
		}
	}
}
