// Package demo loads demonstration data for trying donorbot out (`donorbot
// seed`, and the playground at its start): clubs and a unit, thirty
// onboarded donors of every blood group with donation histories, and a
// campaign in two waves whose first drive is half full. The clubs act in
// two provinces (TP.HCM and Hà Nội), as do most of their donors, so an
// urgent need at a directory hospital (migration 00019 seeds it) shows
// local-first matching.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"donorbot/drive"
	"donorbot/profile"
	"donorbot/storage"
)

// Demo donors have Telegram ids FirstDonorID .. FirstDonorID+Donors-1, far
// from real ids' usual range in a playground and from the playground users.
const (
	FirstDonorID = 920001
	Donors       = 30
	// CampaignName identifies the demo campaign: seeding is skipped for
	// the drives once it has them.
	CampaignName = "Hành trình Đỏ 2026 (demo)"
	// ConsentVersion is what the demo donors (and the playground's
	// returning donor) agreed to; it is the version onboarding records
	// (handlers' consentVersion).
	ConsentVersion = "2026-12"
	// organizerID is recorded as the creator of the demo campaign and drives.
	organizerID = 910004
)

// Summary tells what the demo data holds after Seed.
type Summary struct {
	Clubs    []storage.Unit // kind club, the first is the playground club admin's
	Unit     storage.Unit   // kind unit
	Campaign drive.Campaign
	Drives   []drive.Drive // wave 1 (half full), then wave 2
	Created  bool          // false when everything was there already
}

// Names follow the two levels of local government in force since 1 July
// 2025, province and ward or commune: the districts (Quận 1) and the wards
// merged then (Bến Nghé, now part of Phường Sài Gòn) are gone.
var units = []struct{ kind, name, code, province string }{
	{"club", "CLB Ngân hàng máu sống Phường Sài Gòn", "demo-club-sg", "hcm"},
	{"club", "CLB Hiến máu Bách Khoa", "demo-club-bk", "hn"},
	{"unit", "Đoàn Thanh niên Phường Sài Gòn", "demo-unit-sg", "hcm"},
}

// clubWards are a ward of each club's province for its donors who say
// where they live (phường Sài Gòn took in Bến Nghé on 1 July 2025).
var clubWards = []string{"phường Sài Gòn", "phường Hoàn Kiếm"}

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"}
	givenNames  = []string{"Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Gia Huy", "Ngọc Lan", "Đức Minh", "Thanh Tâm", "Hải Yến"}
	groups      = []profile.BloodGroup{profile.BloodOPos, profile.BloodAPos, profile.BloodBPos, profile.BloodABPos,
		profile.BloodONeg, profile.BloodANeg, profile.BloodBNeg, profile.BloodABNeg}
)

// Seed loads the demo data into store, relative to now. It is idempotent:
// what exists (by unit name, donor id, campaign name, upcoming drives) is
// kept, so running it twice neither duplicates nor fails. Once the demo
// drives have started, the next run adds the two waves again at new dates.
func Seed(ctx context.Context, store *storage.Store, now time.Time) (Summary, error) {
	var sum Summary
	for _, u := range units {
		unit, created, err := ensureUnit(ctx, store, u.kind, u.name, u.code)
		if err != nil {
			return sum, err
		}
		sum.Created = sum.Created || created
		if err := store.SetUnitProvince(ctx, unit.ID, u.province); err != nil {
			return sum, fmt.Errorf("demo: %w", err)
		}
		if u.kind == "club" {
			sum.Clubs = append(sum.Clubs, unit)
		} else {
			sum.Unit = unit
		}
	}
	for i := range Donors {
		created, err := ensureDonor(ctx, store, i, now, sum)
		if err != nil {
			return sum, err
		}
		sum.Created = sum.Created || created
	}
	// The second donor of the first club runs it in the data (the
	// playground adds its own club admin).
	if err := store.GrantRole(ctx, FirstDonorID+1, storage.RoleClubAdmin, sum.Clubs[0].ID, 0); err != nil {
		return sum, err
	}
	if err := ensureVenues(ctx, store); err != nil {
		return sum, err
	}
	created, err := ensureCampaign(ctx, store, now, &sum)
	if err != nil {
		return sum, err
	}
	sum.Created = sum.Created || created
	return sum, nil
}

