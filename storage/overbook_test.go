package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestAddSeats: a slot of 1 seat with 3 donors queued gets 2 seats more:
// the first two of its waitlist are confirmed, in the order they queued,
// and the third keeps waiting; a draft drive takes no seats.
func TestAddSeats(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	donors := newDonors(t, s, 4)
	d, sl, err := s.CreateDrive(ctx, draft(tomorrow(), 2, 1), 4242)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSeats(ctx, d.ID, 1, testNow); !errors.Is(err, storage.ErrDriveNotOpen) {
		t.Errorf("AddSeats on a draft: %v, want ErrDriveNotOpen", err)
	}
	if _, err := s.PublishDrive(ctx, d.ID, testNow); err != nil {
		t.Fatal(err)
	}
	regs := make([]drive.Registration, 4)
	for i, id := range donors {
		if regs[i], err = s.Register(ctx, id, sl[0].ID, testNow.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	promoted, err := s.AddSeats(ctx, d.ID, 2, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(promoted) != 2 || promoted[0].Registration.ID != regs[1].ID || promoted[1].Registration.ID != regs[2].ID ||
		promoted[0].TelegramID != donors[1] {
		t.Fatalf("promoted %+v, want registrations %d and %d", promoted, regs[1].ID, regs[2].ID)
	}
	slots, err := s.DriveSlots(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if slots[0].Capacity != 3 || slots[0].Confirmed != 3 || slots[0].Waitlisted != 1 || slots[1].Capacity != 1 {
		t.Errorf("slots after: %+v", slots)
	}
	if _, err := s.AddSeats(ctx, d.ID, 1, d.End); !errors.Is(err, storage.ErrDriveNotOpen) {
		t.Errorf("AddSeats once every slot started: %v, want ErrDriveNotOpen", err)
	}
}

// TestAddSlot: a slot is appended after the last, of its length and seats,
// and the drive ends with it; one that would end after latest is refused.
func TestAddSlot(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	d, sl, err := s.CreateDrive(ctx, draft(tomorrow(), 2, 7), 4242)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishDrive(ctx, d.ID, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSlot(ctx, d.ID, testNow, d.End.Add(29*time.Minute)); !errors.Is(err, storage.ErrDriveNotOpen) {
		t.Errorf("a slot past latest: %v, want ErrDriveNotOpen", err)
	}
	added, err := s.AddSlot(ctx, d.ID, testNow, d.End.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !added.Start.Equal(sl[1].End) || !added.End.Equal(sl[1].End.Add(30*time.Minute)) || added.Capacity != 7 {
		t.Errorf("added %+v after %+v", added, sl[1])
	}
	got, err := s.Drive(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.End.Equal(added.End) {
		t.Errorf("drive ends %v, want %v", got.End, added.End)
	}
}
