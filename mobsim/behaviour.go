package mobsim

import (
	"time"

	"donorbot/screening"
)

// Population is the donors and what decides their answers.
type Population struct {
	Params Params
	Seed   uint64
	Donors []Donor
}

// New generates the population of p from seed on day today.
func New(p Params, seed uint64, today time.Time) *Population {
	return &Population{Params: p, Seed: seed, Donors: Generate(p, seed, today)}
}

// Responds says whether donor i registers after message (a number that
// names the message, e.g. its position in the run's log) offering a drive;
// invitation says whether it was an invitation (Params.InvitationLift).
func (pop *Population) Responds(i int, message int64, invitation bool) bool {
	chance := pop.Donors[i].Respond
	if invitation {
		chance = min(chance*pop.Params.InvitationLift, pop.Params.MaxRespond)
	}
	return Draw(pop.Seed, i, EventRespond, message) < chance
}

// ShowsUp says whether donor i comes to the drive they registered for.
func (pop *Population) ShowsUp(i int, driveID int64) bool {
	return Draw(pop.Seed, i, EventShow, driveID) < pop.Donors[i].Show
}

// DeferredAtDesk says whether donor i, come to the drive, is deferred.
func (pop *Population) DeferredAtDesk(i int, driveID int64) bool {
	return Draw(pop.Seed, i, EventDeskDeferral, driveID) < pop.Donors[i].DeskDeferral
}

// Pick is the option (of n, n > 0) donor i takes, e.g. which offered slot.
func (pop *Population) Pick(i int, driveID int64, n int) int {
	return int(Draw(pop.Seed, i, EventSlot, driveID) * float64(n))
}

// Screening is what the bot's eligibility rule knows of the donor.
func (d Donor) Screening() screening.Donor {
	s := screening.Donor{BirthDate: d.BirthDate, Female: d.Female, WeightKg: d.WeightKg}
	if d.Donations > 0 {
		s.LastDonation = &screening.Donation{Date: d.LastDonation, Kind: d.LastKind}
	}
	switch {
	case d.Permanent:
		s.Deferrals = []screening.Deferral{{Code: deferralCode, Permanent: true}}
	case !d.DeferredUntil.IsZero():
		s.Deferrals = []screening.Deferral{{Code: deferralCode, Until: d.DeferredUntil}}
	}
	return s
}

// EligibleOn says whether the bot's one eligibility rule lets the donor
// give on day: what the screening at registration would find.
func (d Donor) EligibleOn(day time.Time) bool {
	return screening.Evaluate(screening.DefaultConfig(), d.Screening(), nil, day, day).Status == screening.Eligible
}

// Donate records, in the model, a donation of whole blood on day.
func (d *Donor) Donate(day time.Time) {
	d.Donations++
	d.LastDonation, d.LastKind = day, screening.WholeBlood
	d.Dates = append([]time.Time{day}, d.Dates...)
}

// Defer records, in the model, a desk deferral from day for p's days.
func (pop *Population) Defer(i int, day time.Time) {
	pop.Donors[i].DeferredUntil = day.AddDate(0, 0, pop.Params.DeskDeferralDays)
}

// deferralCode is the code of the deferrals the simulation stores: the
// desk's (storage.RecordOnSiteDeferral), also used for those of the
// history.
const deferralCode = screening.Code("on_site")

// DeferralCode is deferralCode as the deferrals table stores it.
const DeferralCode = string(deferralCode)
