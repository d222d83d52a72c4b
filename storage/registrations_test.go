package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// openPool opens a Store of its own with the production pool (20
// connections): the shared test pool has no limit, and 1,000 goroutines
// would open 1,000 connections.
func openPool(t testing.TB) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// slotCounts counts a slot's registrations by status with SQL of its own.
func slotCounts(t testing.TB, s *storage.Store, slotID int64) map[drive.RegStatus]int {
	t.Helper()
	rows := []struct {
		Status drive.RegStatus `db:"status"`
		N      int             `db:"n"`
	}{}
	const q = `SELECT status, count(*) AS n FROM registrations WHERE slot_id = $1 GROUP BY status`
	if err := s.DB().Select(&rows, q, slotID); err != nil {
		t.Fatal(err)
	}
	m := map[drive.RegStatus]int{}
	for _, r := range rows {
		m[r.Status] = r.N
	}
	return m
}

// registerRace registers every donor in the slot at once and checks that
// capacity holds: exactly seats confirmed, the rest waitlisted at distinct
// positions 1..n-seats, no error, one row per donor. It returns how long the
// registrations took.
func registerRace(t testing.TB, s *storage.Store, donors []int64, slot drive.Slot) time.Duration {
	t.Helper()
	ctx := context.Background()
	regs := make([]drive.Registration, len(donors))
	errs := make([]error, len(donors))
	start := make(chan struct{})
	var ready, wg sync.WaitGroup
	for i, id := range donors {
		ready.Add(1)
		wg.Go(func() {
			ready.Done()
			<-start // all at once, not in the order the goroutines were started
			regs[i], errs[i] = s.Register(ctx, id, slot.ID, testNow)
		})
	}
	ready.Wait()
	began := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(began)
	var positions []int
	confirmed := 0
	for i, r := range regs {
		if errs[i] != nil {
			t.Fatalf("Register(%d): %v", donors[i], errs[i])
		}
		switch r.Status {
		case drive.RegConfirmed:
			confirmed++
		case drive.RegWaitlisted:
			positions = append(positions, r.WaitlistPosition)
		default:
			t.Fatalf("Register(%d) status %s", donors[i], r.Status)
		}
	}
	if confirmed != slot.Capacity {
		t.Errorf("Register returned %d confirmed, want %d", confirmed, slot.Capacity)
	}
	slices.Sort(positions)
	for i, p := range positions {
		if p != i+1 {
			t.Fatalf("waitlist positions %v..., want 1..%d", positions[:i+1], len(donors)-slot.Capacity)
		}
	}
	got := slotCounts(t, s, slot.ID)
	want := map[drive.RegStatus]int{drive.RegConfirmed: slot.Capacity, drive.RegWaitlisted: len(donors) - slot.Capacity}
	if len(got) != 2 || got[drive.RegConfirmed] != want[drive.RegConfirmed] || got[drive.RegWaitlisted] != want[drive.RegWaitlisted] {
		t.Errorf("registrations by status = %v, want %v", got, want)
	}
	var distinct int
	const q = `SELECT count(DISTINCT donor_id) FROM registrations WHERE slot_id = $1`
	if err := s.DB().Get(&distinct, q, slot.ID); err != nil || distinct != len(donors) {
		t.Errorf("%d distinct donors registered (%v), want %d", distinct, err, len(donors))
	}
	return elapsed
}

// Issue 4: 1,000 donors registering at once for 100 seats.
func TestRegisterCapacityRace(t *testing.T) {
	s := openPool(t)
	donors := newDonors(t, s, 1000)
	_, slots := publishedDrive(t, s, tomorrow(), 1, 100)
	elapsed := registerRace(t, s, donors, slots[0])
	t.Logf("1,000 concurrent registrations in %v", elapsed)
}

// TestCancelsAndTapsKeepTheSlotFull: a full slot of 20 seats with a
// waitlist of 20; at once, 10 seated donors cancel, 10 waiting donors
// cancel and 40 new donors tap the slot. Every cancel of a seat promotes
// the first of the waitlist inside the server, every tap counts the seats
// after the slot lock: the slot ends with exactly its 20 seats taken,
// never more, and the waitlist holds the rest. (In this file, which runs
// after drive_screens_plan_test.go: the dead index entries its cancels
// leave would push that test's buffer bounds.)
func TestCancelsAndTapsKeepTheSlotFull(t *testing.T) {
	s := openPool(t)
	ctx := context.Background()
	const capacity = 20
	donors := newDonors(t, s, 2*capacity+40)
	_, slots := publishedDrive(t, s, tomorrow(), 1, capacity)
	regs := registerAll(t, s, donors[:2*capacity], slots[0].ID)
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, len(donors))
	for i, d := range donors {
		switch {
		case i < capacity/2 || capacity <= i && i < capacity+capacity/2:
			wg.Go(func() { <-start; _, errs[i] = s.Cancel(ctx, d, regs[i].ID, testNow) })
		case i >= 2*capacity:
			wg.Go(func() { <-start; _, errs[i] = s.Register(ctx, d, slots[0].ID, testNow) })
		}
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("donor %d: %v", donors[i], err)
		}
	}
	got := slotCounts(t, s, slots[0].ID)
	want := map[drive.RegStatus]int{drive.RegConfirmed: capacity, drive.RegWaitlisted: 40, drive.RegCancelled: capacity}
	for status, n := range want {
		if got[status] != n {
			t.Errorf("registrations by status = %v, want %v", got, want)
			break
		}
	}
}

