package mobsim

import (
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

var day0 = time.Date(2031, time.March, 3, 0, 0, 0, 0, time.UTC)

func TestSameSeedSamePopulation(t *testing.T) {
	p := DefaultParams().Scaled(3_000)
	a, b := Generate(p, 7, day0), Generate(p, 7, day0)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two populations of seed 7 differ")
	}
	if reflect.DeepEqual(a, Generate(p, 8, day0)) {
		t.Fatal("seeds 7 and 8 gave the same population")
	}
}

// TestPopulationShares: the population follows its parameters within a
// few standard errors (20,000 donors: ±1 point on a share of 40%).
func TestPopulationShares(t *testing.T) {
	p := DefaultParams().Scaled(20_000)
	pop := Generate(p, 1, day0)
	var female, never, deferred, permanent, noUnit int
	members := make([]int, len(p.UnitShares))
	for _, d := range pop {
		if d.Female {
			female++
		}
		if d.Donations == 0 {
			never++
			if !d.LastDonation.IsZero() || d.LastKind != "" {
				t.Fatalf("donor %d: never donated but last donation %v %q", d.Index, d.LastDonation, d.LastKind)
			}
		} else if gap := day0.Sub(d.LastDonation); gap < 85*24*time.Hour {
			t.Fatalf("donor %d donated %v before the first day: inside the interval", d.Index, gap)
		}
		if !d.DeferredUntil.IsZero() {
			deferred++
		}
		if d.Permanent {
			permanent++
		}
		if d.Unit < 0 {
			noUnit++
		} else {
			members[d.Unit]++
			if d.Province != p.UnitProvinces[d.Unit] {
				t.Fatalf("donor %d of unit %d lives in %q, the unit is in %q", d.Index, d.Unit, d.Province, p.UnitProvinces[d.Unit])
			}
		}
		if d.Respond <= 0 || d.Respond > p.MaxRespond || d.Show <= 0 || d.Show > 1 {
			t.Fatalf("donor %d: chances %+v", d.Index, d)
		}
		age := day0.Sub(d.BirthDate).Hours() / 24 / 365
		if age < float64(p.MinAge) || age > float64(p.MaxAge+1) {
			t.Fatalf("donor %d is %.1f years old", d.Index, age)
		}
	}
	n := float64(len(pop))
	near := func(name string, got int, want float64) {
		t.Helper()
		if math.Abs(float64(got)/n-want) > 4*math.Sqrt(want*(1-want)/n)+0.001 {
			t.Errorf("%s: %.4f of the donors, want about %.4f", name, float64(got)/n, want)
		}
	}
	near("women", female, p.FemaleShare)
	near("never donated", never, p.NeverDonatedShare)
	near("temporarily deferred", deferred, p.DeferredShare)
	near("permanently deferred", permanent, p.PermanentShare)
	rest := 1.0
	for u, share := range p.UnitShares {
		near("unit", members[u], share)
		rest -= share
	}
	near("no unit", noUnit, rest)
}

// TestAnswersDoNotDependOnOrder: a donor's answer is the same whoever was
// asked before, and the rates follow the chances.
func TestAnswersDoNotDependOnOrder(t *testing.T) {
	pop := New(DefaultParams().Scaled(5_000), 3, day0)
	first := make([]bool, len(pop.Donors))
	for i := range pop.Donors {
		first[i] = pop.Responds(i, 42, false)
	}
	var yes int
	var want float64
	for i := len(pop.Donors) - 1; i >= 0; i-- {
		if got := pop.Responds(i, 42, false); got != first[i] {
			t.Fatalf("donor %d answered %v, then %v", i, first[i], got)
		}
		if first[i] {
			yes++
		}
		want += pop.Donors[i].Respond
	}
	if sd := math.Sqrt(want); math.Abs(float64(yes)-want) > 4*sd {
		t.Errorf("%d donors answered, expected %.0f ± %.0f", yes, want, sd)
	}
}

func TestInvitationLift(t *testing.T) {
	p := DefaultParams().Scaled(5_000)
	p.InvitationLift = 2
	pop := New(p, 3, day0)
	var plain, invited int
	for i := range pop.Donors {
		for m := range int64(4) {
			if pop.Responds(i, m, false) {
				plain++
			}
			if pop.Responds(i, m, true) {
				invited++
			}
		}
	}
	if ratio := float64(invited) / float64(plain); ratio < 1.8 || ratio > 2.2 {
		t.Errorf("invitations answered %d, announcements %d: ratio %.2f, want about 2", invited, plain, ratio)
	}
}

