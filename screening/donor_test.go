package screening

import (
	"math"
	"slices"
	"testing"
	"time"
)

// Age (TT26 Điều 4 khoản 1) and weight/volume (Điều 4 khoản 2 điểm a).
func TestEvaluateProfile(t *testing.T) {
	w := func(kg float64) Donor { return withWeight(woman(), kg) }
	m := func(kg float64) Donor { return withWeight(man(), kg) }
	runEval(t, []evalCase{
		// 18th birthday is eligible.
		{name: "18th birthday", donor: bornOn(date(2008, time.March, 10)), status: Eligible, volume: 450},
		// The day before: deferred to the birthday, an exact date.
		{name: "day before 18", donor: bornOn(date(2008, time.March, 11)), status: Deferred,
			until: date(2026, time.March, 11), codes: []Code{CodeUnder18}, bases: []Basis{BasisExact}},
		// The day before the 61st birthday is still eligible.
		{name: "day before 61", donor: bornOn(date(1965, time.March, 11)), status: Eligible, volume: 450},
		// The 61st birthday is not; not medical, so no doctor notice.
		{name: "61st birthday", donor: bornOn(date(1965, time.March, 10)), status: NotEligible,
			codes: []Code{CodeOver60}, notices: []Notice{}},
		// Born 29 Feb: 18 on 1 Mar in a non-leap year (the later reading).
		{name: "29 Feb, 28 Feb at 18", donor: bornOn(date(2008, time.February, 29)), on: date(2026, time.February, 28),
			status: Deferred, until: date(2026, time.March, 1), codes: []Code{CodeUnder18}},
		// Born 29 Feb: 61 on 28 Feb in a non-leap year (the earlier reading).
		{name: "29 Feb, 28 Feb at 61", donor: bornOn(date(1964, time.February, 29)), on: date(2025, time.February, 28),
			status: NotEligible, codes: []Code{CodeOver60}},
		// ... and eligible the day before.
		{name: "29 Feb, 27 Feb at 60", donor: bornOn(date(1964, time.February, 29)), on: date(2025, time.February, 27),
			status: Eligible, volume: 450},
		// Women: at least 42 kg; 42 to under 45 kg at most 250 ml.
		{name: "woman 41.9", donor: w(41.9), status: NotEligible, codes: []Code{CodeUnderweight}, notices: []Notice{}},
		{name: "woman 42", donor: w(42), status: Eligible, volume: 250},
		{name: "woman 44.9", donor: w(44.9), status: Eligible, volume: 250},
		// From 45 kg: 9 ml/kg, 405 ml -> 350 ml bag.
		{name: "woman 45", donor: w(45), status: Eligible, volume: 350},
		// 449.1 ml -> still 350 ml.
		{name: "woman 49.9", donor: w(49.9), status: Eligible, volume: 350},
		// 450 ml needs 50 kg.
		{name: "woman 50", donor: w(50), status: Eligible, volume: 450},
		// Men: at least 45 kg, so 41.9, 42 and 44.9 are not eligible.
		{name: "man 41.9", donor: m(41.9), status: NotEligible, codes: []Code{CodeUnderweight}},
		{name: "man 42", donor: m(42), status: NotEligible, codes: []Code{CodeUnderweight}},
		{name: "man 44.9", donor: m(44.9), status: NotEligible, codes: []Code{CodeUnderweight}},
		{name: "man 45", donor: m(45), status: Eligible, volume: 350},
		{name: "man 49.9", donor: m(49.9), status: Eligible, volume: 350},
		{name: "man 50", donor: m(50), status: Eligible, volume: 450},
		// 500 ml cap: 56 kg allows 504 ml by weight, still a 450 ml bag.
		{name: "man 56", donor: m(56), status: Eligible, volume: 450},
		// Unknown weight: not checked, volume 0, the UI is told.
		{name: "weight unknown", donor: m(0), status: Eligible, notices: []Notice{NoticeWeightUnknown}},
		// Unknown birth date: not checked, the UI is told.
		{name: "birth date unknown", donor: bornOn(time.Time{}), status: Eligible, volume: 450,
			notices: []Notice{NoticeBirthDateUnknown}},
		// Underweight and too old: both listed, neither medical.
		{name: "two profile refusals", donor: withWeight(bornOn(date(1960, time.January, 1)), 40), status: NotEligible,
			codes: []Code{CodeOver60, CodeUnderweight}, notices: []Notice{}},
		// Record deferrals: dated, open-ended, permanent, expired.
		{name: "record dated", donor: withRecord(Deferral{Code: "low_hb", Until: today.AddDate(0, 0, 1)}),
			status: Deferred, until: today.AddDate(0, 0, 1), codes: []Code{"low_hb"}},
		{name: "record ends today", donor: withRecord(Deferral{Code: "low_hb", Until: today}), status: Eligible, volume: 450},
		{name: "record open", donor: withRecord(Deferral{Code: "staff_hold"}), status: Deferred,
			codes: []Code{"staff_hold"}, bases: []Basis{BasisUnknown}},
		{name: "record permanent", donor: withRecord(Deferral{Code: "hbv_positive", Permanent: true}), status: NotEligible,
			codes: []Code{"hbv_positive"}, notices: []Notice{NoticeSeeDoctor}},
	})
}