// BenchmarkRegisterRace: each iteration, 1,000 donors register at once for
// the 100 seats of a fresh drive, through the production pool of 20
// connections; the counts are checked as in TestRegisterCapacityRace.
func BenchmarkRegisterRace(b *testing.B) {
	s := openPool(b)
	donors := newDonors(b, s, 1000)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		_, slots := publishedDrive(b, s, tomorrow(), 1, 100)
		b.StartTimer()
		// registerRace's own checks run inside the timer; its elapsed time
		// covers the registrations alone.
		total += registerRace(b, s, donors, slots[0])
	}
	b.ReportMetric(float64(b.N*len(donors))/total.Seconds(), "registrations/s")
	b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms/race")
}

func TestRegisterTwice(t *testing.T) {
	s := openPool(t)
	ctx := context.Background()
	_, slots := publishedDrive(t, s, tomorrow(), 4, 10)
	donors := newDonors(t, s, 20)
	// Each donor tries all four slots at once, twice over.
	var wg sync.WaitGroup
	errs := make([][]error, len(donors))
	for i, id := range donors {
		errs[i] = make([]error, 2*len(slots))
		for j := range errs[i] {
			wg.Go(func() { _, errs[i][j] = s.Register(ctx, id, slots[j%len(slots)].ID, testNow) })
		}
	}
	wg.Wait()
	for i, es := range errs {
		ok := 0
		for _, err := range es {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, storage.ErrAlreadyRegistered) || !errors.Is(err, storage.ErrDuplicate):
				t.Errorf("donor %d: %v, want ErrAlreadyRegistered", donors[i], err)
			}
		}
		if ok != 1 {
			t.Errorf("donor %d registered %d times", donors[i], ok)
		}
	}
	var live int
	const q = `SELECT count(*) FROM registrations WHERE drive_id = $1 AND status IN ('confirmed', 'waitlisted')`
	if err := s.DB().Get(&live, q, slots[0].DriveID); err != nil || live != len(donors) {
		t.Errorf("%d live registrations (%v), want %d", live, err, len(donors))
	}
	// After a cancel the donor may register again.
	mine, err := s.MyRegistrations(ctx, donors[0], testNow)
	if err != nil || len(mine) != 1 {
		t.Fatalf("MyRegistrations = %v, %v", mine, err)
	}
	if _, err := s.Cancel(ctx, donors[0], mine[0].Registration.ID, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, donors[0], slots[3].ID, testNow); err != nil {
		t.Errorf("Register after Cancel: %v", err)
	}
}

func TestRegisterRefused(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donor := newDonors(t, s, 1)[0]
	t.Run("ErrNotFoundSlot", func(t *testing.T) {
		if _, err := s.Register(ctx, donor, -1, testNow); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Register = %v, want ErrNotFound", err)
		}
	})
	t.Run("ErrNotFoundDonor", func(t *testing.T) {
		_, slots := publishedDrive(t, s, tomorrow(), 1, 1)
		if _, err := s.Register(ctx, -7, slots[0].ID, testNow); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Register = %v, want ErrNotFound", err)
		}
	})
	t.Run("ErrDriveNotOpenDraft", func(t *testing.T) {
		_, slots, err := s.CreateDrive(ctx, draft(tomorrow(), 1, 1), 4242)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Register(ctx, donor, slots[0].ID, testNow); !errors.Is(err, storage.ErrDriveNotOpen) {
			t.Errorf("Register = %v, want ErrDriveNotOpen", err)
		}
	})
	t.Run("ErrDriveNotOpenCancelled", func(t *testing.T) {
		d, slots := publishedDrive(t, s, tomorrow(), 1, 1)
		if _, err := s.CancelDrive(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Register(ctx, donor, slots[0].ID, testNow); !errors.Is(err, storage.ErrDriveNotOpen) {
			t.Errorf("Register = %v, want ErrDriveNotOpen", err)
		}
	})
	t.Run("ErrDriveNotOpenStarted", func(t *testing.T) {
		// The slot is a day away by the wall clock; the rule reads only the
		// time it is given.
		_, slots := publishedDrive(t, s, tomorrow(), 2, 1)
		start := slots[0].Start
		if _, err := s.Register(ctx, donor, slots[0].ID, start); !errors.Is(err, storage.ErrDriveNotOpen) {
			t.Errorf("Register at the slot's start = %v, want ErrDriveNotOpen", err)
		}
		if _, err := s.Register(ctx, donor, slots[0].ID, start.Add(-time.Minute)); err != nil {
			t.Errorf("Register a minute before the slot's start: %v", err)
		}
	})
}