// SeedDatabase opens the database at databaseURL, migrates it and loads the
// demo data; then, unless nil, runs with the open store (the playground
// grants its people their roles there).
func SeedDatabase(ctx context.Context, databaseURL string, now time.Time, then func(*storage.Store, Summary) error) (Summary, error) {
	store, err := storage.Open(ctx, databaseURL)
	if err != nil {
		return Summary{}, err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return Summary{}, err
	}
	sum, err := Seed(ctx, store, now)
	if err != nil || then == nil {
		return sum, err
	}
	return sum, then(store, sum)
}

func ensureUnit(ctx context.Context, store *storage.Store, kind, name, code string) (storage.Unit, bool, error) {
	u, err := store.CreateUnit(ctx, kind, name, code)
	if err == nil {
		return u, true, nil
	}
	if !errors.Is(err, storage.ErrDuplicate) {
		return u, false, fmt.Errorf("demo: %w", err)
	}
	for offset := 0; ; offset += 100 {
		page, err := store.Units(ctx, offset, 100)
		if err != nil {
			return u, false, fmt.Errorf("demo: %w", err)
		}
		for _, u := range page {
			if u.Name == name {
				return u, false, nil
			}
		}
		if len(page) < 100 {
			return u, false, fmt.Errorf("demo: unit %q: invite code %s is taken by another unit", name, code)
		}
	}
}

// ensureDonor creates demo donor i, onboarded, in a club or unit, with a
// history: some gave recently (not eligible yet), some long ago.
func ensureDonor(ctx context.Context, store *storage.Store, i int, now time.Time, sum Summary) (bool, error) {
	id := int64(FirstDonorID + i)
	if _, err := store.Donor(ctx, id); err == nil {
		return false, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return false, fmt.Errorf("demo: %w", err)
	}
	lang := "vi"
	if i%6 == 5 {
		lang = "en"
	}
	if _, err := store.CreateDonor(ctx, id, id, lang, ConsentVersion); err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	sex := profile.SexFemale
	if i%2 == 0 {
		sex = profile.SexMale
	}
	name := familyNames[i%len(familyNames)] + " " + givenNames[(i*3)%len(givenNames)]
	birth := time.Date(1975+i%28, time.Month(1+i%12), 1+i%27, 0, 0, 0, 0, time.UTC)
	steps := []func() error{
		func() error { return store.SetDonorName(ctx, id, name) },
		func() error { return store.SetDonorPhone(ctx, id, fmt.Sprintf("+8490%07d", 1000000+i)) },
		func() error { return store.SetDonorSex(ctx, id, sex) },
		func() error { return store.SetDonorBirthDate(ctx, id, birth) },
		func() error { return store.SetDonorWeight(ctx, id, float64(48+i%35)) },
		func() error { return store.SetDonorBloodGroup(ctx, id, groups[i%len(groups)]) },
		func() error { return store.CompleteOnboarding(ctx, id) },
		func() error { return store.JoinUnit(ctx, id, sum.Clubs[i%3%2].ID) },
	}
	if i%3 == 2 {
		steps = append(steps, func() error { return store.JoinUnit(ctx, id, sum.Unit.ID) })
	}
	// Most donors live where their club acts; each seventh did not say.
	if club := i % 3 % 2; i%7 != 3 {
		steps = append(steps,
			func() error { return store.SetDonorProvince(ctx, id, units[club].province) },
			func() error { return store.SetDonorWard(ctx, id, clubWards[club]) })
	}
	// Two donors in three are on call, so an urgent need raised in the
	// playground reaches somebody; the rest show that off-call members are
	// left alone.
	if i%3 != 1 {
		steps = append(steps, func() error { return store.SetOnCall(ctx, id, true, time.Time{}) })
	}
	// Histories: every donor but each fifth has given; the last gift is
	// between 3 weeks and 14 months ago, so some are eligible again, and
	// three become eligible again today or in the next two days.
	for n := range i % 4 {
		if i%5 == 4 {
			break
		}
		on := now.AddDate(0, 0, -21-i*13-n*120)
		if n == 0 && i%10 == 7 {
			// Whole blood 84, 83 and 82 days ago: eligible again today,
			// tomorrow and the day after, so the playground shows recalls.
			on = now.AddDate(0, 0, -84+i/10)
		}
		kind, ml := "whole_blood", []int{250, 350, 450}[(i+n)%3]
		steps = append(steps, func() error { return store.AddDonation(ctx, id, on, kind, ml, "self_report", 0) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return false, fmt.Errorf("demo: donor %d: %w", id, err)
		}
	}
	return true, nil
}
