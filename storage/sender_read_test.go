package storage_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
)

// TestAcceptUpdatesReadsTheirSenders: one statement stores a batch of
// updates and reads each fresh one's sender as DonorWithRecord would: the
// same donor and record (deferrals, last donation, answered screening, or
// none), "no donor" for someone who never consented, nothing for a
// redelivery or a repeat. A unit of work given the read makes no statement
// for its sender nor their record; another day, or a second unit (a
// retried turn), reads again.
func TestAcceptUpdatesReadsTheirSenders(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	ids := newDonors(t, s, 4)
	deferred, donated, screened, blank := ids[0], ids[1], ids[2], ids[3]
	nobody := testenv.TelegramID()
	day := calendar(testNow)
	fullProfile(t, s, deferred)
	if err := s.AddDeferral(ctx, deferred, "tattoo", day.AddDate(0, 3, 0), false, "screening"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddDeferral(ctx, deferred, "ended", day, false, "screening"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddDonation(ctx, donated, day.AddDate(0, -2, 0), "platelets", 350, "self_report", 0); err != nil {
		t.Fatal(err)
	}
	_, slots := publishedDrive(t, s, tomorrow(), 1, 10)
	r := registerAll(t, s, []int64{screened}, slots[0].ID)[0]
	answers := `[{"Question":"donated_before","Yes":true,"When":"2030-05-06T00:00:00Z","Exact":true,"Kind":"whole_blood"}]`
	if _, err := s.SetScreening(ctx, r.ID, []byte(answers), 450, drive.RegConfirmed, testNow); err != nil {
		t.Fatal(err)
	}

	base := testenv.TelegramID() * 1000
	t.Cleanup(func() { s.DB().MustExec(`DELETE FROM updates WHERE update_id BETWEEN $1 AND $1 + 10`, base) })
	if _, err := s.AcceptUpdate(ctx, base, deferred, deferred, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	batch := []storage.NewUpdate{
		{UpdateID: base + 1, ChatID: deferred, UserID: deferred, Payload: []byte(`{}`)},
		{UpdateID: base + 2, ChatID: donated, UserID: donated, Payload: []byte(`{}`)},
		{UpdateID: base + 3, ChatID: screened, UserID: screened, Payload: []byte(`{}`)},
		{UpdateID: base + 4, ChatID: blank, UserID: blank, Payload: []byte(`{}`)},
		{UpdateID: base + 5, ChatID: nobody, UserID: nobody, Payload: []byte(`{}`)},
		{UpdateID: base, ChatID: deferred, UserID: deferred, Payload: []byte(`{}`)},   // stored before
		{UpdateID: base + 2, ChatID: donated, UserID: donated, Payload: []byte(`{}`)}, // a repeat
	}
	var got []storage.Accepted
	if n := statementsIn(t, s, func() {
		var err error
		if got, err = s.AcceptUpdatesWithSenders(ctx, day, batch); err != nil {
			t.Fatal(err)
		}
	}); n != 1 {
		t.Errorf("storing %d updates with their senders: %d statements, want 1", len(batch), n)
	}
	for i, a := range got[5:] {
		if a.Fresh || a.Sender != nil {
			t.Errorf("update %d not fresh: got %+v, want no sender", batch[5+i].UpdateID, a)
		}
	}

	for i, c := range []struct {
		name   string
		sender int64
		holds  func(storage.EligibilityRecord) bool
	}{
		{"deferrals", deferred, func(r storage.EligibilityRecord) bool { return len(r.Deferrals) == 1 }},
		{"last donation", donated, func(r storage.EligibilityRecord) bool { return r.Last != nil }},
		{"answered screening", screened, func(r storage.EligibilityRecord) bool { return r.Answered != nil }},
		{"no record", blank, func(r storage.EligibilityRecord) bool { return r.Last == nil && len(r.Deferrals) == 0 }},
	} {
		a, sender := got[i], c.sender
		if !a.Fresh || a.Sender == nil || !a.Sender.Found() {
			t.Fatalf("donor %d's update: %+v, want fresh with the donor", sender, a)
		}
		wantDonor, err := s.DonorWithRecord(ctx, sender, day)
		if err != nil {
			t.Fatal(err)
		}
		wantRec, err := s.EligibilityRecord(ctx, sender, day)
		if err != nil {
			t.Fatal(err)
		}
		wctx, w, err := s.BeginWork(storage.WithSenderRead(ctx, a.Sender))
		if err != nil {
			t.Fatal(err)
		}
		var gotDonor profile.Donor
		var gotRec storage.EligibilityRecord
		if n := statementsIn(t, s, func() {
			if gotDonor, err = s.DonorWithRecord(wctx, sender, day); err != nil {
				t.Fatal(err)
			}
			if gotRec, err = s.EligibilityRecord(wctx, sender, day); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: a turn given its sender's read made %d statements, want 0", c.name, n)
		}
		w.Rollback()
		if !reflect.DeepEqual(gotDonor, wantDonor) {
			t.Errorf("%s: donor read with the update = %+v, want %+v", c.name, gotDonor, wantDonor)
		}
		if !reflect.DeepEqual(gotRec, wantRec) || !c.holds(gotRec) {
			t.Errorf("%s: record read with the update = %+v, want %+v", c.name, gotRec, wantRec)
		}
	}
	if a := got[4]; !a.Fresh || a.Sender == nil || a.Sender.Found() {
		t.Fatalf("a stranger's update: %+v, want fresh and no donor", a)
	}
	wctx, w, err := s.BeginWork(storage.WithSenderRead(ctx, got[4].Sender))
	if err != nil {
		t.Fatal(err)
	}
	if n := statementsIn(t, s, func() {
		if _, err := s.DonorWithRecord(wctx, nobody, day); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("a stranger given their read: %v, want ErrNotFound", err)
		}
	}); n != 0 {
		t.Errorf("a stranger given their read: %d statements, want 0", n)
	}
	w.Rollback()

	// The read stands for its day, and for one unit only.
	for _, again := range []struct {
		name string
		day  time.Time
	}{{"the next day", day.AddDate(0, 0, 1)}, {"a second unit", day}} {
		read := got[1].Sender
		if again.name == "the next day" {
			read = got[2].Sender
		}
		wctx, w, err := s.BeginWork(storage.WithSenderRead(ctx, read))
		if err != nil {
			t.Fatal(err)
		}
		if n := statementsIn(t, s, func() {
			if _, err := s.DonorWithRecord(wctx, read.TelegramID, again.day); err != nil {
				t.Fatal(err)
			}
		}); n != 1 {
			t.Errorf("%s: %d statements, want 1", again.name, n)
		}
		w.Rollback()
	}
}

// fullProfile fills every column of a donor's row that a turn reads.
func fullProfile(t *testing.T, s *storage.Store, id int64) {
	t.Helper()
	ctx := context.Background()
	for _, err := range []error{
		s.SetDonorName(ctx, id, "Trần Thị Mai"),
		s.SetDonorPhone(ctx, id, "+84912345678"),
		s.SetDonorSex(ctx, id, profile.SexFemale),
		s.SetDonorBirthDate(ctx, id, time.Date(1995, 3, 8, 0, 0, 0, 0, time.UTC)),
		s.SetDonorWeight(ctx, id, 52.5),
		s.SetDonorBloodGroup(ctx, id, profile.BloodONeg),
		s.NoteUsername(ctx, id, "mai_tran"),
		s.SetDonorReachable(ctx, id, false),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}
