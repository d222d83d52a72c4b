// Package urgent decides whom an urgent blood need reaches and in which
// order. It imports neither Telegram nor the database: storage hands it the
// candidates (club members or opted-in donors who are on call), it keeps the
// medically eligible ones of a compatible group and ranks them.
package urgent

import (
	"cmp"
	"slices"
	"time"

	"donorbot/blood"
	"donorbot/profile"
	"donorbot/screening"
)

// Audience is how far a need reaches. The values are stored.
type Audience string

// Audiences, narrowest first. Each widening keeps the donors of the one before.
const (
	// Same: club members of the patient's own ABO and Rh group.
	Same Audience = "same"
	// Compatible: club members of any group compatible for the component.
	Compatible Audience = "compatible"
	// All: compatible members, and compatible donors of the whole bot who
	// opted in to urgent alerts.
	All Audience = "all"
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool { return a == Same || a == Compatible || a == All }

// Wider reports whether a reaches further than b.
func (a Audience) Wider(b Audience) bool { return a.level() > b.level() }

func (a Audience) level() int {
	switch a {
	case Compatible:
		return 1
	case All:
		return 2
	}
	return 0
}

// Components a need may ask for; red cells are asked for as whole blood,
// which follows the same compatibility rule (blood.CanDonate).
var Components = []blood.Component{blood.Whole, blood.Platelets, blood.Plasma}

// Groups returns the donor groups a need for component c of a patient of
// group patient reaches with audience a, most suitable first. Same is the
// patient's own group only; wider audiences follow blood.Donors, so an
// Rh-negative patient needing red cells never reaches Rh-positive donors.
func Groups(patient profile.BloodGroup, c blood.Component, a Audience) []profile.BloodGroup {
	all := blood.Donors(patient, c)
	if a == Same && len(all) > 0 {
		return all[:1]
	}
	return all
}

// Candidate is a donor who might be alerted: on call, reachable, and in the
// club (or opted in), as storage found them.
type Candidate struct {
	TelegramID int64
	ChatID     int64
	Language   string
	Group      profile.BloodGroup
	// Province is the donor's province code ("" when they did not say).
	Province string
	// Donor is what the eligibility rules need (history and deferrals).
	Donor screening.Donor
	// Promise is the donation the donor is expected to give for another
	// need they accepted and have not withdrawn from (nil: none).
	Promise *Promise
}

// Promise is a standing accept of another need: a donation of Kind
// expected by that need's deadline, whose calendar day (in the bot's zone)
// is Day.
type Promise struct {
	Day  time.Time
	Kind screening.DonationKind
}

// keepPromise counts the donor's promise as their last donation when it is
// the later one. WHY: a donor who said "I can go" to one need will give
// blood by its deadline; alerting them for a second whole-blood need the
// same day asks for a donation they may not give for 12 weeks, and a
// double yes leaves one patient short. Judging the promise as a donation
// frees them exactly when the eligibility rules would after that donation
// (sooner after platelets or plasma), and a withdrawal, a cancelled need or
// the donation recorded in their history ends the promise.
func (c Candidate) keepPromise() screening.Donor {
	d := c.Donor
	if c.Promise == nil || d.LastDonation != nil && !c.Promise.Day.After(d.LastDonation.Date) {
		return d
	}
	// The screening answer about a donation elsewhere still counts when
	// it is the later one (screening takes the later of the two).
	d.LastDonation = &screening.Donation{Date: c.Promise.Day, Kind: c.Promise.Kind}
	return d
}

// Reach is where a need reaches: donors of its province (that of its
// hospital, else its club's), and donors of other provinces only once the
// admin widened it to them. A need of no known province reaches everyone.
type Reach struct {
	Province       string
	OtherProvinces bool
}

// place ranks a donor by where they live for a need of reach r: 0 in its
// province, 1 unknown (they did not say, and may live nearby), 2 elsewhere;
// -1 not reached. A need of no province ranks everyone 0.
func (r Reach) place(c Candidate) int {
	switch {
	case r.Province == "" || c.Province == r.Province:
		return 0
	case c.Province == "":
		return 1
	case r.OtherProvinces:
		return 2
	}
	return -1
}

// Match keeps the candidates of a group in groups whom reach r reaches and
// who are eligible (eligible judges the donor, on the need's deadline day:
// the caller's one eligibility rule), a promised donation counting as one
// (Candidate.Promise), ordered most suitable first: by where
// they live (the need's province first), by the position of their group in
// groups (the patient's own group first), then the longest since their
// last donation (never donated first), then Telegram id.
func Match(cands []Candidate, groups []profile.BloodGroup, r Reach, eligible func(screening.Donor) bool) []Candidate {
	out := []Candidate{}
	for _, c := range cands {
		if !slices.Contains(groups, c.Group) || r.place(c) < 0 || !eligible(c.keepPromise()) {
			continue
		}
		out = append(out, c)
	}
	last := func(c Candidate) time.Time {
		if c.Donor.LastDonation == nil {
			return time.Time{}
		}
		return c.Donor.LastDonation.Date
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		return cmp.Or(
			cmp.Compare(r.place(a), r.place(b)),
			cmp.Compare(slices.Index(groups, a.Group), slices.Index(groups, b.Group)),
			last(a).Compare(last(b)),
			cmp.Compare(a.TelegramID, b.TelegramID))
	})
	return out
}

// EligibleOn is screening's verdict on day alone (no fresh answers): the
// donation interval, open deferrals, age and weight. Handlers judge with
// their statusOn, which is screening.Evaluate too; this serves callers
// without them (storage tests, benchmarks).
func EligibleOn(day time.Time) func(screening.Donor) bool {
	return func(d screening.Donor) bool {
		return screening.Evaluate(screening.DefaultConfig(), d, nil, day, day).Status == screening.Eligible
	}
}
