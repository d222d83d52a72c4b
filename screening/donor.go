package screening

import (
	"math"
	"time"
)

// DonationKind is what was collected at a donation.
type DonationKind string

// Donation kinds. Red cells are collected by apheresis but count like whole
// blood for the interval (TT26 Điều 6 khoản 1).
const (
	WholeBlood DonationKind = "whole_blood"
	RedCells   DonationKind = "red_cells"
	Platelets  DonationKind = "platelets"
	Plasma     DonationKind = "plasma"
)

// Config holds the rules that differ between blood centres. A zero field
// means the regulation's value, so Config{} is always valid.
type Config struct {
	// WholeBloodDays is the minimum interval after whole blood or red cells:
	// 12 weeks = 84 days (TT26 Điều 6 khoản 1).
	WholeBloodDays int
	// ApheresisDays is the minimum interval after plasma or platelets:
	// 2 weeks = 14 days (TT26 Điều 6 khoản 2); some centres use 21.
	ApheresisDays int
}

// DefaultConfig returns the intervals of Thông tư 26/2013/TT-BYT.
func DefaultConfig() Config { return Config{WholeBloodDays: 84, ApheresisDays: 14} }

// intervalDays is the minimum interval after a donation of kind k. TT26
// Điều 6 khoản 4: when kinds alternate, the last donation's kind decides,
// which is why Donor holds only the last one.
func (c Config) intervalDays(k DonationKind) int {
	def := DefaultConfig()
	switch k {
	case Platelets, Plasma:
		if c.ApheresisDays > 0 {
			return c.ApheresisDays
		}
		return def.ApheresisDays
	}
	// Whole blood, red cells, and unknown kinds: an unknown kind may have
	// been whole blood, and the longer interval is the safe one.
	if c.WholeBloodDays > 0 {
		return c.WholeBloodDays
	}
	return def.WholeBloodDays
}

// Donation is a past donation, from the history or from question 1.
type Donation struct {
	Date time.Time
	Kind DonationKind
}

// Deferral is an open deferral from the centre's records (for example a test
// result at a previous donation).
type Deferral struct {
	Code Code
	// Until is the first day the donor may donate again. Zero means the
	// end is not known (the staff must lift it).
	Until time.Time
	// Permanent deferrals make the donor NotEligible.
	Permanent bool
}

// Donor is what the profile and the history say about the donor.
type Donor struct {
	// BirthDate zero means unknown: age is not checked and the result
	// carries NoticeBirthDateUnknown.
	BirthDate time.Time
	Female    bool
	// WeightKg <= 0 means unknown: weight is not checked, MaxVolumeML is 0
	// and the result carries NoticeWeightUnknown.
	WeightKg float64
	// LastDonation is the most recent donation in the history, if any.
	LastDonation *Donation
	// Deferrals are the open deferrals from the records.
	Deferrals []Deferral
	// Answered is the answer to question 1 of the donor's latest
	// screening, if any: a donation the history may lack (given at another
	// centre). Evaluate uses it when its own answers do not include one,
	// so every screen judges the same donation.
	Answered *Answer
}

// Standard whole-blood bag volumes, largest first.
var bagVolumesML = []int{450, 350, 250}

// MaxVolumeML returns the largest standard bag (250, 350 or 450 ml) of whole
// blood a donor of this sex and weight may give, or 0 if the weight is below
// the minimum or unknown. TT26 Điều 4 khoản 2 điểm a: at least 42 kg for
// women and 45 kg for men; from 42 to under 45 kg at most 250 ml; from 45 kg
// at most 9 ml/kg and 500 ml. So 45 kg allows 405 ml, i.e. a 350 ml bag, and
// a 450 ml bag needs 50 kg. Apheresis is ApheresisAllowed.
func MaxVolumeML(female bool, kg float64) int {
	if !weightKnown(kg) {
		return 0
	}
	minKg := 45.0
	if female {
		minKg = 42
	}
	if kg < minKg {
		return 0
	}
	if kg < 45 {
		return 250
	}
	limit := math.Min(9*kg, 500)
	for _, v := range bagVolumesML {
		if float64(v) <= limit {
			return v
		}
	}
	return 0 // unreachable: 9 ml × 45 kg = 405 ml ≥ 250 ml
}

// apheresisMinKg is the minimum weight to give platelets or plasma by
// apheresis (TT26 Điều 4 khoản 2 điểm b).
const apheresisMinKg = 50

