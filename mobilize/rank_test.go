package mobilize_test

import (
	"slices"
	"testing"
	"time"

	"donorbot/mobilize"
	"donorbot/screening"
)

var driveDay = time.Date(2031, time.March, 10, 0, 0, 0, 0, time.UTC)

func donated(daysBefore int) screening.Donor {
	return screening.Donor{LastDonation: &screening.Donation{Date: driveDay.AddDate(0, 0, -daysBefore), Kind: screening.WholeBlood}}
}

func TestGroupOn(t *testing.T) {
	for _, tc := range []struct {
		name  string
		donor screening.Donor
		want  mobilize.Group
	}{
		{"never donated", screening.Donor{}, mobilize.NeverDonated},
		{"donated 100 days before", donated(100), mobilize.PastDonor},
		{"donated 364 days before", donated(364), mobilize.PastDonor},
		{"donated 365 days before", donated(365), mobilize.Lapsed},
		{"donated three years before", donated(3 * 365), mobilize.Lapsed},
	} {
		if got := (mobilize.Candidate{Donor: tc.donor}).GroupOn(driveDay); got != tc.want {
			t.Errorf("%s: group %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestRank(t *testing.T) {
	contact := func(daysBefore int) time.Time { return driveDay.AddDate(0, 0, -daysBefore) }
	// Telegram ids give the expected order.
	cands := []mobilize.Candidate{
		{TelegramID: 12, Local: false, Donor: donated(500)},                         // province: after every local
		{TelegramID: 9, Local: true},                                                // never donated
		{TelegramID: 5, Local: true, Donor: donated(100), Responded: true},          // past donor, responded
		{TelegramID: 1, Local: true, Donor: donated(400), Responded: true},          // lapsed, responded
		{TelegramID: 7, Local: true, Donor: donated(90), LastContact: contact(2)},   // past donor, contacted lately
		{TelegramID: 3, Local: true, Donor: donated(700), LastContact: contact(30)}, // lapsed, contacted long ago
		{TelegramID: 4, Local: true, Donor: donated(380), LastContact: contact(3)},  // lapsed, contacted lately
		{TelegramID: 2, Local: true, Donor: donated(800)},                           // lapsed, never contacted
		{TelegramID: 13, Local: false},                                              // province, never donated
		{TelegramID: 6, Local: true, Donor: donated(200), LastContact: contact(40)}, // past donor
		{TelegramID: 8, Local: true, Responded: true},                               // never donated, responded
		{TelegramID: 10, Local: true, LastContact: contact(1)},                      // never donated, contacted
		{TelegramID: 11, Local: false, Donor: donated(500), Responded: true},        // province, lapsed, responded
	}
	// 11 before 12: both province lapsed, 11 responded.
	want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}
	orig := slices.Clone(cands)
	ranked := mobilize.Rank(cands, driveDay)
	var got []int64
	for _, c := range ranked {
		got = append(got, c.TelegramID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("rank %v, want %v", got, want)
	}
	if !slices.EqualFunc(cands, orig, func(a, b mobilize.Candidate) bool { return a.TelegramID == b.TelegramID }) {
		t.Error("Rank reordered its input")
	}
}
