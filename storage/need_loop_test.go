package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
)

// TestWithdrawAlert: a withdrawal releases the place and reopens a filled
// need; the covered and late alerts become answerable again; a donor with
// no standing accept, or of a cancelled need, changes nothing; an accept and
// a withdrawal at the same moment never count beyond the units needed.
func TestWithdrawAlert(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	club, err := s.CreateUnit(ctx, "club", "CLB withdraw "+unique(), "withdraw"+unique())
	if err != nil {
		t.Fatal(err)
	}
	ids := newDonors(t, s, 3)
	n := testNeed(t, s, club.ID, profile.BloodOPos, 1)
	if _, err := s.AddAlerts(ctx, n.ID, ids); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WithdrawAlert(ctx, n.ID, 999_999_999_999, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("withdrawal without an alert: %v, want ErrNotFound", err)
	}
	if r, err := s.WithdrawAlert(ctx, n.ID, ids[1], testNow); err != nil || r.Withdrawn {
		t.Errorf("withdrawal before accepting: %+v, %v", r, err)
	}
	if r, err := s.AnswerAlert(ctx, n.ID, ids[0], true); err != nil || !r.Filled {
		t.Fatalf("accept: %+v %v", r, err)
	}
	if r, err := s.AnswerAlert(ctx, n.ID, ids[1], true); err != nil || r.Outcome != storage.Late {
		t.Fatalf("late accept: %+v %v", r, err)
	}
	r, err := s.WithdrawAlert(ctx, n.ID, ids[0], testNow)
	if err != nil || !r.Withdrawn || !r.Reopened || r.Need.Accepted != 0 || !r.Need.Open() {
		t.Fatalf("withdrawal from a filled need: %+v, %v", r, err)
	}
	again, err := s.ReopenAlerts(ctx, n.ID)
	if err != nil || len(again) != 1 || again[0].TelegramID != ids[1] {
		t.Errorf("reopened %+v, %v; want the late accept only (ids[2] was never sent, so never covered)", again, err)
	}
	if r, err := s.AnswerAlert(ctx, n.ID, ids[1], true); err != nil || r.Outcome != storage.Counted {
		t.Errorf("accept after reopening: %+v %v", r, err)
	}

	// A race of an accept and a withdrawal on a need of one unit.
	for range 5 {
		m := testNeed(t, s, club.ID, profile.BloodOPos, 1)
		if _, err := s.AddAlerts(ctx, m.ID, ids[:2]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerAlert(ctx, m.ID, ids[0], true); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); _, _ = s.WithdrawAlert(ctx, m.ID, ids[0], testNow) }()
		go func() { defer wg.Done(); _, _ = s.AnswerAlert(ctx, m.ID, ids[1], true) }()
		wg.Wait()
		got, err := s.Need(ctx, m.ID)
		if err != nil || got.Accepted > 1 {
			t.Fatalf("after the race: %+v, %v", got, err)
		}
	}

	// A late acceptor who since accepted another need is not alerted again.
	busy := newDonors(t, s, 2)
	p, q := testNeed(t, s, club.ID, profile.BloodOPos, 1), testNeed(t, s, club.ID, profile.BloodOPos, 2)
	for _, need := range []storage.Need{p, q} {
		if _, err := s.AddAlerts(ctx, need.ID, busy); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct{ need, donor int64 }{{p.ID, busy[0]}, {p.ID, busy[1]}, {q.ID, busy[1]}} {
		if _, err := s.AnswerAlert(ctx, a.need, a.donor, true); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := s.WithdrawAlert(ctx, p.ID, busy[0], testNow); err != nil || !r.Reopened {
		t.Fatalf("withdrawal: %+v, %v", r, err)
	}
	if again, err := s.ReopenAlerts(ctx, p.ID); err != nil || len(again) != 0 {
		t.Errorf("reopened %+v, %v; want nobody (the late acceptor is committed elsewhere)", again, err)
	}

	c := testNeed(t, s, club.ID, profile.BloodOPos, 2)
	if _, err := s.AddAlerts(ctx, c.ID, ids[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnswerAlert(ctx, c.ID, ids[0], true); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.CancelNeed(ctx, c.ID, testNow); err != nil || !ok {
		t.Fatalf("cancel: %v %v", ok, err)
	}
	if ok, err := s.CancelNeed(ctx, c.ID, testNow); err != nil || ok {
		t.Errorf("cancel twice: %v %v", ok, err)
	}
	if r, err := s.WithdrawAlert(ctx, c.ID, ids[0], testNow); err != nil || r.Withdrawn {
		t.Errorf("withdrawal from a cancelled need: %+v, %v", r, err)
	}
}
