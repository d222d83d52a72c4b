package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"donorbot/storage"
)

// TestResultsRecordedOnce: a registration gets one result, even when two
// organizers tap at once; a result needs a live registration; an urgent
// donation needs none; check-in keeps the first time.
func TestResultsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	s := openPool(t)
	donors := newDonors(t, s, 3)
	d, slots := publishedDrive(t, s, tomorrow(), 1, 5)
	regs := registerAll(t, s, donors, slots[0].ID)
	if err := s.CheckIn(ctx, d.ID, regs[0].ID, 1); err != nil {
		t.Fatal(err)
	}
	var first time.Time
	if err := s.DB().Get(&first, `SELECT checked_in_at FROM registrations WHERE id = $1`, regs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckIn(ctx, d.ID, regs[0].ID, 2); err != nil {
		t.Fatal(err)
	}
	var again time.Time
	if err := s.DB().Get(&again, `SELECT checked_in_at FROM registrations WHERE id = $1`, regs[0].ID); err != nil {
		t.Fatal(err)
	}
	if !again.Equal(first) {
		t.Errorf("a second check-in moved the time from %v to %v", first, again)
	}

	in := storage.DonationInput{RegistrationID: regs[0].ID, On: time.Now(), Kind: "whole_blood", VolumeML: 350, Source: "drive"}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.RecordDonation(ctx, in)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, storage.ErrResultRecorded):
			t.Errorf("concurrent result: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 8 concurrent results recorded, want 1", ok)
	}
	if _, err := s.RecordOnSiteDeferral(ctx, regs[0].ID, "Hb", time.Now().AddDate(0, 1, 0)); !errors.Is(err, storage.ErrResultRecorded) {
		t.Errorf("deferral after a donation: %v, want ErrResultRecorded", err)
	}

	rec, err := s.RecordOnSiteDeferral(ctx, regs[1].ID, "Huyết áp cao", time.Now().AddDate(0, 1, 0))
	if err != nil || rec.TelegramID != donors[1] {
		t.Fatalf("on-site deferral: %+v, %v", rec, err)
	}
	if _, err := s.Cancel(ctx, donors[2], regs[2].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: regs[2].ID, On: time.Now(),
		Kind: "whole_blood", VolumeML: 350, Source: "drive"}); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("donation for a cancelled registration: %v, want ErrNotLive", err)
	}
	if err := s.CheckIn(ctx, d.ID, regs[2].ID, 1); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("check-in of a cancelled registration: %v, want ErrNotLive", err)
	}
	// An urgent need's donation has no registration.
	rec, err = s.RecordDonation(ctx, storage.DonationInput{TelegramID: donors[2], On: time.Now(),
		Kind: "platelets", VolumeML: 250, Source: "urgent"})
	if err != nil || rec.Donations != 1 {
		t.Errorf("urgent donation: %+v, %v", rec, err)
	}
}

// TestMarkNoShows: after a drive ends, confirmed registrations never
// checked in become no-shows; checked-in, waitlisted and finished ones stay.
func TestMarkNoShows(t *testing.T) {
	ctx := context.Background()
	s := openPool(t)
	donors := newDonors(t, s, 4)
	d, slots := publishedDrive(t, s, tomorrow(), 1, 2)
	regs := registerAll(t, s, donors, slots[0].ID)
	if err := s.CheckIn(ctx, d.ID, regs[1].ID, 1); err != nil {
		t.Fatal(err)
	}
	// Other tests of the package share the database: only this drive counts.
	ours := func(all []storage.NoShow) []storage.NoShow {
		var out []storage.NoShow
		for _, n := range all {
			if n.DriveID == d.ID {
				out = append(out, n)
			}
		}
		return out
	}
	if got, err := s.MarkNoShows(ctx, time.Now(), nil); err != nil || len(ours(got)) != 0 {
		t.Fatalf("before the drive: %v, %v", got, err)
	}
	later := d.End.Add(time.Minute)
	all, err := s.MarkNoShows(ctx, later, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := ours(all)
	if len(got) != 1 || got[0].DonorTgID != donors[0] || !got[0].Recent {
		t.Errorf("no-shows: %+v, want donor %d only", got, donors[0])
	}
	want := map[int64]string{regs[0].ID: "no_show", regs[1].ID: "confirmed", regs[2].ID: "waitlisted", regs[3].ID: "waitlisted"}
	for id, status := range want {
		var st string
		if err := s.DB().Get(&st, `SELECT status FROM registrations WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if st != status {
			t.Errorf("registration %d: %s, want %s", id, st, status)
		}
	}
	if again, err := s.MarkNoShows(ctx, later, nil); err != nil || len(ours(again)) != 0 {
		t.Errorf("marking twice: %v, %v", again, err)
	}
}
