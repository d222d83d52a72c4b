package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"donorbot/blood"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/urgent"
)

// member makes an onboarded donor of group g and adds them to the club.
func member(t testing.TB, s *storage.Store, id, clubID int64, g profile.BloodGroup) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.CreateDonor(ctx, id, id, "vi", "v1"); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		s.SetDonorBloodGroup(ctx, id, g),
		s.SetDonorWeight(ctx, id, 60),
		s.SetDonorBirthDate(ctx, id, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)),
		s.CompleteOnboarding(ctx, id),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if clubID != 0 {
		if err := s.JoinUnit(ctx, id, clubID); err != nil {
			t.Fatal(err)
		}
	}
}

func testNeed(t testing.TB, s *storage.Store, clubID int64, g profile.BloodGroup, units int) storage.Need {
	t.Helper()
	n, err := s.CreateNeed(context.Background(), storage.Need{
		ClubID: clubID, CreatedBy: 1, BloodGroup: g, Component: blood.Whole, UnitsNeeded: units,
		Hospital: "Bệnh viện Chợ Rẫy", Address: "201B Nguyễn Chí Thanh", Deadline: testNow.Add(6 * time.Hour),
		ContactName: "BS An", ContactPhone: "+84912000111", Audience: urgent.Same, AdminChatID: 1, AdminLang: "vi",
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNeedCandidates: only on-call, reachable members (or opted-in donors
// when asked) of the wanted groups are candidates; eligibility is applied by
// urgent.Match.
func TestNeedCandidates(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	club, err := s.CreateUnit(ctx, "club", "CLB cands "+unique(), "cands"+unique())
	if err != nil {
		t.Fatal(err)
	}
	base := testenv.TelegramIDs(8)[0]
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	onCall, offCall, expired, deferred, recent, outsider, outsiderOptIn := base+1, base+2, base+3, base+4, base+5, base+6, base+7
	for _, id := range []int64{onCall, offCall, expired, deferred, recent} {
		member(t, s, id, club.ID, profile.BloodAPos)
	}
	member(t, s, outsider, 0, profile.BloodAPos)
	member(t, s, outsiderOptIn, 0, profile.BloodAPos)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SetOnCall(ctx, onCall, true, time.Time{}))
	must(s.SetOnCall(ctx, offCall, false, time.Time{}))
	must(s.SetOnCall(ctx, expired, true, today.AddDate(0, 0, -1)))
	must(s.SetOnCall(ctx, deferred, true, today))
	must(s.AddDeferral(ctx, deferred, "on_site", today.AddDate(0, 1, 0), false, "on_site"))
	must(s.SetOnCall(ctx, recent, true, time.Time{}))
	must(s.AddDonation(ctx, recent, today.AddDate(0, 0, -30), "whole_blood", 350, "drive", 0))
	must(s.SetOnCall(ctx, outsider, true, time.Time{}))
	must(s.SetOnCall(ctx, outsiderOptIn, true, time.Time{}))
	must(s.SetUrgentOptIn(ctx, outsiderOptIn, true))

	n := testNeed(t, s, club.ID, profile.BloodAPos, 1)
	ids := func(cs []urgent.Candidate) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.TelegramID)
		}
		return out
	}
	// Opted-in outsiders of earlier runs in this database are candidates
	// too: only this run's donors count.
	ours := func(cs []urgent.Candidate) []urgent.Candidate {
		return slices.DeleteFunc(cs, func(c urgent.Candidate) bool {
			return c.TelegramID <= base || c.TelegramID > outsiderOptIn
		})
	}
	groups := []profile.BloodGroup{profile.BloodAPos}
	got, err := s.NeedCandidates(ctx, n.ID, club.ID, groups, false, today)
	must(err)
	got = ours(got)
	if want := []int64{onCall, deferred, recent}; !slices.Equal(ids(got), want) {
		t.Errorf("candidates = %v, want %v", ids(got), want)
	}
	if m := ids(urgent.Match(got, groups, urgent.Reach{}, urgent.EligibleOn(today))); !slices.Equal(m, []int64{onCall}) {
		t.Errorf("matched = %v, want only %d", m, onCall)
	}
	got, err = s.NeedCandidates(ctx, n.ID, club.ID, groups, true, today)
	must(err)
	got = ours(got)
	if want := []int64{onCall, deferred, recent, outsiderOptIn}; !slices.Equal(ids(got), want) {
		t.Errorf("candidates with opt-in = %v, want %v", ids(got), want)
	}
	added, err := s.AddAlerts(ctx, n.ID, []int64{onCall, outsiderOptIn})
	must(err)
	if !slices.Equal(added, []int64{onCall, outsiderOptIn}) {
		t.Errorf("added = %v", added)
	}
	// Alerted donors are not candidates again when the need widens.
	got, err = s.NeedCandidates(ctx, n.ID, club.ID, groups, true, today)
	must(err)
	got = ours(got)
	if want := []int64{deferred, recent}; !slices.Equal(ids(got), want) {
		t.Errorf("candidates after alerts = %v, want %v", ids(got), want)
	}
	if len(got[0].Donor.Deferrals) != 1 || got[1].Donor.LastDonation == nil {
		t.Errorf("history not loaded: %+v", got)
	}
	again, err := s.AddAlerts(ctx, n.ID, []int64{onCall, recent})
	must(err)
	if !slices.Equal(again, []int64{recent}) {
		t.Errorf("added again = %v, want only %d", again, recent)
	}
}