func withRecord(r Deferral) Donor { d := man(); d.Deferrals = []Deferral{r}; return d }

func TestMaxVolumeMLBadWeights(t *testing.T) {
	for _, kg := range []float64{0, -50, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := MaxVolumeML(false, kg); got != 0 {
			t.Errorf("MaxVolumeML(%v) = %d, want 0", kg, got)
		}
	}
}

// NextEligible for /eligibility: history, records and age only.
func TestNextEligible(t *testing.T) {
	aged := func(born time.Time, days int) Donor {
		d := lastGave(days, WholeBlood)
		d.BirthDate = born
		return d
	}
	cases := []struct {
		name  string
		donor Donor
		want  time.Time
		codes []Code
	}{
		// Nothing pending: today.
		{"eligible now", man(), today, nil},
		// Điều 6 khoản 1: 10 days ago -> 74 days from now.
		{"after whole blood", lastGave(10, WholeBlood), today.AddDate(0, 0, 74), []Code{CodeDonationInterval}},
		// Under 18 and an interval: the later of the two.
		{"under 18 and interval", aged(date(2008, time.March, 20), 80),
			date(2026, time.March, 20), []Code{CodeDonationInterval, CodeUnder18}},
		// Interval ending on the 61st birthday: never.
		{"ages out first", aged(date(1965, time.March, 14), 80), time.Time{}, []Code{CodeDonationInterval, CodeOver60}},
		// Interval ending the day before the 61st birthday: that day.
		{"just in time", aged(date(1965, time.March, 15), 80), date(2026, time.March, 14), []Code{CodeDonationInterval}},
		// Permanent record: never.
		{"permanent", withRecord(Deferral{Code: "hiv", Permanent: true}), time.Time{}, []Code{"hiv"}},
		// Open record: unknown.
		{"open record", withRecord(Deferral{Code: "staff_hold"}), time.Time{}, []Code{"staff_hold"}},
		// Underweight: never, as far as the profile tells.
		{"underweight", withWeight(man(), 44), time.Time{}, []Code{CodeUnderweight}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reasons := NextEligible(Config{}, c.donor, today)
			var codes []Code
			for _, r := range reasons {
				codes = append(codes, r.Code)
			}
			if !got.Equal(c.want) || !slices.Equal(codes, c.codes) {
				t.Errorf("NextEligible = %s %v, want %s %v", got.Format(time.DateOnly), codes,
					c.want.Format(time.DateOnly), c.codes)
			}
		})
	}
}

// Times in Asia/Ho_Chi_Minh are taken at their local calendar date: 06:30
// on 10 Mar in Hanoi is 23:30 on 9 Mar in UTC, and must count as 10 Mar.
func TestLocalCalendarDate(t *testing.T) {
	hcm := time.FixedZone("ICT", 7*3600)
	d := man()
	d.LastDonation = &Donation{Date: time.Date(2025, time.December, 16, 6, 30, 0, 0, hcm), Kind: WholeBlood}
	res := Evaluate(Config{}, d, nil, time.Date(2026, time.March, 10, 6, 30, 0, 0, hcm), today)
	if res.Status != Eligible {
		t.Errorf("84 days by local dates: status = %s, reasons %+v", res.Status, res.Reasons)
	}
}
