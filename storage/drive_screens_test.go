package storage_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestDriveScreensReadInOneStatement: a drive's card, the slot a donor
// taps, the list of drives and a registration's confirmation each read
// what they show in one statement, and read what Drive, DriveSlots,
// DonorUnits with UpcomingDrives, and Registration with DriveSlots read in
// two.
func TestDriveScreensReadInOneStatement(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	d, slots := publishedDrive(t, s, tomorrow(), 3, 2)
	donors := newDonors(t, s, 4)
	regs := registerAll(t, s, donors[:3], slots[0].ID) // 2 confirmed, 1 waitlisted
	registerAll(t, s, donors[3:], slots[2].ID)

	var (
		got      drive.Drive
		gotSlots []drive.Slot
		err      error
	)
	if n := statementsIn(t, s, func() { got, gotSlots, err = s.DriveWithSlots(ctx, d.ID) }); n != 1 {
		t.Errorf("a drive with its slots: %d statements, want 1", n)
	}
	if err != nil {
		t.Fatal(err)
	}
	wantDrive, err := s.Drive(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantSlots, err := s.DriveSlots(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantDrive) || !reflect.DeepEqual(gotSlots, wantSlots) {
		t.Errorf("DriveWithSlots = %+v, %+v\nwant %+v, %+v", got, gotSlots, wantDrive, wantSlots)
	}
	if gotSlots[0].Confirmed != 2 || gotSlots[0].Waitlisted != 1 || gotSlots[2].Confirmed != 1 {
		t.Errorf("slot counts %+v", gotSlots)
	}
	if _, _, err := s.DriveWithSlots(ctx, -1); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an unknown drive: %v, want ErrNotFound", err)
	}

	var reg storage.MyRegistration
	var seats int
	// During the first slot its seats are no longer offered: 2 + 1 left.
	during := slots[0].Start.Add(time.Minute)
	if n := statementsIn(t, s, func() {
		reg, seats, err = s.RegistrationWithSeats(ctx, donors[0], regs[0].ID, during)
	}); n != 1 {
		t.Errorf("a registration with its drive's seats: %d statements, want 1", n)
	}
	if err != nil {
		t.Fatal(err)
	}
	if want, err := s.Registration(ctx, donors[0], regs[0].ID); err != nil || !reflect.DeepEqual(reg, want) {
		t.Errorf("RegistrationWithSeats = %+v, want %+v (%v)", reg, want, err)
	}
	if seats != 3 {
		t.Errorf("seats left = %d, want 3", seats)
	}
	if _, _, err := s.RegistrationWithSeats(ctx, donors[1], regs[0].ID, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another donor's registration: %v, want ErrNotFound", err)
	}
}

// TestUpcomingDrivesForReadsTheDonorsUnits: the list of drives reads the
// donor's units in its own statement, so a club's drive is listed for its
// members only.
func TestUpcomingDrivesForReadsTheDonorsUnits(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	unit, err := s.CreateUnit(ctx, "club", "CLB Giọt hồng "+drive.NewCode(), drive.NewCode())
	if err != nil {
		t.Fatal(err)
	}
	in := draft(tomorrow().Add(2*time.Hour), 1, 10)
	in.AudienceUnitID = unit.ID
	club, _, err := s.CreateDrive(ctx, in, 4242)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishDrive(ctx, club.ID, testNow); err != nil {
		t.Fatal(err)
	}
	open, _ := publishedDrive(t, s, tomorrow(), 1, 10)
	donors := newDonors(t, s, 2)
	member, outsider := donors[0], donors[1]
	if err := s.JoinUnit(ctx, member, unit.ID); err != nil {
		t.Fatal(err)
	}
	listed := func(donor int64) map[int64]bool {
		t.Helper()
		var list []storage.DriveListing
		if n := statementsIn(t, s, func() { list, err = s.UpcomingDrivesFor(ctx, testNow, donor, 0, 10000) }); n != 1 {
			t.Errorf("drives for a donor: %d statements, want 1", n)
		}
		if err != nil {
			t.Fatal(err)
		}
		ids := map[int64]bool{}
		for _, l := range list {
			ids[l.Drive.ID] = true
		}
		return ids
	}
	if ids := listed(member); !ids[club.ID] || !ids[open.ID] {
		t.Errorf("a member's drives %v, want the club's %d and the open %d", ids, club.ID, open.ID)
	}
	if ids := listed(outsider); ids[club.ID] || !ids[open.ID] {
		t.Errorf("an outsider's drives %v, want the open %d and not the club's %d", ids, open.ID, club.ID)
	}
	if ids := listed(testenv.TelegramID()); ids[club.ID] || !ids[open.ID] {
		t.Errorf("an unknown user's drives %v, want the open %d only", ids, open.ID)
	}
}

// TestDriveWithSlotsSendsTheDriveOnce: a drive's card comes back as one
// row, its slots as arrays, whatever its number of slots. A row per slot
// sent the drive's columns once per slot, and turning them into text was
// most of what the statement cost.
func TestDriveWithSlotsSendsTheDriveOnce(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	d, slots := publishedDrive(t, s, tomorrow(), 4, 2)
	var err error
	if n := rowsIn(t, s, func() { _, slots, err = s.DriveWithSlots(ctx, d.ID) }); n != 1 {
		t.Errorf("a drive of 4 slots: %d rows, want 1", n)
	}
	if err != nil || len(slots) != 4 {
		t.Fatalf("DriveWithSlots: %d slots, %v; want 4", len(slots), err)
	}
}

// rowsIn counts the rows the statements this database ran during fn
// returned or changed, as pg_stat_statements sees them.
func rowsIn(t *testing.T, s *storage.Store, fn func()) int64 {
	t.Helper()
	return statsDuring(t, s, fn, "sum(rows)")[0]
}
