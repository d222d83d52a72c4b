package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/screening"
	"donorbot/storage"
)

// TestSaveScreeningReplacesAndAudits: a second screening replaces the
// first one's answers and deferrals (no reason twice, a No lifts its
// deferral), and only the answers that changed are audited, at the time
// given. On-site deferrals are left alone.
func TestSaveScreeningReplacesAndAudits(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donor := newDonors(t, s, 1)[0]
	if err := s.AddDeferral(ctx, donor, "on_site", tomorrow().AddDate(0, 1, 0), false, "on_site"); err != nil {
		t.Fatal(err)
	}
	flu := screening.Reason{Code: screening.CodeWithin14Days, Until: calendar(testNow).AddDate(0, 0, 14)}
	first := []storage.ScreeningAnswer{
		{Answer: screening.Answer{Question: screening.QWithin14Days, Yes: true}},
		{Answer: screening.Answer{Question: screening.QWithin6Months, Yes: true}, NoDate: true},
		{Answer: screening.Answer{Question: screening.QIllNow}},
	}
	for range 2 { // the same screening twice: nothing doubles, nothing changed
		if err := s.SaveScreening(ctx, donor, 0, first, []screening.Reason{flu}, testNow); err != nil {
			t.Fatal(err)
		}
	}
	codes := func() []string {
		open, err := s.OpenDeferrals(ctx, donor, calendar(testNow))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range open {
			out = append(out, d.Code)
		}
		slices.Sort(out)
		return out
	}
	if got := codes(); !slices.Equal(got, []string{"on_site", string(screening.CodeWithin14Days)}) {
		t.Errorf("deferrals after two equal screenings: %v", got)
	}

	later := testNow.Add(2 * time.Hour)
	second := []storage.ScreeningAnswer{
		{Answer: screening.Answer{Question: screening.QWithin14Days}},
		{Answer: screening.Answer{Question: screening.QWithin6Months, Yes: true}, NoDate: true},
		{Answer: screening.Answer{Question: screening.QIllNow}},
	}
	if err := s.SaveScreening(ctx, donor, 0, second, nil, later); err != nil {
		t.Fatal(err)
	}
	if got := codes(); !slices.Equal(got, []string{"on_site"}) {
		t.Errorf("deferrals after the correction: %v", got)
	}
	changes, err := s.ScreeningChanges(ctx, donor)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Question != screening.QWithin14Days || !changes[0].Old.Yes || changes[0].New.Yes ||
		!changes[0].ChangedAt.Equal(later) {
		t.Errorf("changes = %+v; want d14 Yes → No at %v", changes, later)
	}
	latest, err := s.LatestScreening(ctx, donor)
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 3 {
		t.Fatalf("latest answers: %+v", latest)
	}
	for _, a := range latest {
		if !a.AnsweredAt.Equal(later) || (a.Question == screening.QWithin6Months && !a.NoDate) || (a.Question == screening.QWithin14Days && a.Yes) {
			t.Errorf("latest answer %+v", a)
		}
	}
}

// TestReopenScreened: a registration its screening deferred, answered
// again and eligible, gets the waitlist when its seat went to the next
// donor meanwhile, and cannot be reopened twice.
func TestReopenScreened(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	_, slots := publishedDrive(t, s, tomorrow(), 1, 1)
	donors := newDonors(t, s, 2)
	regs := registerAll(t, s, donors, slots[0].ID)
	answers := json.RawMessage(`[{"Question":"d14","Yes":true}]`)
	if p, err := s.SetScreening(ctx, regs[0].ID, answers, 0, drive.RegDeferred, testNow); err != nil || p == nil {
		t.Fatalf("SetScreening(deferred) = %+v, %v; want the waitlisted donor promoted", p, err)
	}
	ids, err := s.ScreeningDeferred(ctx, donors[0], testNow)
	if err != nil || !slices.Equal(ids, []int64{regs[0].ID}) {
		t.Fatalf("ScreeningDeferred = %v, %v", ids, err)
	}
	if err := s.ReopenScreened(ctx, donors[1], regs[0].ID, answers, 350, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another donor reopens: %v, want ErrNotFound", err)
	}
	if err := s.ReopenScreened(ctx, donors[0], regs[0].ID, json.RawMessage(`[]`), 350, testNow); err != nil {
		t.Fatal(err)
	}
	reg, err := s.Registration(ctx, donors[0], regs[0].ID)
	if err != nil || reg.Registration.Status != drive.RegWaitlisted || reg.Registration.AllowedVolumeML != 350 {
		t.Errorf("reopened: %+v, %v; want waitlisted with 350 ml", reg.Registration, err)
	}
	if err := s.ReopenScreened(ctx, donors[0], regs[0].ID, answers, 350, testNow); !errors.Is(err, storage.ErrNotLive) {
		t.Errorf("reopened twice: %v, want ErrNotLive", err)
	}
	if ids, err := s.ScreeningDeferred(ctx, donors[0], testNow); err != nil || len(ids) != 0 {
		t.Errorf("ScreeningDeferred after reopening = %v, %v", ids, err)
	}
}

func calendar(at time.Time) time.Time {
	return time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
}
