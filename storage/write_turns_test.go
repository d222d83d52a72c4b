package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/screening"
	"donorbot/storage"
)

// TestRegisterCreditsRecallInItsInsert: the slot tap credits the new
// registration to the recall that offered its drive in the insert itself:
// BEGIN and the statement that locks the slot and inserts. A donor no recall offered the drive is
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
// counting the statements, and checks the recall credit. The check's read
// counts the function's SELECT, whose portal closes at the next statement,
// and is not counted itself.
func registerInWork(t *testing.T, s *storage.Store, donor, slotID int64, want bool) {
	t.Helper()
	wctx, w, err := s.BeginWork(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	var reg drive.Registration
	var recalled bool
	var stored bool
	if n := statementsIn(t, s, func() {
		if reg, recalled, err = s.RegisterCrediting(wctx, donor, slotID, testNow); err != nil {
			t.Fatal(err)
		}
		if stored, err = s.RegistrationRecalled(wctx, reg.ID); err != nil {
			t.Fatal(err)
		}
	}); n != 2 {
		t.Errorf("register crediting a recall, and a read: %d statements, want 2 (BEGIN, register_in_slot)", n)
	}
	if recalled != want || stored != want {
		t.Errorf("donor recalled %t: credited %t, stored %t", want, recalled, stored)
	}
}

// TestSlotTapKeepsTheEligibilityRecord: the slot tap reads its sender with
// their eligibility record, registers, then judges the screening's first
// question on that record: registering writes nothing the record reads,
// so it is not read again. A later write (a deferral) still makes the
// next judgement read it afresh.
func TestSlotTapKeepsTheEligibilityRecord(t *testing.T) {
	s := storage.New(testenv.DB(t))
	donor := newDonors(t, s, 1)[0]
	_, slots := publishedDrive(t, s, tomorrow(), 1, 10)
	day := calendar(testNow)
	wctx, w, err := s.BeginWork(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if _, err := s.DonorWithRecord(wctx, donor, day); err != nil {
		t.Fatal(err)
	}
	var reg drive.Registration
	// A read in a transaction is counted at its next statement: the one
	// after the record's makes a read of the record counted.
	if n := statementsIn(t, s, func() {
		if reg, err = s.Register(wctx, donor, slots[0].ID, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EligibilityRecord(wctx, donor, day); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RegistrationRecalled(wctx, reg.ID); err != nil {
			t.Fatal(err)
		}
	}); n != 2 {
		t.Errorf("register, the record, a read: %d statements, want 2 (BEGIN, register_in_slot)", n)
	}
	if err := s.AddDeferral(wctx, donor, "flu", day.AddDate(0, 0, 14), false, "screening"); err != nil {
		t.Fatal(err)
	}
	after, err := s.EligibilityRecord(wctx, donor, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Deferrals) != 1 || after.Deferrals[0].Code != "flu" {
		t.Errorf("record after a deferral = %+v, want the flu", after.Deferrals)
	}
}

// TestCancelTurnReadsTheRegistrationOnce: the donor's cancel turn locks
// the registration's slot, then the registration, reading what the turn
// shows, cancels it counting the calendar update and promotes the first
// of the waitlist, all in one statement (four before), then reads whom it
// promoted: three statements with BEGIN, two without a promotion. The
// turn shows the registration as it was. A place never sent a calendar
// file has none to update. (The read after the cancel counts the cancel's
// last SELECT, and is not counted itself.)
func TestCancelTurnReadsTheRegistrationOnce(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donors := newDonors(t, s, 2)
	d, slots := publishedDrive(t, s, tomorrow(), 1, 1)
	regs := registerAll(t, s, donors, slots[0].ID)
	seated, waiting := regs[0], regs[1]
	if _, err := s.NextCalendarSequence(ctx, seated.ID); err != nil {
		t.Fatal(err)
	}
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	var c storage.Cancellation
	if n := statementsIn(t, s, func() {
		if c, err = s.CancelMine(wctx, donors[0], seated.ID, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RegistrationRecalled(wctx, seated.ID); err != nil {
			t.Fatal(err)
		}
	}); n != 3 {
		t.Errorf("cancel turn: %d statements, want 3 (BEGIN, cancel_registration, promoted)", n)
	}
	if c.Registration.Drive.Title != d.Title || c.Registration.Slot.ID != slots[0].ID ||
		c.Registration.Registration.Status != drive.RegConfirmed {
		t.Errorf("cancelled registration = %+v, want the confirmed seat in %q", c.Registration, d.Title)
	}
	if !c.Calendar || c.Sequence != 1 {
		t.Errorf("calendar update: %t, sequence %d; want the one after the file sent (1)", c.Calendar, c.Sequence)
	}
	if c.Promoted == nil || c.Promoted.Registration.ID != waiting.ID {
		t.Errorf("promoted %+v, want registration %d", c.Promoted, waiting.ID)
	}
	if _, err := s.CancelMine(wctx, donors[0], seated.ID, testNow); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("cancelling again: %v, want ErrNotLive", err)
	}
	if _, err := s.CancelMine(wctx, donors[0], waiting.ID, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("cancelling another donor's registration: %v, want ErrNotFound", err)
	}
	c, err = s.CancelMine(wctx, donors[1], waiting.ID, testNow)
	if err != nil || c.Calendar {
		t.Errorf("cancelling a place never sent a calendar: calendar %t, %v", c.Calendar, err)
	}
}

// TestScreenedSeatCountsItsCalendarInTheUpdate: the screening that keeps
// a donor's confirmed seat records the calendar file it sends in its own
// update, and takes no slot lock, since it changes no seat count: BEGIN
// and the update, where the turn locked the slot and the registration
// first. The first file is SEQUENCE 0, a later one replaces it. A
// cancelled registration is not live, an unknown one not found.
func TestScreenedSeatCountsItsCalendarInTheUpdate(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donor := newDonors(t, s, 1)[0]
	_, slots := publishedDrive(t, s, tomorrow(), 1, 1)
	reg := registerAll(t, s, []int64{donor}, slots[0].ID)[0]
	answers := []byte(`[{"Question":"q","Value":"no"}]`)
	for want := range 2 {
		wctx, w, err := s.BeginWork(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var seq int
		if n := statementsIn(t, s, func() {
			if seq, err = s.SetScreeningConfirmed(wctx, reg.ID, answers, 350, testNow); err != nil {
				t.Fatal(err)
			}
		}); n != 2 {
			t.Errorf("screening a confirmed seat: %d statements, want 2 (BEGIN, update)", n)
		}
		if seq != want {
			t.Errorf("calendar sequence %d, want %d", seq, want)
		}
		if _, err := w.Commit(wctx, testenv.TelegramID()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Cancel(ctx, donor, reg.ID, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetScreeningConfirmed(ctx, reg.ID, answers, 350, testNow); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("screening a cancelled registration: %v, want ErrNotLive", err)
	}
	if _, err := s.SetScreening(ctx, reg.ID+1000000, answers, 350, drive.RegWaitlisted, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("screening an unknown registration: %v, want ErrNotFound", err)
	}
}

// TestScreeningKeepingPlaceInOneStatement: the screening turn of a donor
// who keeps their seat stores the registration's answers, the calendar
// file's SEQUENCE, the donor's answers and the end of their screening
// deferrals in one statement after BEGIN, where it took an UPDATE of the
// registration and then the answers' statement. A registration cancelled
// meanwhile keeps nothing of the screening (ErrNotLive).
func TestScreeningKeepingPlaceInOneStatement(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donor := newDonors(t, s, 1)[0]
	_, slots := publishedDrive(t, s, tomorrow(), 1, 1)
	reg := registerAll(t, s, []int64{donor}, slots[0].ID)[0]
	day := calendar(testNow)
	if err := s.AddDeferral(ctx, donor, "flu", day.AddDate(0, 0, 14), false, "screening"); err != nil {
		t.Fatal(err)
	}
	answers := []storage.ScreeningAnswer{{Answer: screening.Answer{Question: screening.QWithin14Days}}}
	raw := []byte(`[{"Question":"d14","Yes":false}]`)
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DonorWithRecord(wctx, donor, day); err != nil {
		t.Fatal(err)
	}
	var seq int
	// The read after it counts the statement's SELECT, and is not counted.
	if n := statementsIn(t, s, func() {
		if seq, err = s.SaveScreeningKeepingPlace(wctx, donor, reg.ID, answers, raw, 350, true, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RegistrationRecalled(wctx, reg.ID); err != nil {
			t.Fatal(err)
		}
	}); n != 2 {
		t.Errorf("screening that keeps the seat: %d statements, want 2 (BEGIN, the screening)", n)
	}
	if seq != 0 {
		t.Errorf("calendar sequence %d, want 0 (the first file)", seq)
	}
	if _, err := w.Commit(wctx, testenv.TelegramID()); err != nil {
		t.Fatal(err)
	}
	stored, err := s.ScreeningAnswers(ctx, donor, reg.ID)
	if err != nil || string(stored) == "" {
		t.Errorf("registration's answers = %s, %v", stored, err)
	}
	latest, err := s.LatestScreening(ctx, donor)
	if err != nil || len(latest) != 1 || latest[0].Question != screening.QWithin14Days {
		t.Errorf("donor's answers = %+v, %v; want the one given", latest, err)
	}
	record, err := s.EligibilityRecord(ctx, donor, day)
	if err != nil || len(record.Deferrals) != 0 {
		t.Errorf("deferrals = %+v, %v; want the screening's lifted", record.Deferrals, err)
	}

	if _, err := s.Cancel(ctx, donor, reg.ID, testNow); err != nil {
		t.Fatal(err)
	}
	again := []storage.ScreeningAnswer{{Answer: screening.Answer{Question: screening.QWithin14Days, Yes: true}}}
	if _, err := s.SaveScreeningKeepingPlace(ctx, donor, reg.ID, again, raw, 350, true, testNow.Add(time.Hour)); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("screening a cancelled registration: %v, want ErrNotLive", err)
	}
	if latest, err := s.LatestScreening(ctx, donor); err != nil || len(latest) != 1 || latest[0].Yes {
		t.Errorf("donor's answers after the refused screening = %+v, %v; want the first", latest, err)
	}
}
