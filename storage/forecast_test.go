package storage_test

import (
	"context"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/mobilize"
	"donorbot/storage"
)

// unitDrive creates and publishes a drive for the unit (0: every donor)
// starting at start, registers the donors, and records a donation for the
// first donated of them; the next cancelled cancel their registration.
func unitDrive(t *testing.T, s *storage.Store, unitID int64, start time.Time, donors []int64, donated, cancelled int) (drive.Drive, []drive.Slot) {
	t.Helper()
	return unitDriveAt(t, s, unitID, start, testNow, donors, donated, cancelled)
}

// unitDriveAt is unitDrive run on a clock standing at now.
func unitDriveAt(t *testing.T, s *storage.Store, unitID int64, start, testNow time.Time, donors []int64, donated, cancelled int) (drive.Drive, []drive.Slot) {
	t.Helper()
	ctx := context.Background()
	in := draft(start, 2, 50)
	in.AudienceUnitID = unitID
	d, sl, err := s.CreateDrive(ctx, in, 4242)
	if err != nil {
		t.Fatalf("CreateDrive: %v", err)
	}
	if d, err = s.PublishDrive(ctx, d.ID, testNow); err != nil {
		t.Fatalf("PublishDrive: %v", err)
	}
	regs := make([]drive.Registration, len(donors))
	for i, id := range donors {
		if regs[i], err = s.Register(ctx, id, sl[0].ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range regs[:donated] {
		if err := s.CheckIn(ctx, d.ID, r.ID, 1, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: r.ID, On: start,
			Kind: "whole_blood", VolumeML: 350, Source: "drive"}); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range regs[donated : donated+cancelled] {
		if _, err := s.Cancel(ctx, donors[donated+i], r.ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	return d, sl
}

// TestShowHistoryCountsFinishedDrivesOfTheUnit: the rate of a unit is a
// hand count over its drives that ended before the clock's now; a drive
// still to come, a cancelled one and another unit's do not count, and the
// forecast of the next drive follows its registrations.
func TestShowHistoryCountsFinishedDrivesOfTheUnit(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	newUnit := func() int64 {
		u, err := s.CreateUnit(ctx, "club", "CLB dự báo "+unique(), "fc"+unique())
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	unit, other := newUnit(), newUnit()
	donors := newDonors(t, s, 10)
	day := func(n int) time.Time { return tomorrow().Add(time.Duration(n) * 24 * time.Hour) }

	// Finished by now = day(3): 6 registered (1 cancelled apart), 4 donated;
	// then 3 registered, 1 donated.
	first, _ := unitDrive(t, s, unit, day(0), donors[:7], 4, 1)
	unitDrive(t, s, unit, day(1), donors[:3], 1, 0)
	// Not counted: cancelled, of another unit, ending after now.
	cancelled, _ := unitDrive(t, s, unit, day(2), donors[:5], 0, 0)
	if _, err := s.CancelDrive(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	unitDrive(t, s, other, day(1), donors[:5], 0, 0)
	next, nextSlots := unitDrive(t, s, unit, day(4), donors[:8], 0, 0)
	now := day(3)

	got, err := s.ShowHistory(ctx, unit, now)
	if err != nil {
		t.Fatal(err)
	}
	want := mobilize.History{Drives: 2, Registered: 6 + 3, Donated: 4 + 1}
	if got != want {
		t.Fatalf("ShowHistory = %+v, want %+v", got, want)
	}
	if got, err := s.ShowHistory(ctx, newUnit(), now); err != nil || got != (mobilize.History{}) {
		t.Fatalf("ShowHistory of a unit without drives = %+v, %v; want nothing", got, err)
	}

	f, err := s.DriveForecast(ctx, next.ID, unit, now)
	if err != nil {
		t.Fatal(err)
	}
	// (5 + 0.95 × 30) ÷ (9 + 30) = 33.5 ÷ 39; 8 registered expect 6.87 → 7 of 250.
	if f.Registered != 8 || f.Target != 250 || f.Expected != 7 || f.Gap != 243 || f.BasedOnDrives != 2 {
		t.Fatalf("DriveForecast = %+v, want 8 registered, 7 expected, gap 243 over 2 drives", f)
	}
	// A finished drive is forecast from the drives before it, not itself.
	if f, err := s.DriveForecast(ctx, first.ID, unit, now); err != nil || f.BasedOnDrives != 0 || f.Rate != mobilize.DefaultRate {
		t.Fatalf("DriveForecast of the first drive = %+v, %v; want the default rate, from no drive", f, err)
	}
	regs := registerAll(t, s, donors[8:], nextSlots[0].ID)
	if f, err = s.DriveForecast(ctx, next.ID, unit, now); err != nil || f.Registered != 10 || f.Expected != 9 {
		t.Fatalf("after %d more registrations DriveForecast = %+v, %v; want 10 registered, 9 expected", len(regs), f, err)
	}
}

// TestShowHistoryOfDrivesForEveryDonor: drives open to every donor (unit 0)
// have a history of their own, apart from the units'. They run in 2001,
// before any other test's drive, so the hand count is this test's alone.
func TestShowHistoryOfDrivesForEveryDonor(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	u, err := s.CreateUnit(ctx, "club", "CLB không tính "+unique(), "nc"+unique())
	if err != nil {
		t.Fatal(err)
	}
	donors := newDonors(t, s, 5)
	clock := time.Date(2001, time.March, 1, 3, 0, 0, 0, time.UTC)
	unitDriveAt(t, s, 0, clock.Add(24*time.Hour), clock, donors, 2, 1)
	unitDriveAt(t, s, u.ID, clock.Add(48*time.Hour), clock, donors, 5, 0)
	got, err := s.ShowHistory(ctx, 0, clock.Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := (mobilize.History{Drives: 1, Registered: 4, Donated: 2}); got != want {
		t.Fatalf("ShowHistory of every donor's drives = %+v, want %+v", got, want)
	}
}