func TestEligibility(t *testing.T) {
	base := Donor{BirthDate: day0.AddDate(-30, 0, 0), WeightKg: 60, Respond: 0.1}
	cases := []struct {
		name string
		edit func(*Donor)
		on   time.Time
		want bool
	}{
		{"never donated", func(*Donor) {}, day0, true},
		{"donated 84 days before", func(d *Donor) { d.Donate(day0.AddDate(0, 0, -84)) }, day0, true},
		{"donated 30 days before", func(d *Donor) { d.Donate(day0.AddDate(0, 0, -30)) }, day0, false},
		{"deferred until after the day", func(d *Donor) { d.DeferredUntil = day0.AddDate(0, 0, 3) }, day0, false},
		{"deferral over by the day", func(d *Donor) { d.DeferredUntil = day0.AddDate(0, 0, -1) }, day0, true},
		{"permanent deferral", func(d *Donor) { d.Permanent = true }, day0, false},
		{"61 years old", func(d *Donor) { d.BirthDate = day0.AddDate(-61, 0, 0) }, day0, false},
		{"underweight", func(d *Donor) { d.WeightKg = 40 }, day0, false},
	}
	for _, c := range cases {
		d := base
		c.edit(&d)
		if got := d.EligibleOn(c.on); got != c.want {
			t.Errorf("%s: eligible %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDrawIsUniform(t *testing.T) {
	var buckets [10]int
	for i := range 100_000 {
		x := Draw(9, i, EventShow, 5)
		if x < 0 || x >= 1 {
			t.Fatalf("draw %v outside [0, 1)", x)
		}
		buckets[int(x*10)]++
	}
	for b, n := range buckets {
		if n < 9_600 || n > 10_400 {
			t.Errorf("bucket %d holds %d of 100,000 draws", b, n)
		}
	}
}

func TestTargetsAndSeats(t *testing.T) {
	p := DefaultParams()
	cases := []struct{ members, target, perSlot int }{
		{8_000, 200, 38}, {2_000, 50, 10}, {10, 1, 1}, {0, 1, 1},
	}
	for _, c := range cases {
		target := p.Target(c.members)
		if target != c.target || p.SlotCapacity(target) != c.perSlot {
			t.Errorf("%d members: target %d, %d seats a slot; want %d, %d", c.members, target,
				p.SlotCapacity(target), c.target, c.perSlot)
		}
	}
	pop := New(p.Scaled(1_000), 1, day0)
	total := 0
	for _, n := range pop.Members() {
		total += n
	}
	if total != 800 {
		t.Errorf("units hold %d of 1,000 donors, want 800", total)
	}
}

// TestPastAgreesWithHistory: a donation at a past drive is one of the
// donor's donations, the last one when it is the latest, and no two
// donations of a history are closer than the whole-blood interval.
func TestPastAgreesWithHistory(t *testing.T) {
	p := DefaultParams().Scaled(20_000)
	var visits, gave int
	for _, d := range Generate(p, 3, day0) {
		if len(d.Dates) != d.Donations || (d.Donations > 0 && !d.Dates[0].Equal(d.LastDonation)) {
			t.Fatalf("donor %d: %d donations, dates %v, last %v", d.Index, d.Donations, d.Dates, d.LastDonation)
		}
		for k := 1; k < len(d.Dates); k++ {
			if d.Dates[k-1].Sub(d.Dates[k]) < minGap {
				t.Fatalf("donor %d: donations %v and %v inside the interval", d.Index, d.Dates[k], d.Dates[k-1])
			}
		}
		for _, v := range d.Past {
			visits++
			if d.Unit < 0 {
				t.Fatalf("donor %d of no unit registered for a unit's past drive", d.Index)
			}
			if v.Outcome == Attended {
				gave++
				if day := p.PastDay(day0, v.Drive); !slices.ContainsFunc(d.Dates, day.Equal) || d.GaveAt(p, day0, day) != v.Drive {
					t.Fatalf("donor %d gave at past drive %d, not in their dates %v", d.Index, v.Drive, d.Dates)
				}
			}
		}
	}
	// About 5% of 16,000 members answer each of two announcements.
	if visits < 800 || gave < visits/2 || gave == visits {
		t.Errorf("%d past registrations, %d donations", visits, gave)
	}
}
