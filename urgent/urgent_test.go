package urgent

import (
	"slices"
	"testing"
	"time"

	"donorbot/blood"
	"donorbot/profile"
	"donorbot/screening"
)

const (
	op, on, ap, an = profile.BloodOPos, profile.BloodONeg, profile.BloodAPos, profile.BloodANeg
	bp, bn, abp    = profile.BloodBPos, profile.BloodBNeg, profile.BloodABPos
	abn            = profile.BloodABNeg
)

// The table (standard ABO/Rh(D) rules, AABB Technical Manual;
// Thông tư 26/2013/TT-BYT): red cells O- -> all; O+ -> O+ A+ B+ AB+; A- ->
// A- A+ AB- AB+; A+ -> A+ AB+; B- -> B- B+ AB- AB+; B+ -> B+ AB+; AB- -> AB-
// AB+; AB+ -> AB+. Plasma reversed: AB -> all; A -> A, O; B -> B, O; O -> O.
// Read by recipient: who may a patient of each group receive from.
func TestGroups(t *testing.T) {
	g := func(s ...profile.BloodGroup) []profile.BloodGroup { return s }
	redCellsFrom := map[profile.BloodGroup][]profile.BloodGroup{
		on: g(on), op: g(op, on), an: g(an, on), ap: g(ap, op, an, on),
		bn: g(bn, on), bp: g(bp, op, bn, on), abn: g(abn, an, bn, on), abp: g(abp, ap, bp, op, abn, an, bn, on),
	}
	plasmaFrom := map[profile.BloodGroup][]profile.BloodGroup{
		op: g(op, on, ap, an, bp, bn, abp, abn), ap: g(ap, an, abp, abn), bp: g(bp, bn, abp, abn), abp: g(abp, abn),
	}
	for _, patient := range profile.BloodGroups {
		if got := Groups(patient, blood.Whole, Same); !slices.Equal(got, g(patient)) {
			t.Errorf("Groups(%s, whole, same) = %v, want only %s", patient, got, patient)
		}
		got := Groups(patient, blood.Whole, Compatible)
		if !slices.Equal(sorted(got), sorted(redCellsFrom[patient])) || got[0] != patient {
			t.Errorf("Groups(%s, whole, compatible) = %v, want %v, own group first", patient, got, redCellsFrom[patient])
		}
		if all := Groups(patient, blood.Whole, All); !slices.Equal(all, got) {
			t.Errorf("Groups(%s, whole, all) = %v: widening to all donors changes people, not groups", patient, all)
		}
		// Rh-negative needs never widen to Rh-positive red cells.
		for _, d := range got {
			if !patient.RhPositive() && d.RhPositive() {
				t.Errorf("Rh-negative %s reaches Rh-positive %s for red cells", patient, d)
			}
		}
	}
	for patient, want := range plasmaFrom {
		if got := Groups(patient, blood.Plasma, Compatible); !slices.Equal(sorted(got), sorted(want)) {
			t.Errorf("Groups(%s, plasma, compatible) = %v, want %v", patient, got, want)
		}
	}
}

func sorted(gs []profile.BloodGroup) []profile.BloodGroup {
	out := slices.Clone(gs)
	slices.Sort(out)
	return out
}