// acceptRace has every donor accept a new need of units at the same moment
// and checks that exactly units are counted, the rest are late, one accept
// fills it and the count never exceeds units. It returns how long the
// accepts took.
func acceptRace(t testing.TB, s *storage.Store, clubID int64, ids []int64, units int) time.Duration {
	t.Helper()
	ctx := context.Background()
	n := testNeed(t, s, clubID, profile.BloodOPos, units)
	if _, err := s.AddAlerts(ctx, n.ID, ids); err != nil {
		t.Fatal(err)
	}
	results := make([]storage.AnswerResult, len(ids))
	errs := make([]error, len(ids))
	start := make(chan struct{})
	var ready, wg sync.WaitGroup
	for i, id := range ids {
		ready.Add(1)
		wg.Go(func() {
			ready.Done()
			<-start
			results[i], errs[i] = s.AnswerAlert(ctx, n.ID, id, true)
		})
	}
	ready.Wait()
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)
	counted, late, filled := 0, 0, 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("answer %d: %v", i, errs[i])
		}
		switch r.Outcome {
		case storage.Counted:
			counted++
		case storage.Late:
			late++
		}
		if r.Need.Accepted > units {
			t.Errorf("an answer saw %d accepted of %d", r.Need.Accepted, units)
		}
		if r.Filled {
			filled++
		}
	}
	if counted != units || late != len(ids)-units || filled != 1 {
		t.Errorf("counted %d, late %d, filled %d; want %d, %d, 1", counted, late, filled, units, len(ids)-units)
	}
	got, err := s.Need(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Accepted != units || got.Status != storage.NeedFilled {
		t.Errorf("need: accepted %d status %s", got.Accepted, got.Status)
	}
	views, err := s.NeedAlerts(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := storage.CountAlerts(views); c.Accepted != units || c.Late != len(ids)-units {
		t.Errorf("counts %+v", c)
	}
	return took
}

func raceClub(t testing.TB, s *storage.Store) int64 {
	t.Helper()
	suffix := unique()
	club, err := s.CreateUnit(context.Background(), "club", "CLB race "+suffix, "race"+suffix)
	if err != nil {
		t.Fatal(err)
	}
	return club.ID
}

// TestAnswerAlertConcurrentAccepts: many donors accept at the same moment;
// exactly units_needed are counted, the others are late, and the need's
// count never exceeds what it needs.
func TestAnswerAlertConcurrentAccepts(t *testing.T) {
	s := openPool(t)
	acceptRace(t, s, raceClub(t, s), newDonors(t, s, 40), 3)
}

// BenchmarkAcceptRace: 500 donors accept a need of 10 units at once.
func BenchmarkAcceptRace(b *testing.B) {
	s := openPool(b)
	club := raceClub(b, s)
	donors := newDonors(b, s, 500)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		total += acceptRace(b, s, club, donors, 10)
	}
	b.ReportMetric(float64(b.N*len(donors))/total.Seconds(), "answers/s")
	b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms/race")
}

func TestAnswerAlertRights(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	club, err := s.CreateUnit(ctx, "club", "CLB rights "+unique(), "rights"+unique())
	if err != nil {
		t.Fatal(err)
	}
	ids := newDonors(t, s, 2)
	n := testNeed(t, s, club.ID, profile.BloodOPos, 1)
	if _, err := s.AddAlerts(ctx, n.ID, ids[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnswerAlert(ctx, n.ID, ids[1], true); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("answer without an alert: %v, want ErrNotFound", err)
	}
	r, err := s.AnswerAlert(ctx, n.ID, ids[0], false)
	if err != nil || r.Outcome != storage.Declined {
		t.Fatalf("decline: %v %v", r.Outcome, err)
	}
	// A donor may change their mind while the need is open.
	if r, err = s.AnswerAlert(ctx, n.ID, ids[0], true); err != nil || r.Outcome != storage.Counted || !r.Filled {
		t.Fatalf("accept after decline: %+v %v", r, err)
	}
	if r, err = s.AnswerAlert(ctx, n.ID, ids[0], true); err != nil || r.Outcome != storage.AlreadyAccepted {
		t.Fatalf("accept twice: %+v %v", r, err)
	}
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, false} {
		ok, err := s.MarkDonated(ctx, n.ID, ids[0], day, "whole_blood", 1)
		if err != nil || ok != want {
			t.Errorf("MarkDonated #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	if c, err := s.DonationCount(ctx, ids[0]); err != nil || c != 1 {
		t.Errorf("donations = %d, %v; want 1", c, err)
	}
	if _, err := s.AddAlerts(ctx, n.ID, ids[1:]); !errors.Is(err, storage.ErrNeedNotOpen) {
		t.Errorf("alert on a filled need: %v, want ErrNeedNotOpen", err)
	}
}
