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
	if err := s.CheckIn(ctx, d.ID, regs[0].ID, 1, testNow); err != nil {
		t.Fatal(err)
	}
	var first time.Time
	if err := s.DB().Get(&first, `SELECT checked_in_at FROM registrations WHERE id = $1`, regs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckIn(ctx, d.ID, regs[0].ID, 2, testNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var again time.Time
	if err := s.DB().Get(&again, `SELECT checked_in_at FROM registrations WHERE id = $1`, regs[0].ID); err != nil {
		t.Fatal(err)
	}
	if !again.Equal(first) {
		t.Errorf("a second check-in moved the time from %v to %v", first, again)
	}

	in := storage.DonationInput{RegistrationID: regs[0].ID, On: testNow, Kind: "whole_blood", VolumeML: 350, Source: "drive"}
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
	if _, err := s.RecordOnSiteDeferral(ctx, regs[0].ID, "Hb", testNow.AddDate(0, 1, 0)); !errors.Is(err, storage.ErrResultRecorded) {
		t.Errorf("deferral after a donation: %v, want ErrResultRecorded", err)
	}

	// A result needs a check-in, however the button was made.
	if _, err := s.RecordOnSiteDeferral(ctx, regs[1].ID, "Huyết áp cao", testNow.AddDate(0, 1, 0)); !errors.Is(err, storage.ErrNotCheckedIn) {
		t.Errorf("deferral without a check-in: %v, want ErrNotCheckedIn", err)
	}
	if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: regs[1].ID, On: testNow,
		Kind: "whole_blood", VolumeML: 350, Source: "drive"}); !errors.Is(err, storage.ErrNotCheckedIn) {
		t.Errorf("donation without a check-in: %v, want ErrNotCheckedIn", err)
	}
	if err := s.CheckIn(ctx, d.ID, regs[1].ID, 1, testNow); err != nil {
		t.Fatal(err)
	}
	rec, err := s.RecordOnSiteDeferral(ctx, regs[1].ID, "Huyết áp cao", testNow.AddDate(0, 1, 0))
	if err != nil || rec.TelegramID != donors[1] {
		t.Fatalf("on-site deferral: %+v, %v", rec, err)
	}
	if _, err := s.Cancel(ctx, donors[2], regs[2].ID, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: regs[2].ID, On: testNow,
		Kind: "whole_blood", VolumeML: 350, Source: "drive"}); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("donation for a cancelled registration: %v, want ErrNotLive", err)
	}
	if err := s.CheckIn(ctx, d.ID, regs[2].ID, 1, testNow); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("check-in of a cancelled registration: %v, want ErrNotLive", err)
	}
	// An urgent need's donation has no registration.
	rec, err = s.RecordDonation(ctx, storage.DonationInput{TelegramID: donors[2], On: testNow,
		Kind: "platelets", VolumeML: 250, Source: "urgent"})
	if err != nil || rec.TelegramID != donors[2] {
		t.Errorf("urgent donation: %+v, %v", rec, err)
	}
	if n, err := s.DonationCount(ctx, donors[2]); err != nil || n != 1 {
		t.Errorf("urgent donation: %d on record, %v", n, err)
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
	if err := s.CheckIn(ctx, d.ID, regs[1].ID, 1, testNow); err != nil {
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
	if got, err := s.MarkNoShows(ctx, testNow, false, nil); err != nil || len(ours(got)) != 0 {
		t.Fatalf("before the drive: %v, %v", got, err)
	}
	later := d.End.Add(time.Minute)
	all, err := s.MarkNoShows(ctx, later, false, nil)
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
	if again, err := s.MarkNoShows(ctx, later, false, nil); err != nil || len(ours(again)) != 0 {
		t.Errorf("marking twice: %v, %v", again, err)
	}
}

// TestCorrectResultAudited: a recorded result can be replaced, donation by
// deferral and back, each change leaving an audit row with who, when, the
// old and the new result; a registration without a result, or the same
// result again, is refused.
func TestCorrectResultAudited(t *testing.T) {
	ctx := context.Background()
	s := openPool(t)
	donors := newDonors(t, s, 2)
	d, slots := publishedDrive(t, s, tomorrow(), 1, 5)
	regs := registerAll(t, s, donors, slots[0].ID)
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	day := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	for _, r := range regs {
		if err := s.CheckIn(ctx, d.ID, r.ID, 1, at); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.CorrectResult(ctx, storage.Correction{RegistrationID: regs[1].ID, By: 9,
		New: storage.Result{Donated: true, VolumeML: 250, Kind: "plasma"}, On: day, At: at}); !errors.Is(err, storage.ErrNoResult) {
		t.Errorf("correcting no result: %v, want ErrNoResult", err)
	}
	if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: regs[0].ID, On: day,
		Kind: "whole_blood", VolumeML: 350, Source: "drive"}); err != nil {
		t.Fatal(err)
	}
	same := storage.Result{Donated: true, VolumeML: 350, Kind: "whole_blood"}
	if _, _, err := s.CorrectResult(ctx, storage.Correction{RegistrationID: regs[0].ID, New: same, On: day, By: 9, At: at}); !errors.Is(err, storage.ErrResultUnchanged) {
		t.Errorf("correcting to the same result: %v, want ErrResultUnchanged", err)
	}
	until := time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)
	old, rec, err := s.CorrectResult(ctx, storage.Correction{RegistrationID: regs[0].ID, By: 9, At: at.Add(time.Hour),
		New: storage.Result{Until: until, Reason: "Hb thấp"}})
	if err != nil || old != same || rec.TelegramID != donors[0] {
		t.Fatalf("donation → deferral: old %+v, %+v, %v", old, rec, err)
	}
	if n, err := s.DonationCount(ctx, donors[0]); err != nil || n != 0 {
		t.Fatalf("donation → deferral: %d donations on record, %v", n, err)
	}
	old, _, err = s.CorrectResult(ctx, storage.Correction{RegistrationID: regs[0].ID, By: 10, At: at.Add(2 * time.Hour),
		New: storage.Result{Donated: true, VolumeML: 450, Kind: "whole_blood"}, On: day})
	if err != nil || old.Donated || !old.Until.Equal(until) || old.Reason != "Hb thấp" {
		t.Fatalf("deferral → donation: old %+v, %v", old, err)
	}
	var status string
	var volume, deferrals int
	if err := s.DB().QueryRow(`SELECT r.status, (SELECT sum(volume_ml) FROM donations WHERE registration_id = r.id),
		(SELECT count(*) FROM deferrals WHERE registration_id = r.id) FROM registrations r WHERE r.id = $1`,
		regs[0].ID).Scan(&status, &volume, &deferrals); err != nil {
		t.Fatal(err)
	}
	if status != "attended" || volume != 450 || deferrals != 0 {
		t.Errorf("after corrections: status %s, %d ml, %d deferrals", status, volume, deferrals)
	}
	type row struct {
		By       int64     `db:"changed_by"`
		At       time.Time `db:"changed_at"`
		Old, New string
	}
	var audit []row
	if err := s.DB().Select(&audit, `SELECT changed_by, changed_at, old_result::text AS old, new_result::text AS new
		FROM result_corrections WHERE registration_id = $1 AND drive_id = $2 ORDER BY id`, regs[0].ID, d.ID); err != nil {
		t.Fatal(err)
	}
	want := []row{
		{9, at.Add(time.Hour), `{"kind": "whole_blood", "donated": true, "volume_ml": 350}`,
			`{"until": "2027-01-05T00:00:00Z", "donated": false}`},
		{10, at.Add(2 * time.Hour), `{"until": "2027-01-05T00:00:00Z", "donated": false}`,
			`{"kind": "whole_blood", "donated": true, "volume_ml": 450}`},
	}
	if len(audit) != len(want) {
		t.Fatalf("audit rows %+v, want %+v", audit, want)
	}
	for i := range want {
		if audit[i].By != want[i].By || !audit[i].At.Equal(want[i].At) || audit[i].Old != want[i].Old || audit[i].New != want[i].New {
			t.Errorf("audit row %d: %+v, want %+v", i, audit[i], want[i])
		}
	}
}
