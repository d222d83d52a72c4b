package storage_test

import (
	"context"
	"sync"
	"testing"

	"donorbot/drive"
)

// TestCancelsAndTapsKeepTheSlotFull: a full slot of 20 seats with a
// waitlist of 20; at once, 10 seated donors cancel, 10 waiting donors
// cancel and 40 new donors tap the slot. Every cancel of a seat promotes
// the first of the waitlist inside the server, every tap counts the seats
// after the slot lock: the slot ends with exactly its 20 seats taken,
// never more, and the waitlist holds the rest.
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