// ApheresisAllowed reports whether a donor of this weight may give by
// apheresis; false when the weight is unknown.
func ApheresisAllowed(kg float64) bool {
	return weightKnown(kg) && kg >= apheresisMinKg
}

// weightKnown rejects 0, negatives, NaN and infinities, which a broken
// profile could hold; NaN in particular would pass every "<" test.
func weightKnown(kg float64) bool {
	return kg > 0 && !math.IsInf(kg, 0)
}

// Age limits: from the 18th birthday to the day before the 61st (TT26 Điều 4
// khoản 1, "từ đủ 18 tuổi đến 60 tuổi").
const (
	minAgeYears   = 18
	limitAgeYears = 61
)

// anniversary is the day someone born on b turns n. For a 29 February birth
// in a non-leap year there are two conventions (28 Feb or 1 Mar); late picks
// 1 Mar. We pick late for the 18th birthday and early for the 61st, so that
// the age window is never wider than either convention allows.
func anniversary(b time.Time, n int, late bool) time.Time {
	b = day(b)
	if b.Month() == time.February && b.Day() == 29 && !isLeap(b.Year()+n) {
		if late {
			return time.Date(b.Year()+n, time.March, 1, 0, 0, 0, 0, time.UTC)
		}
		return time.Date(b.Year()+n, time.February, 28, 0, 0, 0, 0, time.UTC)
	}
	return b.AddDate(n, 0, 0)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// checkDonor adds the reasons that come from the profile and the records.
func (v *verdict) checkDonor(d Donor) {
	if d.BirthDate.IsZero() {
		v.notice(NoticeBirthDateUnknown)
	} else {
		// Under 18 is a deferral, not a refusal: we know the exact day.
		adult := anniversary(d.BirthDate, minAgeYears, true)
		v.deferral(Reason{Code: CodeUnder18, Until: adult, Basis: BasisExact})
		if !v.on.Before(anniversary(d.BirthDate, limitAgeYears, false)) {
			v.exclude(Reason{Code: CodeOver60, Basis: BasisExact}, false)
		}
	}
	if !weightKnown(d.WeightKg) {
		v.notice(NoticeWeightUnknown)
	} else if MaxVolumeML(d.Female, d.WeightKg) == 0 {
		// Not medical: no referral to a doctor.
		v.exclude(Reason{Code: CodeUnderweight, Basis: BasisExact}, false)
	}
	for _, r := range d.Deferrals {
		switch {
		case r.Permanent:
			// A permanent deferral in the records comes from the staff
			// (usually a test result): the donor should see a doctor.
			v.exclude(Reason{Code: r.Code, Basis: BasisExact}, true)
		case r.Until.IsZero():
			v.deferral(Reason{Code: r.Code, Basis: BasisUnknown})
		default:
			v.deferral(Reason{Code: r.Code, Until: day(r.Until), Basis: BasisExact})
		}
	}
}

// checkInterval adds the minimum interval after the last donation.
func (v *verdict) checkInterval(cfg Config, last *Donation, basis Basis) {
	if last == nil || last.Date.IsZero() {
		return
	}
	until := day(last.Date).AddDate(0, 0, cfg.intervalDays(last.Kind))
	v.deferral(Reason{Code: CodeDonationInterval, Until: until, Basis: basis})
}

// donationFrom merges the history's last donation with the answer to
// question 1 and returns the one to count from. The record has the exact day,
// so it wins when the answer gives no date, or a date (or month) no later
// than the record's; an answer naming a later date means a donation the
// records lack (another centre), counted from that day or the end of that
// month. A Yes without a date and no record is a donation nobody can date:
// known is false and no interval applies (TT26 leaves the check to the
// staff, who read the donor card); counting from today instead would defer
// a donor who last gave years ago for 12 weeks.
func donationFrom(rec *Donation, a Answer, ok bool, today time.Time) (last *Donation, basis Basis, known bool) {
	if !ok || !a.Yes {
		return rec, BasisExact, true
	}
	hasRec := rec != nil && !rec.Date.IsZero()
	if a.When == nil || a.When.IsZero() {
		return rec, BasisExact, hasRec
	}
	if hasRec {
		y, m, d := a.When.Date()
		answered := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		if a.Exact {
			answered = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		if !day(rec.Date).Before(answered) {
			return rec, BasisExact, true
		}
	}
	date, basis := eventDate(a, today, BasisToday)
	return &Donation{Date: date, Kind: a.Kind}, basis, true
}
