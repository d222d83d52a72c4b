package screening

import (
	"slices"
	"testing"
	"time"
)

// today is the fixed answering day of every test: Tuesday 10 March 2026.
var today = date(2026, time.March, 10)

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// monthOf returns a pointer to the first of a month, as ParseMonthYear does.
func monthOf(y int, m time.Month) *time.Time {
	t := date(y, m, 1)
	return &t
}

func yes(q QuestionID) Answer { return Answer{Question: q, Yes: true} }

func yesIn(q QuestionID, when *time.Time) Answer {
	return Answer{Question: q, Yes: true, When: when}
}

func donated(when *time.Time, k DonationKind) Answer {
	return Answer{Question: QDonatedBefore, Yes: true, When: when, Kind: k}
}

// man and woman are 35-year-olds (on today) heavy enough for 450 ml.
func man() Donor { return Donor{BirthDate: date(1990, time.June, 15), WeightKg: 70} }

func woman() Donor {
	d := man()
	d.Female = true
	return d
}

func withWeight(d Donor, kg float64) Donor { d.WeightKg = kg; return d }

func bornOn(t time.Time) Donor { d := man(); d.BirthDate = t; return d }

func lastGave(days int, k DonationKind) Donor {
	d := man()
	d.LastDonation = &Donation{Date: today.AddDate(0, 0, -days), Kind: k}
	return d
}

// evalCase is one row of an Evaluate table. Zero on means the drive is
// today; nil bases skips the Basis check; zero volume expects 0.
type evalCase struct {
	name    string
	cfg     Config
	donor   Donor
	answers []Answer
	on      time.Time
	status  Status
	until   time.Time
	codes   []Code
	bases   []Basis
	volume  int
	notices []Notice // checked after NoticeFinalDecisionByStaff when non-nil
}

func runEval(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			on := c.on
			if on.IsZero() {
				on = today
			}
			res := Evaluate(c.cfg, c.donor, c.answers, on, today)
			if res.Status != c.status {
				t.Errorf("status = %s, want %s (reasons %+v)", res.Status, c.status, res.Reasons)
			}
			if !res.Until.Equal(c.until) {
				t.Errorf("until = %s, want %s", res.Until.Format(time.DateOnly), c.until.Format(time.DateOnly))
			}
			var codes []Code
			var bases []Basis
			for _, r := range res.Reasons {
				codes = append(codes, r.Code)
				bases = append(bases, r.Basis)
			}
			if !slices.Equal(codes, c.codes) {
				t.Errorf("codes = %v, want %v", codes, c.codes)
			}
			if c.bases != nil && !slices.Equal(bases, c.bases) {
				t.Errorf("bases = %v, want %v", bases, c.bases)
			}
			if res.MaxVolumeML != c.volume {
				t.Errorf("volume = %d, want %d", res.MaxVolumeML, c.volume)
			}
			// The staff notice is on every result, first.
			if len(res.Notices) == 0 || res.Notices[0] != NoticeFinalDecisionByStaff {
				t.Fatalf("notices = %v, want %s first", res.Notices, NoticeFinalDecisionByStaff)
			}
			if c.notices != nil && !slices.Equal(res.Notices[1:], c.notices) {
				t.Errorf("notices = %v, want staff notice then %v", res.Notices, c.notices)
			}
		})
	}
}