func TestCancelPromotesFIFO(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	_, slots := publishedDrive(t, s, tomorrow(), 1, 2)
	donors := newDonors(t, s, 5)
	regs := make([]drive.Registration, len(donors))
	for i, id := range donors { // one by one: 0 and 1 confirmed, 2, 3, 4 waitlisted in this order
		var err error
		if regs[i], err = s.Register(ctx, id, slots[0].ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if regs[1].Status != drive.RegConfirmed || regs[2].Status != drive.RegWaitlisted || regs[4].WaitlistPosition != 3 {
		t.Fatalf("registrations %+v", regs)
	}

	t.Run("ErrNotFoundNotOwner", func(t *testing.T) {
		if _, err := s.Cancel(ctx, donors[1], regs[0].ID, testNow); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Cancel of another's registration = %v, want ErrNotFound", err)
		}
		if c := slotCounts(t, s, slots[0].ID); c[drive.RegCancelled] != 0 {
			t.Errorf("counts after a refused cancel: %v", c)
		}
	})
	t.Run("OKWaitlistedLeavesNoSeat", func(t *testing.T) {
		p, err := s.Cancel(ctx, donors[3], regs[3].ID, testNow)
		if err != nil || p != nil {
			t.Fatalf("Cancel(waitlisted) = %+v, %v; want no promotion", p, err)
		}
	})
	t.Run("OKConfirmedPromotesFirst", func(t *testing.T) {
		p, err := s.Cancel(ctx, donors[0], regs[0].ID, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if p == nil || p.Registration.ID != regs[2].ID || p.Registration.Status != drive.RegConfirmed ||
			p.TelegramID != donors[2] || p.ChatID != donors[2] || p.Language != "vi" {
			t.Fatalf("promoted %+v, want registration %d of donor %d", p, regs[2].ID, donors[2])
		}
		got, err := s.Registration(ctx, donors[4], regs[4].ID)
		if err != nil || got.Registration.WaitlistPosition != 1 {
			t.Errorf("last waitlisted: %+v, %v; want position 1", got.Registration, err)
		}
	})
	t.Run("ErrNotLive", func(t *testing.T) {
		if _, err := s.Cancel(ctx, donors[0], regs[0].ID, testNow); !errors.Is(err, storage.ErrNotLive) {
			t.Errorf("Cancel twice = %v, want ErrNotLive", err)
		}
	})
	want := map[drive.RegStatus]int{drive.RegConfirmed: 2, drive.RegWaitlisted: 1, drive.RegCancelled: 2}
	if got := slotCounts(t, s, slots[0].ID); !mapsEqual(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestMove(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	_, slots := publishedDrive(t, s, tomorrow(), 3, 1)
	_, otherSlots := publishedDrive(t, s, tomorrow(), 1, 1)
	donors := newDonors(t, s, 3)
	a, err := s.Register(ctx, donors[0], slots[0].ID, testNow) // confirmed
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Register(ctx, donors[1], slots[0].ID, testNow) // waitlisted
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Register(ctx, donors[2], slots[2].ID, testNow) // confirmed
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OKPromotesOnOldSlot", func(t *testing.T) {
		moved, p, err := s.Move(ctx, donors[0], a.ID, slots[1].ID, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if moved.ID != a.ID || moved.SlotID != slots[1].ID || moved.Status != drive.RegConfirmed {
			t.Errorf("moved = %+v", moved)
		}
		if p == nil || p.Registration.ID != b.ID || p.TelegramID != donors[1] {
			t.Errorf("promoted = %+v, want registration %d", p, b.ID)
		}
	})
	t.Run("OKSameSlot", func(t *testing.T) {
		moved, p, err := s.Move(ctx, donors[0], a.ID, slots[1].ID, testNow)
		if err != nil || p != nil || moved.SlotID != slots[1].ID {
			t.Errorf("Move to its own slot = %+v, %+v, %v", moved, p, err)
		}
	})
	t.Run("ErrSlotFull", func(t *testing.T) {
		if _, _, err := s.Move(ctx, donors[2], c.ID, slots[0].ID, testNow); !errors.Is(err, storage.ErrSlotFull) {
			t.Errorf("Move = %v, want ErrSlotFull", err)
		}
	})
	t.Run("ErrOtherDrive", func(t *testing.T) {
		if _, _, err := s.Move(ctx, donors[2], c.ID, otherSlots[0].ID, testNow); !errors.Is(err, storage.ErrOtherDrive) {
			t.Errorf("Move = %v, want ErrOtherDrive", err)
		}
	})
	t.Run("ErrNotFoundNotOwner", func(t *testing.T) {
		if _, _, err := s.Move(ctx, donors[0], c.ID, slots[0].ID, testNow); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Move = %v, want ErrNotFound", err)
		}
	})
	t.Run("ErrNotFoundSlot", func(t *testing.T) {
		if _, _, err := s.Move(ctx, donors[2], c.ID, -1, testNow); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Move = %v, want ErrNotFound", err)
		}
	})
	want := map[int64]map[drive.RegStatus]int{
		slots[0].ID: {drive.RegConfirmed: 1}, slots[1].ID: {drive.RegConfirmed: 1}, slots[2].ID: {drive.RegConfirmed: 1},
	}
	for id, w := range want {
		if got := slotCounts(t, s, id); !mapsEqual(got, w) {
			t.Errorf("slot %d counts = %v, want %v", id, got, w)
		}
	}
}

// Two donors swap slots at the same time, many times: slot locks are taken
// in id order, so the swaps never deadlock.
func TestMoveSwapNoDeadlock(t *testing.T) {
	s := openPool(t)
	ctx := context.Background()
	_, slots := publishedDrive(t, s, tomorrow(), 2, 2)
	donors := newDonors(t, s, 2)
	a, err := s.Register(ctx, donors[0], slots[0].ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Register(ctx, donors[1], slots[1].ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for k, r := range []drive.Registration{a, b} {
		wg.Go(func() {
			for i := range 50 {
				if _, _, err := s.Move(ctx, donors[k], r.ID, slots[(i+k+1)%2].ID, testNow); err != nil {
					t.Errorf("Move %d: %v", k, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestScreeningAndMyRegistrations(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	_, slots := publishedDrive(t, s, tomorrow(), 1, 1)
	later, laterSlots := publishedDrive(t, s, tomorrow().Add(48*time.Hour), 1, 5)
	donors := newDonors(t, s, 2)
	a, err := s.Register(ctx, donors[0], slots[0].ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Register(ctx, donors[1], slots[0].ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, donors[0], laterSlots[0].ID, testNow); err != nil {
		t.Fatal(err)
	}

	answers := json.RawMessage(`{"fever": false, "weight_kg": 52}`)
	if p, err := s.SetScreening(ctx, a.ID, answers, 350, drive.RegConfirmed, testNow); err != nil || p != nil {
		t.Fatalf("SetScreening(eligible) = %+v, %v", p, err)
	}
	var stored string
	if err := s.DB().Get(&stored, `SELECT screening_answers->>'weight_kg' FROM registrations WHERE id = $1`, a.ID); err != nil || stored != "52" {
		t.Errorf("stored answers: %q, %v", stored, err)
	}
	mine, err := s.MyRegistrations(ctx, donors[0], testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 2 || mine[0].Registration.ID != a.ID || mine[0].Registration.AllowedVolumeML != 350 ||
		mine[0].Slot.ID != slots[0].ID || mine[1].Drive.ID != later.ID || mine[1].Drive.Code != later.Code {
		t.Errorf("MyRegistrations = %+v", mine)
	}
	if _, err := s.Registration(ctx, donors[1], a.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Registration of another donor = %v, want ErrNotFound", err)
	}

	p, err := s.SetScreening(ctx, a.ID, answers, 0, drive.RegDeferred, testNow)
	if err != nil || p == nil || p.Registration.ID != b.ID {
		t.Fatalf("SetScreening(deferred) = %+v, %v; want %d promoted", p, err, b.ID)
	}
	if _, err := s.SetScreening(ctx, a.ID, nil, 0, drive.RegDeferred, testNow); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("SetScreening of a deferred registration = %v, want ErrNotLive", err)
	}
	if _, err := s.SetScreening(ctx, b.ID, nil, 300, drive.RegConfirmed, testNow); err == nil {
		t.Error("SetScreening accepted a 300 ml bag")
	}
	if _, err := s.SetScreening(ctx, b.ID, nil, 0, drive.RegAttended, testNow); err == nil {
		t.Error("SetScreening accepted status attended")
	}
	if _, err := s.SetScreening(ctx, b.ID, json.RawMessage(`{`), 0, drive.RegConfirmed, testNow); err == nil {
		t.Error("SetScreening accepted malformed JSON")
	}
	if err := s.MarkAttendance(ctx, later.ID, b.ID, drive.RegAttended); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("MarkAttendance with another drive = %v, want ErrNotFound", err)
	}
	if err := s.MarkAttendance(ctx, b.DriveID, b.ID, drive.RegAttended); err != nil {
		t.Errorf("MarkAttendance = %v", err)
	}
}
