package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/mobilize"
	"donorbot/storage"
)

// waveEnv is a unit with a published drive of its own, auto-fill on.
type waveEnv struct {
	s     *storage.Store
	unit  int64
	drive drive.Drive
	slots []drive.Slot
}

// newWaveEnv creates a unit and its drive starting at start (2 slots of 5
// seats), published at testNow, auto-fill on at the default checkpoints.
func newWaveEnv(t *testing.T, s *storage.Store, start time.Time) waveEnv {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUnit(ctx, "unit", "Đơn vị "+unique(), "w"+unique())
	if err != nil {
		t.Fatal(err)
	}
	e := waveEnv{s: s, unit: u.ID}
	e.drive, e.slots = e.newDrive(t, start, true)
	return e
}

// newDrive is another drive of the unit starting at start, published if
// publish, auto-fill on.
func (e waveEnv) newDrive(t *testing.T, start time.Time, publish bool) (drive.Drive, []drive.Slot) {
	t.Helper()
	ctx := context.Background()
	in := draft(start, 2, 5)
	in.AudienceUnitID = e.unit
	d, sl, err := e.s.CreateDrive(ctx, in, 4242)
	if err != nil {
		t.Fatal(err)
	}
	if publish {
		if d, err = e.s.PublishDrive(ctx, d.ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.s.SetAutofill(ctx, d.ID, storage.Autofill{On: true, Checkpoints: mobilize.DefaultCheckpoints}, testNow); err != nil {
		t.Fatal(err)
	}
	return d, sl
}

// onboardedDonors are n onboarded donors who take invitations.
func onboardedDonors(t *testing.T, s *storage.Store, n int) []int64 {
	t.Helper()
	ids := newDonors(t, s, n)
	for _, id := range ids {
		if err := s.CompleteOnboarding(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// invitationsTo is one invitation message for each donor.
func invitationsTo(ids []int64) []storage.Invitation {
	out := make([]storage.Invitation, len(ids))
	for i, id := range ids {
		out[i] = storage.Invitation{TelegramID: id, Message: storage.ScheduledMessage{ChatID: id, Text: "invitation " + unique()}}
	}
	return out
}

// invitedTo lists the Telegram ids of the donors invited to the drive.
func invitedTo(t *testing.T, s *storage.Store, driveID int64) []int64 {
	t.Helper()
	var ids []int64
	if err := s.DB().Select(&ids, `SELECT dn.telegram_id FROM drive_invitations i JOIN donors dn ON dn.id = i.donor_id
		WHERE i.drive_id = $1 ORDER BY 1`, driveID); err != nil {
		t.Fatal(err)
	}
	return ids
}

// queuedTo counts the invitation messages queued for the chats.
func queuedTo(t *testing.T, s *storage.Store, chats []int64) int {
	t.Helper()
	var n int
	if err := s.DB().Get(&n, `SELECT count(*) FROM broadcast_deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
		WHERE b.kind = 'invitation' AND d.chat_id = ANY($1)`, chats); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStartWaveClaimsCheckpointOnce: three schedulers start the same
// checkpoint's wave at once, each listing the invitees in another order:
// one wave is logged, each donor is invited and messaged once, and the
// other two report that the wave ran.
func TestStartWaveClaimsCheckpointOnce(t *testing.T) {
	s := storage.New(testenv.DB(t))
	e := newWaveEnv(t, s, testNow.Add(10*24*time.Hour))
	donors := onboardedDonors(t, s, 3)
	var wg sync.WaitGroup
	started := make(chan storage.Wave, 3)
	for i := range 3 {
		order := slices.Clone(donors)
		slices.Reverse(order[:i+1])
		wg.Go(func() {
			w := storage.Wave{DriveID: e.drive.ID, Checkpoint: 10, Target: 250, Gap: 250, ResponseRate: 0.1,
				Candidates: 3, Planned: 3}
			got, ok, err := s.StartWave(context.Background(), w, testNow, 4, invitationsTo(order))
			if err != nil {
				t.Errorf("scheduler %d: %v", i, err)
			}
			if ok {
				started <- got
			}
		})
	}
	wg.Wait()
	close(started)
	var waves []storage.Wave
	for w := range started {
		waves = append(waves, w)
	}
	if len(waves) != 1 {
		t.Fatalf("%d schedulers started the wave, want 1", len(waves))
	}
	if w := waves[0]; w.Invited != 3 || w.SkippedCap != 0 || w.ID == 0 || !w.StartedAt.Equal(testNow) {
		t.Errorf("wave %+v: want 3 invited, none skipped, stored at %s", w, testNow)
	}
	if got := invitedTo(t, s, e.drive.ID); !slices.Equal(got, donors) {
		t.Errorf("invited %v, want %v", got, donors)
	}
	if n := queuedTo(t, s, donors); n != 3 {
		t.Errorf("%d invitation messages queued, want 3", n)
	}
	log, err := s.Waves(context.Background(), e.drive.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Checkpoint != 10 || log[0].Invited != 3 || log[0].Planned != 3 {
		t.Errorf("wave log %+v, want the one wave of checkpoint 10", log)
	}
}

// TestStartWaveLeavesOutAndCaps: of five planned invitees, the one who
// turned invitations off, the one who registered and the one an earlier
// wave invited since the plan are left out; the one at the contact cap is
// skipped and counted; only the fifth is invited.
func TestStartWaveLeavesOutAndCaps(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	e := newWaveEnv(t, s, testNow.Add(10*24*time.Hour))
	ids := onboardedDonors(t, s, 5)
	optedOut, registered, invited, capped, open := ids[0], ids[1], ids[2], ids[3], ids[4]
	if err := s.SetInvitations(ctx, optedOut, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, registered, e.slots[0].ID, testNow); err != nil {
		t.Fatal(err)
	}
	first := storage.Wave{DriveID: e.drive.ID, Checkpoint: 10, Gap: 5, ResponseRate: 0.1, Planned: 1}
	if _, ok, err := s.StartWave(ctx, first, testNow.Add(-time.Hour), 4, invitationsTo([]int64{invited})); !ok || err != nil {
		t.Fatalf("first wave: %t %v", ok, err)
	}
	_, err := s.DB().Exec(`INSERT INTO contacts (donor_id, kind, sent_at)
		SELECT id, 'announcement', $2 FROM donors, generate_series(1, 2) WHERE telegram_id = $1`, capped, testNow.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	w := storage.Wave{DriveID: e.drive.ID, Checkpoint: 5, Gap: 5, ResponseRate: 0.1, Candidates: 5, Planned: 5}
	got, ok, err := s.StartWave(ctx, w, testNow, 2, invitationsTo(ids))
	if !ok || err != nil {
		t.Fatalf("wave: %t %v", ok, err)
	}
	if got.Invited != 1 || got.SkippedCap != 1 {
		t.Errorf("invited %d, skipped at the cap %d; want 1 and 1", got.Invited, got.SkippedCap)
	}
	if want := []int64{invited, open}; !slices.Equal(invitedTo(t, s, e.drive.ID), want) {
		t.Errorf("invited %v, want %v", invitedTo(t, s, e.drive.ID), want)
	}
	for _, id := range []int64{optedOut, registered, capped} {
		if n := queuedTo(t, s, []int64{id}); n != 0 {
			t.Errorf("donor %d left out got %d invitations", id, n)
		}
	}
	for id, want := range map[int64]bool{open: true, invited: true, capped: false, optedOut: false} {
		if got, err := s.InvitedTo(ctx, e.drive.ID, id); err != nil || got != want {
			t.Errorf("InvitedTo(donor %d) = %t %v, want %t", id, got, err, want)
		}
	}
	if n := queuedTo(t, s, []int64{invited}); n != 1 {
		t.Errorf("the donor invited earlier got %d invitations, want the first only", n)
	}
	log, err := s.Waves(ctx, e.drive.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[1].Invited != 1 || log[1].SkippedCap != 1 {
		t.Errorf("wave log %+v: want the second wave with 1 invited, 1 skipped", log)
	}
}

// TestStartWaveRefuses: no wave starts, and nothing is logged, for a drive
// whose auto-fill is off or paused, a draft, or one that has started.
func TestStartWaveRefuses(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	e := newWaveEnv(t, s, testNow.Add(10*24*time.Hour))
	donors := onboardedDonors(t, s, 1)
	draftDrive, _ := e.newDrive(t, testNow.Add(10*24*time.Hour), false)
	off, _ := e.newDrive(t, testNow.Add(10*24*time.Hour), true)
	if err := s.SetAutofill(ctx, off.ID, storage.Autofill{On: false, Checkpoints: []int{10}}, testNow); err != nil {
		t.Fatal(err)
	}
	paused, _ := e.newDrive(t, testNow.Add(10*24*time.Hour), true)
	if err := s.SetAutofill(ctx, paused.ID, storage.Autofill{On: true, Paused: true, Checkpoints: []int{10}}, testNow); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		drive int64
		now   time.Time
	}{
		{"auto-fill off", off.ID, testNow},
		{"paused", paused.ID, testNow},
		{"draft", draftDrive.ID, testNow},
		{"started", e.drive.ID, e.drive.Start},
	} {
		w := storage.Wave{DriveID: c.drive, Checkpoint: 10, Gap: 3, ResponseRate: 0.1, Planned: 1}
		_, ok, err := s.StartWave(ctx, w, c.now, 4, invitationsTo(donors))
		if ok || err != nil {
			t.Errorf("%s: started %t, %v; want refused", c.name, ok, err)
		}
		if log, err := s.Waves(ctx, c.drive); err != nil || len(log) != 0 {
			t.Errorf("%s: wave log %+v %v, want empty", c.name, log, err)
		}
	}
	if n := queuedTo(t, s, donors); n != 0 {
		t.Errorf("%d invitations queued by refused waves", n)
	}
}

// TestSetAutofillRefusesBadCheckpoints: no checkpoint, one beyond 60 days
// or before the drive's day, one twice, or six are refused and the stored
// setting kept; a good one is stored; an unknown drive is not found.
func TestSetAutofillRefusesBadCheckpoints(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	e := newWaveEnv(t, s, testNow.Add(10*24*time.Hour))
	for _, cps := range [][]int{nil, {}, {61}, {-1}, {5, 5}, {1, 2, 3, 4, 5, 6}} {
		err := s.SetAutofill(ctx, e.drive.ID, storage.Autofill{On: false, Checkpoints: cps}, testNow)
		if !errors.Is(err, storage.ErrBadCheckpoints) {
			t.Errorf("checkpoints %v: %v, want ErrBadCheckpoints", cps, err)
		}
	}
	a, err := s.AutofillOf(ctx, e.drive.ID)
	if err != nil || !a.On || a.Paused || !slices.Equal(a.Checkpoints, mobilize.DefaultCheckpoints) {
		t.Errorf("after refusals the setting is %+v %v, want on at %v", a, err, mobilize.DefaultCheckpoints)
	}
	want := storage.Autofill{On: true, Paused: true, Checkpoints: []int{0, 7, 60}}
	if err := s.SetAutofill(ctx, e.drive.ID, want, testNow); err != nil {
		t.Fatal(err)
	}
	if a, err := s.AutofillOf(ctx, e.drive.ID); err != nil || !a.On || !a.Paused || !slices.Equal(a.Checkpoints, want.Checkpoints) {
		t.Errorf("stored %+v %v, want %+v", a, err, want)
	}
	if err := s.SetAutofill(ctx, -1, want, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown drive: %v, want ErrNotFound", err)
	}
}

// TestAutofillDrivesAndWaveLog: the drives auto-fill looks after are the
// published ones still to start with auto-fill on and not paused, the
// soonest first, each with the checkpoints whose waves ran; the wave log
// is in the order the waves started, whatever order they were stored in.
func TestAutofillDrivesAndWaveLog(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	// Far after every other test's drives, so that theirs are not listed.
	now := time.Date(2051, time.March, 1, 3, 0, 0, 0, time.UTC)
	e := newWaveEnv(t, s, now.Add(20*24*time.Hour))
	sooner, _ := e.newDrive(t, now.Add(5*24*time.Hour), true)
	paused, _ := e.newDrive(t, now.Add(6*24*time.Hour), true)
	if err := s.SetAutofill(ctx, paused.ID, storage.Autofill{On: true, Paused: true, Checkpoints: []int{5}}, now); err != nil {
		t.Fatal(err)
	}
	off, _ := e.newDrive(t, now.Add(7*24*time.Hour), true)
	if err := s.SetAutofill(ctx, off.ID, storage.Autofill{Checkpoints: []int{5}}, now); err != nil {
		t.Fatal(err)
	}
	e.newDrive(t, now.Add(8*24*time.Hour), false)
	e.newDrive(t, now.Add(-time.Hour), true) // started an hour ago
	custom := storage.Autofill{On: true, Checkpoints: []int{14, 3}}
	if err := s.SetAutofill(ctx, e.drive.ID, custom, now); err != nil {
		t.Fatal(err)
	}
	// The waves at 3 and 14 days, stored in the reverse of their times.
	for _, w := range []struct {
		checkpoint int
		at         time.Time
	}{{3, now.Add(2 * time.Hour)}, {14, now.Add(time.Hour)}} {
		wave := storage.Wave{DriveID: e.drive.ID, Checkpoint: w.checkpoint, Outcome: storage.WaveNoGap}
		if _, ok, err := s.StartWave(ctx, wave, w.at, 4, nil); !ok || err != nil {
			t.Fatalf("wave at %d: %t %v", w.checkpoint, ok, err)
		}
	}

	got, err := s.AutofillDrives(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	var listed []int64
	for _, ad := range got {
		listed = append(listed, ad.Drive.ID)
		if ad.Drive.ID == e.drive.ID && (!slices.Equal(ad.Done, []int{3, 14}) ||
			!slices.Equal(ad.Autofill.Checkpoints, custom.Checkpoints) || !ad.Autofill.Active()) {
			t.Errorf("drive %d: %+v, want checkpoints %v done 3 and 14", ad.Drive.ID, ad, custom.Checkpoints)
		}
	}
	if want := []int64{sooner.ID, e.drive.ID}; !slices.Equal(listed, want) {
		t.Errorf("auto-fill drives %v, want %v", listed, want)
	}
	if got, err := s.AutofillDrives(ctx, now, 1); err != nil || len(got) != 1 || got[0].Drive.ID != sooner.ID {
		t.Errorf("limit 1: %+v %v, want the sooner drive", got, err)
	}

	log, err := s.Waves(ctx, e.drive.ID)
	if err != nil {
		t.Fatal(err)
	}
	var order []int
	for _, w := range log {
		order = append(order, w.Checkpoint)
		if w.Outcome != storage.WaveNoGap {
			t.Errorf("wave %d: outcome %q", w.Checkpoint, w.Outcome)
		}
	}
	if !slices.Equal(order, []int{14, 3}) {
		t.Errorf("wave log in order %v, want 14 then 3", order)
	}
}

// TestInvitationResponseCountsFinishedDrives: of a finished drive's three
// invitees, one donated there, one registered and did not come, one did
// not answer: 3 invited, 1 donated. The invitee of the unit's drive still
// to come who registered, and another unit's invitee, do not count.
func TestInvitationResponseCountsFinishedDrives(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	start := tomorrow()
	e := newWaveEnv(t, s, start)
	later, laterSlots := e.newDrive(t, start.Add(5*24*time.Hour), true)
	other := newWaveEnv(t, s, start)
	ids := onboardedDonors(t, s, 6)
	donated, noShow, silent, laterOne, otherOne, notInvited := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
	wave := func(d int64, invitees ...int64) {
		t.Helper()
		w := storage.Wave{DriveID: d, Checkpoint: 2, Gap: 3, ResponseRate: 0.1, Planned: len(invitees)}
		if _, ok, err := s.StartWave(ctx, w, testNow, 4, invitationsTo(invitees)); !ok || err != nil {
			t.Fatalf("wave of drive %d: %t %v", d, ok, err)
		}
	}
	wave(e.drive.ID, donated, noShow, silent)
	wave(later.ID, laterOne)
	wave(other.drive.ID, otherOne)
	give := func(d drive.Drive, slot, donor int64) {
		t.Helper()
		r, err := s.Register(ctx, donor, slot, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CheckIn(ctx, d.ID, r.ID, 1, d.Start); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: r.ID, On: d.Start,
			Kind: "whole_blood", VolumeML: 350, Source: "drive"}); err != nil {
			t.Fatal(err)
		}
	}
	give(e.drive, e.slots[0].ID, donated)
	give(e.drive, e.slots[0].ID, notInvited)
	if _, err := s.Register(ctx, noShow, e.slots[1].ID, testNow); err != nil {
		t.Fatal(err)
	}
	give(later, laterSlots[0].ID, laterOne)
	give(other.drive, other.slots[0].ID, otherOne)

	before := e.drive.End.Add(time.Hour)
	got, err := s.InvitationResponse(ctx, e.unit, before)
	if err != nil {
		t.Fatal(err)
	}
	if want := (mobilize.Response{Invited: 3, Donated: 1}); got != want {
		t.Errorf("response %+v, want %+v", got, want)
	}
	if got, err := s.InvitationResponse(ctx, e.unit, e.drive.End.Add(-time.Minute)); err != nil || got != (mobilize.Response{}) {
		t.Errorf("before the drive ended: %+v %v, want nothing", got, err)
	}
}

// TestDueAutofillDrivesListsOnlyDueWaves: the scheduler's list holds the
// drives whose latest checkpoint reached, counted in calendar days in
// Vietnam, has no wave yet; a drive whose wave ran, whose earlier missed
// checkpoint is not caught up, or whose first checkpoint is still ahead
// (also by an hour past midnight in Vietnam) is left out, so a limit of 1
// reaches a later due drive past sooner ones whose waves ran.
func TestDueAutofillDrivesListsOnlyDueWaves(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	// 10:00 in Vietnam, far after every other test's drives.
	now := time.Date(2053, time.April, 1, 3, 0, 0, 0, time.UTC)
	vn := time.FixedZone("ICT", 7*3600)
	at := func(days, hour int) time.Time { return time.Date(2053, time.April, 1+days, hour, 0, 0, 0, vn) }
	e := newWaveEnv(t, s, at(12, 8)) // first checkpoint, 10, still ahead
	autofillDrive := func(start time.Time, checkpoints []int, done ...int) int64 {
		t.Helper()
		d, _ := e.newDrive(t, start, true)
		if err := s.SetAutofill(ctx, d.ID, storage.Autofill{On: true, Checkpoints: checkpoints}, now); err != nil {
			t.Fatal(err)
		}
		for _, k := range done {
			w := storage.Wave{DriveID: d.ID, Checkpoint: k, Outcome: storage.WaveNoGap}
			if _, ok, err := s.StartWave(ctx, w, now.Add(-time.Hour), 4, nil); !ok || err != nil {
				t.Fatalf("wave %d: %t %v", k, ok, err)
			}
		}
		return d.ID
	}
	autofillDrive(at(3, 8), []int{5}, 5)            // its wave ran
	autofillDrive(at(1, 8), []int{10, 5}, 5)        // 10 was missed, 5 ran
	due := autofillDrive(at(4, 8), []int{5})        // due at 5
	dueToday := autofillDrive(at(10, 8), []int{10}) // 10 days ahead today
	autofillDrive(at(11, 1), []int{10})             // 10 days ahead in UTC, 11 in Vietnam
	got, err := s.DueAutofillDrives(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, ad := range got {
		ids = append(ids, ad.Drive.ID)
	}
	if want := []int64{due, dueToday}; !slices.Equal(ids, want) {
		t.Errorf("due drives %v, want %v", ids, want)
	}
	if got, err := s.DueAutofillDrives(ctx, now, 1); err != nil || len(got) != 1 || got[0].Drive.ID != due {
		t.Errorf("limit 1: %+v %v, want the first due drive %d", got, err, due)
	}
}

// TestDriveInvitationAnswers: a drive's invitations sent by a time, and
// those of their donors who registered (waitlisted too), not cancelled.
func TestDriveInvitationAnswers(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	e := newWaveEnv(t, s, tomorrow())
	other := newWaveEnv(t, s, tomorrow())
	ids := onboardedDonors(t, s, 5)
	registered, cancelled, silent, otherOne, notInvited := ids[0], ids[1], ids[2], ids[3], ids[4]
	for d, invitees := range map[int64][]int64{e.drive.ID: {registered, cancelled, silent}, other.drive.ID: {otherOne}} {
		w := storage.Wave{DriveID: d, Checkpoint: 5, Gap: 3, ResponseRate: 0.1, Planned: len(invitees)}
		if _, ok, err := s.StartWave(ctx, w, testNow, 4, invitationsTo(invitees)); !ok || err != nil {
			t.Fatalf("wave of drive %d: %t %v", d, ok, err)
		}
	}
	for _, donor := range []int64{registered, cancelled, notInvited} {
		if _, err := s.Register(ctx, donor, e.slots[0].ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Register(ctx, otherOne, other.slots[0].ID, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE registrations r SET status = 'cancelled' FROM donors d
		WHERE d.id = r.donor_id AND d.telegram_id = $1`, cancelled); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		before                time.Time
		invited, registeredNo int
	}{{testNow, 3, 1}, {testNow.Add(time.Hour), 3, 1}, {testNow.Add(-time.Second), 0, 0}} {
		inv, reg, err := s.DriveInvitationAnswers(ctx, e.drive.ID, tc.before)
		if err != nil || inv != tc.invited || reg != tc.registeredNo {
			t.Errorf("answers sent by %s: %d invited, %d registered, %v; want %d, %d", tc.before, inv, reg, err,
				tc.invited, tc.registeredNo)
		}
	}
}
