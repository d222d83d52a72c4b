package storage_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/screening"
	"donorbot/storage"
)

// TestDonorWithRecordSavesTheEligibilityRead: a turn reads its sender with
// their eligibility record in one statement, and judging eligibility
// before the turn writes reads nothing more. Once the unit has written, the
// record is read again and holds the write; another day or donor is read.
func TestDonorWithRecordSavesTheEligibilityRead(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donors := newDonors(t, s, 2)
	donor, other := donors[0], donors[1]
	day := calendar(testNow)
	if err := s.AddDeferral(ctx, donor, "tattoo", day.AddDate(0, 3, 0), false, "screening"); err != nil {
		t.Fatal(err)
	}
	want, err := s.EligibilityRecord(ctx, donor, day)
	if err != nil {
		t.Fatal(err)
	}
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	var got storage.EligibilityRecord
	if n := statementsIn(t, s, func() {
		d, err := s.DonorWithRecord(wctx, donor, day)
		if err != nil || d.TelegramID != donor {
			t.Fatalf("DonorWithRecord = %+v, %v", d, err)
		}
		if got, err = s.EligibilityRecord(wctx, donor, day); err != nil {
			t.Fatal(err)
		}
	}); n != 1 {
		t.Errorf("the donor, then their eligibility record: %d statements, want 1", n)
	}
	if !reflect.DeepEqual(got, want) || len(got.Deferrals) != 1 {
		t.Errorf("record read with the donor = %+v, want %+v", got, want)
	}
	got.Deferrals[0].Code = "changed by the caller"
	for _, read := range []struct {
		name  string
		donor int64
		day   time.Time
	}{{"another day", donor, day.AddDate(0, 0, 1)}, {"another donor", other, day}} {
		if n := statementsIn(t, s, func() {
			if _, err := s.EligibilityRecord(wctx, read.donor, read.day); err != nil {
				t.Fatal(err)
			}
		}); n != 1 {
			t.Errorf("%s: %d statements, want 1", read.name, n)
		}
	}
	if err := s.AddDeferral(wctx, donor, "flu", day.AddDate(0, 0, 14), false, "screening"); err != nil {
		t.Fatal(err)
	}
	// In the transaction now: the record is read again (a read in a
	// transaction is counted only at its next statement, so its content
	// shows it).
	after, err := s.EligibilityRecord(wctx, donor, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Deferrals) != 2 || after.Deferrals[0].Code != "tattoo" || after.Deferrals[1].Code != "flu" {
		t.Errorf("record after a write = %+v, want the tattoo and the flu", after.Deferrals)
	}
	if _, err := s.DonorWithRecord(ctx, testenv.TelegramID(), day); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an unknown user: %v, want ErrNotFound", err)
	}
}

// TestSaveScreeningUsesTheTurnsDonor: a turn that read its sender saves
// their screening without reading the donor's id again: BEGIN and the
// screening's one statement. Once the unit deleted the donor, the id is looked up again,
// and the donor is gone.
func TestSaveScreeningUsesTheTurnsDonor(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donor := newDonors(t, s, 1)[0]
	flu := screening.Reason{Code: screening.CodeWithin14Days, Until: calendar(testNow).AddDate(0, 0, 14)}
	answers := []storage.ScreeningAnswer{{Answer: screening.Answer{Question: screening.QWithin14Days, Yes: true}}}
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if _, err := s.DonorWithRecord(wctx, donor, calendar(testNow)); err != nil {
		t.Fatal(err)
	}
	if n := statementsIn(t, s, func() {
		if err := s.SaveScreening(wctx, donor, 0, answers, []screening.Reason{flu}, testNow); err != nil {
			t.Fatal(err)
		}
	}); n != 2 {
		t.Errorf("save the sender's screening: %d statements, want 2 (BEGIN, screening)", n)
	}
	if err := s.DeleteDonor(wctx, donor, testNow); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveScreening(wctx, donor, 0, answers, nil, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("save the screening of a donor deleted in the unit: %v, want ErrNotFound", err)
	}
}
