package mobsim

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"donorbot/screening"
)

// Donor is one simulated donor: the facts the bot stores and the chances
// that drive their answers.
type Donor struct {
	// Index is the donor's place in the population, 0-based.
	Index int
	// Unit is the donor's unit (an index into Params.UnitShares), -1: none.
	Unit      int
	Province  string
	Female    bool
	BirthDate time.Time
	WeightKg  float64
	// Donations is how many times they donated; LastDonation and LastKind
	// the last time (zero and "" if never).
	Donations    int
	LastDonation time.Time
	LastKind     screening.DonationKind
	// DeferredUntil is the end of an open deferral (zero: none); Permanent
	// a deferral with no end.
	DeferredUntil time.Time
	Permanent     bool
	// Respond, Show and DeskDeferral are the donor's own chances (Params).
	Respond, Show, DeskDeferral float64
	// Dates are the donor's donations before the first day, newest first
	// (Donations of them, the first LastDonation); Past their
	// registrations for the previous campaign's drives.
	Dates []time.Time
	Past  []PastVisit
	// factor is the donor's own multiplier of Respond, drawn once.
	factor float64
}

// Regular says whether the donor is a regular (three donations or more).
func (d Donor) Regular() bool { return d.Donations >= 3 }

// Generate makes the population of p on day today (a calendar date),
// from seed.
func Generate(p Params, seed uint64, today time.Time) []Donor {
	rng := rand.New(rand.NewPCG(seed, 0x6d6f6273696d)) // "mobsim"
	units := unitOf(p, rng)
	provinces := distinct(p.UnitProvinces)
	out := make([]Donor, p.Donors)
	for i := range out {
		d := Donor{Index: i, Unit: units[i]}
		if d.Unit >= 0 {
			d.Province = p.UnitProvinces[d.Unit]
		} else {
			d.Province = provinces[rng.IntN(len(provinces))]
		}
		d.Female = rng.Float64() < p.FemaleShare
		ageDays := (p.MinAge*365 + rng.IntN((p.MaxAge-p.MinAge+1)*365))
		d.BirthDate = today.AddDate(0, 0, -ageDays)
		d.WeightKg = weight(rng, d.Female)
		history(p, rng, today, &d)
		d.factor = 1 - p.Spread + 2*p.Spread*rng.Float64()
		chances(p, today, &d)
		past(p, seed, today, &d)
		chances(p, today, &d) // the previous campaign changed some histories

		out[i] = d
	}
	return out
}

// unitOf deals the units out by their shares, shuffled, so that a unit's
// members are spread over the population.
func unitOf(p Params, rng *rand.Rand) []int {
	units := make([]int, p.Donors)
	next := 0
	for u, share := range p.UnitShares {
		n := int(math.Round(share * float64(p.Donors)))
		for k := 0; k < n && next < p.Donors; k++ {
			units[next] = u
			next++
		}
	}
	for ; next < p.Donors; next++ {
		units[next] = -1
	}
	rng.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
	return units
}

func distinct(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// weight is normal around Vietnamese adult means (women 52 kg, men 62 kg),
// within what a donor's profile accepts.
func weight(rng *rand.Rand, female bool) float64 {
	mean, sd := 62.0, 8.0
	if female {
		mean, sd = 52, 7
	}
	kg := mean + sd*rng.NormFloat64()
	return math.Round(min(max(kg, 38), 110))
}

func history(p Params, rng *rand.Rand, today time.Time, d *Donor) {
	if rng.Float64() >= p.NeverDonatedShare {
		var ago int
		if rng.Float64() < p.RegularShare {
			d.Donations = 3 + rng.IntN(10)
			ago = 85 + rng.IntN(316)
		} else {
			d.Donations = 1 + rng.IntN(2)
			ago = 85 + rng.IntN(1416)
		}
		d.LastDonation = today.AddDate(0, 0, -ago)
		d.LastKind = screening.WholeBlood
		if rng.Float64() < p.PlateletShare {
			d.LastKind = screening.Platelets
		}
	}
	switch r := rng.Float64(); {
	case r < p.PermanentShare:
		d.Permanent = true
	case r < p.PermanentShare+p.DeferredShare:
		d.DeferredUntil = today.AddDate(0, 0, 1+rng.IntN(60))
	}
}

func chances(p Params, today time.Time, d *Donor) {
	base := p.RespondNever
	switch {
	case d.Donations == 0:
	case today.Sub(d.LastDonation) > 365*24*time.Hour:
		base = p.RespondLapsed
	case d.Regular():
		base = p.RespondRegular
	default:
		base = p.RespondOccasional
	}
	d.Respond = min(base*d.factor, p.MaxRespond)
	d.Show = p.ShowOther
	if d.Regular() {
		d.Show = p.ShowRegular
	}
	d.DeskDeferral = p.DeskDeferralMale
	if d.Female {
		d.DeskDeferral = p.DeskDeferralFemale
	}
}
