package mobsim

import (
	"slices"
	"time"

	"donorbot/screening"
)

// Outcome is what became of a registration for a past drive, in the
// registrations table's words.
type Outcome string

// Outcomes of a past registration. The model has no cancellation: a donor
// who would not come is a no-show.
const (
	Attended Outcome = "attended" // came and donated
	Deferred Outcome = "deferred" // came, deferred at the desk
	NoShow   Outcome = "no_show"
)

// PastVisit is a donor's registration for one of the previous campaign's
// drives of their unit.
type PastVisit struct {
	// Drive indexes Params.PastDrivesAgo.
	Drive   int
	Outcome Outcome
}

// PastDay is the day of the previous campaign's drive k, today being the
// first day.
func (p Params) PastDay(today time.Time, k int) time.Time {
	return today.AddDate(0, 0, -p.PastDrivesAgo[k])
}

// pastKey names past drive k in Draw's key: negative, so that no drive
// id or message of the campaign meets it.
func pastKey(k int) int64 { return -1 - int64(k) }

// past plays the previous campaign for d: each drive of d's unit was
// announced to every member, and d answers it by the same chances as in
// the campaign (those of d's history before it), registers if the
// screening lets them give that day, comes and is deferred or donates.
// d's history is then rebuilt around what they gave there (mergeHistory).
func past(p Params, seed uint64, today time.Time, d *Donor) {
	var gave []time.Time
	for k := range p.PastDrivesAgo {
		if d.Unit < 0 {
			break
		}
		day := p.PastDay(today, k)
		if Draw(seed, d.Index, EventRespond, pastKey(k)) >= d.Respond || !d.eligibleAfter(gave, day) {
			continue
		}
		v := PastVisit{Drive: k, Outcome: NoShow}
		switch {
		case Draw(seed, d.Index, EventShow, pastKey(k)) >= d.Show:
		case Draw(seed, d.Index, EventDeskDeferral, pastKey(k)) < d.DeskDeferral:
			v.Outcome = Deferred
		default:
			v.Outcome = Attended
			gave = append(gave, day)
		}
		d.Past = append(d.Past, v)
	}
	mergeHistory(d, gave)
}

// eligibleAfter says whether the screening lets d give on day, their last
// donation being the latest of gave: the donations of the history that
// would stand in the way are the ones mergeHistory drops.
func (d Donor) eligibleAfter(gave []time.Time, day time.Time) bool {
	s := screening.Donor{BirthDate: d.BirthDate, Female: d.Female, WeightKg: d.WeightKg}
	if len(gave) > 0 {
		s.LastDonation = &screening.Donation{Date: gave[len(gave)-1], Kind: screening.WholeBlood}
	}
	if d.Permanent {
		s.Deferrals = []screening.Deferral{{Code: deferralCode, Permanent: true}}
	}
	return screening.Evaluate(screening.DefaultConfig(), s, nil, day, day).Status == screening.Eligible
}

// minGap is the whole-blood interval: two donations of one history are
// at least this far apart.
const minGap = 84 * 24 * time.Hour

// mergeHistory makes d's donations the past drives' (gave) and those of
// the generated history (the last, then one every four months before it)
// that are at least the interval away from them, so that the drives and
// the history agree.
func mergeHistory(d *Donor, gave []time.Time) {
	dates := slices.Clone(gave)
	lastKept := false
	for k := range d.Donations {
		date := d.LastDonation.AddDate(0, -4*k, 0)
		if slices.ContainsFunc(gave, func(g time.Time) bool { return g.Sub(date).Abs() < minGap }) {
			continue
		}
		dates = append(dates, date)
		lastKept = lastKept || k == 0
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return b.Compare(a) })
	d.Dates = dates
	d.Donations = len(dates)
	if len(dates) == 0 {
		return
	}
	if !lastKept || !dates[0].Equal(d.LastDonation) {
		d.LastKind = screening.WholeBlood
	}
	d.LastDonation = dates[0]
}

// GaveAt is the past drive of d's donation on date, -1 if none: the
// donations the bot links to their registration.
func (d Donor) GaveAt(p Params, today, date time.Time) int {
	for _, v := range d.Past {
		if v.Outcome == Attended && p.PastDay(today, v.Drive).Equal(date) {
			return v.Drive
		}
	}
	return -1
}

// ShowAndDonate is the model's chance that d, registered, comes and
// donates: what a unit's show-and-donate rate estimates.
func (d Donor) ShowAndDonate() float64 { return d.Show * (1 - d.DeskDeferral) }
