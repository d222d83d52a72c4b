package storage_test

import (
	"context"
	"testing"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestRegisterCreditsRecallInItsInsert: the slot tap credits the new
// registration to the recall that offered its drive in the insert itself:
// BEGIN, the slot lock and the insert, where the tap took a fourth
// statement to link the recall. A donor no recall offered the drive is
// not credited.
func TestRegisterCreditsRecallInItsInsert(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	ids := newDonors(t, s, 2)
	recalledDonor, other := ids[0], ids[1]
	d, slots := publishedDrive(t, s, tomorrow(), 1, 10)
	day := testNow.Truncate(24 * 60 * 60 * 1e9)
	if ok, err := s.Recall(ctx, recalledDonor, day, day, []int64{d.ID}, testNow.Add(-1e9*3600), 0,
		storage.ScheduledMessage{ChatID: recalledDonor, Text: "recall"}); err != nil || !ok {
		t.Fatalf("recall: %t, %v", ok, err)
	}
	for _, c := range []struct {
		donor int64
		want  bool
	}{{recalledDonor, true}, {other, false}} {
		registerInWork(t, s, c.donor, slots[0].ID, c.want)
	}
}

// registerInWork registers the donor in a unit of work rolled back after,
// counting the statements, and checks the recall credit.
func registerInWork(t *testing.T, s *storage.Store, donor, slotID int64, want bool) {
	t.Helper()
	wctx, w, err := s.BeginWork(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	var reg drive.Registration
	var recalled bool
	if n := statementsIn(t, s, func() {
		if reg, recalled, err = s.RegisterCrediting(wctx, donor, slotID, testNow); err != nil {
			t.Fatal(err)
		}
	}); n != 3 {
		t.Errorf("register crediting a recall: %d statements, want 3 (BEGIN, slot lock, insert)", n)
	}
	stored, err := s.RegistrationRecalled(wctx, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if recalled != want || stored != want {
		t.Errorf("donor recalled %t: credited %t, stored %t", want, recalled, stored)
	}
}
