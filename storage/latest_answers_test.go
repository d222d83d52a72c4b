package storage_test

import (
	"context"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/urgent"
)

// TestCandidatesCarryTheLastDonationAnswer: a donor whose latest screening
// says they gave whole blood ten days ago (elsewhere: the history does not
// know) is a candidate with that answer, and urgent.Match leaves them out,
// as /eligibility does; an earlier screening's answer is superseded, and a
// screening without question 1 or with answers not in a list is ignored.
func TestCandidatesCarryTheLastDonationAnswer(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	club, err := s.CreateUnit(ctx, "club", "CLB answers "+unique(), "answ"+unique())
	if err != nil {
		t.Fatal(err)
	}
	ids := testenv.TelegramIDs(2)
	gaveElsewhere, odd := ids[0], ids[1]
	for _, id := range ids {
		member(t, s, id, club.ID, profile.BloodBNeg)
		if err := s.SetOnCall(ctx, id, true, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	today := time.Date(2030, time.May, 16, 0, 0, 0, 0, time.UTC)
	_, slots := publishedDrive(t, s, tomorrow(), 1, 10)
	screened := func(id int64, answers string) {
		t.Helper()
		r := registerAll(t, s, []int64{id}, slots[0].ID)[0]
		if _, err := s.SetScreening(ctx, r.ID, []byte(answers), 450, drive.RegConfirmed, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, id, r.ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	screened(gaveElsewhere, `[{"Question":"donated_before","Yes":false}]`)
	screened(gaveElsewhere, `[{"Question":"donated_before","Yes":true,"When":"2030-05-06T00:00:00Z","Exact":true,"Kind":"whole_blood"}]`)
	screened(odd, `[{"Question":"donated_before","Yes":true,"When":"2030-05-06T00:00:00Z","Exact":true}]`)
	screened(odd, `{"weight_kg":52}`)
	screened(odd, `[{"Question":"ill_now","Yes":false}]`)

	n := testNeed(t, s, club.ID, profile.BloodBNeg, 1)
	groups := []profile.BloodGroup{profile.BloodBNeg}
	got, err := s.NeedCandidates(ctx, n.ID, club.ID, groups, false, today)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]urgent.Candidate{}
	for _, c := range got {
		byID[c.TelegramID] = c
	}
	if a := byID[gaveElsewhere].Donor.Answered; a == nil || !a.Yes || !a.Exact {
		t.Fatalf("the latest answer is not loaded: %+v", a)
	}
	if a := byID[odd].Donor.Answered; a == nil || !a.Yes {
		t.Fatalf("an answer followed by screenings without question 1 is lost: %+v", a)
	}
	for _, c := range urgent.Match(got, groups, urgent.Reach{}, urgent.EligibleOn(today)) {
		if c.TelegramID == gaveElsewhere || c.TelegramID == odd {
			t.Errorf("donor %d gave blood 10 days ago and is matched", c.TelegramID)
		}
	}
}
