package storage_test

import (
	"context"
	"errors"
	"testing"

	"donorbot/storage"
)

// A refused registration inside a unit of work (runs without a savepoint)
// leaves the unit usable: the turn that tells the donor "already
// registered" still commits what else it did. A closed drive is named as
// closed even to a donor already registered in it.
func TestRegisterRefusedInWork(t *testing.T) {
	s := openPool(t)
	ctx := context.Background()
	d, slots := publishedDrive(t, s, tomorrow(), 2, 10)
	donor := newDonors(t, s, 1)[0]
	if _, err := s.Register(ctx, donor, slots[0].ID, testNow); err != nil {
		t.Fatal(err)
	}
	updateID, _ := workUpdate(t, s)
	t.Cleanup(func() { _, _ = s.DB().Exec(`DELETE FROM updates WHERE update_id = $1`, updateID) })
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if _, err := s.Register(wctx, donor, slots[1].ID, testNow); !errors.Is(err, storage.ErrAlreadyRegistered) {
		t.Fatalf("second registration in the drive: %v, want ErrAlreadyRegistered", err)
	}
	if err := w.Call(donor, "sendMessage", map[string]any{"text": "already"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, updateID); err != nil {
		t.Fatalf("commit after a refused registration: %v", err)
	}
	if !handled(t, s, updateID) {
		t.Fatal("the update is not handled")
	}
	if _, err := s.CloseDrive(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, donor, slots[1].ID, testNow); !errors.Is(err, storage.ErrDriveNotOpen) {
		t.Fatalf("registration in a closed drive: %v, want ErrDriveNotOpen", err)
	}
}