// TestMatch: only eligible candidates of the wanted groups, own group first,
// then the longest since the last donation (84 days after whole blood, TT26
// Điều 6 khoản 1), never donated first.
func TestMatch(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	donated := func(daysAgo int) screening.Donor {
		return screening.Donor{WeightKg: 60, BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
			LastDonation: &screening.Donation{Date: day.AddDate(0, 0, -daysAgo), Kind: screening.WholeBlood}}
	}
	fresh := screening.Donor{WeightKg: 60, BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	deferred := fresh
	deferred.Deferrals = []screening.Deferral{{Code: "on_site", Until: day.AddDate(0, 0, 10)}}
	underweight := fresh
	underweight.WeightKg = 40
	cands := []Candidate{
		{TelegramID: 1, Group: op, Donor: donated(200)},
		{TelegramID: 2, Group: ap, Donor: donated(100)},
		{TelegramID: 3, Group: ap, Donor: fresh},
		{TelegramID: 4, Group: ap, Donor: donated(83)}, // one day short of 84
		{TelegramID: 5, Group: ap, Donor: donated(84)},
		{TelegramID: 6, Group: ap, Donor: deferred},
		{TelegramID: 7, Group: bp, Donor: fresh}, // incompatible
		{TelegramID: 8, Group: on, Donor: fresh},
		{TelegramID: 9, Group: ap, Donor: underweight},
	}
	var got []int64
	for _, c := range Match(cands, Groups(ap, blood.Whole, Compatible), Reach{}, EligibleOn(day)) {
		got = append(got, c.TelegramID)
	}
	if want := []int64{3, 2, 5, 1, 8}; !slices.Equal(got, want) {
		t.Errorf("Match = %v, want %v", got, want)
	}
}

func TestAudience(t *testing.T) {
	if !All.Wider(Compatible) || !Compatible.Wider(Same) || Same.Wider(Same) || Compatible.Wider(All) {
		t.Error("audiences out of order")
	}
	if Audience("everyone").Valid() || !Same.Valid() {
		t.Error("Valid")
	}
}

// TestMatchKeepsPromises: a donor who accepted another need is judged as if
// they gave that donation on its deadline day: not alerted for whole blood
// the same day nor 83 days later, again from the 84th day; after a promised
// platelet donation, from 14 days on. An older promise than the recorded
// donation changes nothing.
func TestMatchKeepsPromises(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	fresh := screening.Donor{WeightKg: 60, BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	promised := func(id int64, on time.Time, kind screening.DonationKind) Candidate {
		return Candidate{TelegramID: id, Group: onNeg, Donor: fresh, Promise: &Promise{Day: on, Kind: kind}}
	}
	recent := fresh
	recent.LastDonation = &screening.Donation{Date: day.AddDate(0, 0, -100), Kind: screening.WholeBlood}
	cands := []Candidate{
		promised(1, day, screening.WholeBlood),                    // accepted a need due today
		promised(2, day.AddDate(0, 0, 1), screening.WholeBlood),   // due tomorrow
		promised(3, day.AddDate(0, 0, -83), screening.WholeBlood), // one day short
		promised(4, day.AddDate(0, 0, -84), screening.WholeBlood), // interval over
		promised(5, day.AddDate(0, 0, -14), screening.Platelets),  // apheresis interval over
		promised(6, day.AddDate(0, 0, -13), screening.Platelets),  // one day short
		{TelegramID: 7, Group: onNeg, Donor: recent, Promise: &Promise{Day: day.AddDate(0, 0, -200), Kind: screening.WholeBlood}},
		{TelegramID: 8, Group: onNeg, Donor: fresh},
	}
	var got []int64
	for _, c := range Match(cands, Groups(onNeg, blood.Whole, Same), Reach{}, EligibleOn(day)) {
		got = append(got, c.TelegramID)
	}
	if want := []int64{4, 5, 8, 7}; !slices.Equal(got, want) {
		t.Errorf("Match = %v, want %v", got, want)
	}
}

const onNeg = profile.BloodONeg

// TestMatchProvinceFirst: a need of Hà Nội reaches Hà Nội's donors first,
// then those who did not say where they live, and donors of other
// provinces only once widened to them, last.
func TestMatchProvinceFirst(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	fresh := screening.Donor{WeightKg: 60, BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	cands := []Candidate{
		{TelegramID: 1, Group: on, Province: "hcm", Donor: fresh},
		{TelegramID: 2, Group: on, Province: "", Donor: fresh},
		{TelegramID: 3, Group: on, Province: "hn", Donor: fresh},
		{TelegramID: 4, Group: on, Province: "ct", Donor: fresh},
		{TelegramID: 5, Group: on, Province: "hn", Donor: fresh},
	}
	ids := func(r Reach) []int64 {
		var got []int64
		for _, c := range Match(cands, Groups(on, blood.Whole, Same), r, EligibleOn(day)) {
			got = append(got, c.TelegramID)
		}
		return got
	}
	if got, want := ids(Reach{Province: "hn"}), []int64{3, 5, 2}; !slices.Equal(got, want) {
		t.Errorf("Hà Nội = %v, want %v", got, want)
	}
	if got, want := ids(Reach{Province: "hn", OtherProvinces: true}), []int64{3, 5, 2, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("widened = %v, want %v", got, want)
	}
	if got, want := ids(Reach{}), []int64{1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("no province = %v, want %v", got, want)
	}
}
