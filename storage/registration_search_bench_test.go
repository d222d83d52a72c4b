package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/regseed"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/regsearch"
	"donorbot/storage"
)

// BenchmarkSearchRegistrations100k: the console's and the desk's search
// with 100,000 registrations stored, one page of 50 with its total; the
// issue asks for 100 ms. Two layouts: the 100,000 spread over 20 drives of
// 5,000 (the large drive), the search in one of them; and all
// 100,000 in one drive, far more than any drive holds, the worst case.
// Figures and the plans: BENCHMARKS.md.
func BenchmarkSearchRegistrations100k(b *testing.B) {
	s := storage.New(testenv.DB(b))
	seeded := time.Now()
	spread := seedSearchDrive(b, s, 5_000)
	for range 19 {
		seedSearchDrive(b, s, 5_000)
	}
	b.Logf("seeded 20 drives of 5,000 in %v", time.Since(seeded).Round(time.Millisecond))
	benchSearch(b, s, "drive-5k", spread)
	seeded = time.Now()
	one := seedSearchDrive(b, s, 100_000)
	b.Logf("seeded a drive of 100,000 in %v", time.Since(seeded).Round(time.Millisecond))
	benchSearch(b, s, "drive-100k", one)
}

type searchDrive struct {
	id, firstDonor int64
	slots          []int64
	n              int
}

func seedSearchDrive(b *testing.B, s *storage.Store, n int) searchDrive {
	b.Helper()
	ctx := context.Background()
	start := time.Date(2030, time.June, 20, 0, 0, 0, 0, time.UTC)
	d, slots, err := s.CreateDrive(ctx, drive.DraftInput{Title: "Bench search", Start: start, End: start.Add(10 * time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 1000, TargetUnits: 10000}, 1)
	if err != nil {
		b.Fatal(err)
	}
	sd := searchDrive{id: d.ID, firstDonor: testenv.TelegramIDs(n)[0], n: n}
	for _, sl := range slots {
		sd.slots = append(sd.slots, sl.ID)
	}
	if err := regseed.Seed(ctx, s.DB(), d.ID, sd.slots, sd.firstDonor, n); err != nil {
		b.Fatal(err)
	}
	return sd
}

func benchSearch(b *testing.B, s *storage.Store, name string, d searchDrive) {
	ctx := context.Background()
	phone := profile.LocalPhone(regseed.Phone(d.firstDonor + int64(d.n)/3))
	for _, bc := range []struct {
		name string
		in   storage.RegistrationSearch
	}{
		{"name", storage.RegistrationSearch{Query: regsearch.Parse("nguyen thi lan")}},
		{"prefix", storage.RegistrationSearch{Query: regsearch.Parse("lan")}},
		{"phone", storage.RegistrationSearch{Query: regsearch.Parse(phone)}},
		{"digits", storage.RegistrationSearch{Query: regsearch.Parse("4567")}},
		{"all", storage.RegistrationSearch{}},
		{"arrived", storage.RegistrationSearch{Status: "arrived"}},
		{"slot+name", storage.RegistrationSearch{SlotID: d.slots[3], Query: regsearch.Parse("nguyen")}},
		{"last-page", storage.RegistrationSearch{Page: d.n / 50}},
	} {
		b.Run(fmt.Sprintf("%s/%s", name, bc.name), func(b *testing.B) {
			in := bc.in
			if in.Page == 0 {
				in.Page = 1
			}
			in.Per = 50
			var total int
			for b.Loop() {
				var err error
				if _, total, err = s.SearchRegistrations(ctx, d.id, in); err != nil {
					b.Fatal(err)
				}
			}
			if total == 0 {
				b.Fatalf("%+v found nothing", bc.in)
			}
			b.ReportMetric(float64(total), "matches")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/op")
		})
	}
}
