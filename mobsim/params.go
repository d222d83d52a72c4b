package mobsim

// Params are the population's parameters. Every default is a judgement,
// given with its reason, not a measurement: the point of the simulation
// is to compare strategies on one population, and a reader who disagrees
// with a default changes it here and reruns.
type Params struct {
	// Donors is the population's size.
	Donors int
	// UnitShares is each unit's share of the donors; the rest belong to no
	// unit and live in a province only. Unequal on purpose: a factory of
	// 8,000 and a school of 2,000 do not fill a drive the same way.
	UnitShares []float64
	// UnitProvinces is each unit's province (province codes); donors of no
	// unit are spread evenly over the distinct provinces.
	UnitProvinces []string

	// FemaleShare: about 40% of Vietnamese whole-blood donors are women.
	FemaleShare float64
	// MinAge and MaxAge bound the donors' ages (years) on the first day.
	// Above 60 is past the age limit (TT26): a few such members stay in a
	// unit's roll, as in real ones.
	MinAge, MaxAge int
	// NeverDonatedShare of the donors have no donation in their history:
	// new members, typically students and young workers.
	NeverDonatedShare float64
	// RegularShare of those who donated are regulars (3 to 12 donations,
	// the last 85 to 400 days ago); the others donated once or twice, the
	// last 85 to 1,500 days ago. Nobody donated in the last 84 days (the
	// whole-blood interval): a campaign is planned after the last one.
	RegularShare float64
	// PlateletShare of past donations were platelets (apheresis).
	PlateletShare float64
	// DeferredShare have an open temporary deferral ending within 60 days;
	// PermanentShare a permanent one.
	DeferredShare, PermanentShare float64

	// Respond is the chance that a donor registers after one message that
	// offers a drive (announcement, invitation or recall), by history:
	// regulars answer most, never-donated members least. Each donor's own
	// chance is this times a factor drawn once (Spread), capped at MaxRespond.
	RespondRegular, RespondOccasional, RespondNever float64
	// RespondLapsed replaces RespondOccasional and RespondRegular for a
	// donor whose last donation is over a year old: a lapsed donor has let
	// several announcements go by.
	RespondLapsed float64
	// InvitationLift multiplies the chance for an invitation (a personal
	// message saying "you may donate on that day"). 1: no lift is assumed,
	// since no measurement of one was found; the comparison then rests on
	// targeting alone.
	InvitationLift float64
	// Spread is the width of the per-donor factor: uniform in
	// [1-Spread, 1+Spread].
	Spread     float64
	MaxRespond float64

	// Show is the chance that a registered donor comes: regulars keep
	// appointments best.
	ShowRegular, ShowOther float64
	// DeskDeferral is the chance that a donor who comes is deferred at the
	// desk (haemoglobin, blood pressure, a cold), higher for women (low
	// haemoglobin is the first cause of deferral).
	DeskDeferralMale, DeskDeferralFemale float64
	// DeskDeferralDays is how long a desk deferral lasts.
	DeskDeferralDays int

	// DriveDays are the days of the campaign's drives ("Đợt 1..5"), counted
	// from the simulation's first day: one or two weeks apart, the first
	// far enough for a 10-day checkpoint.
	DriveDays []int
	// TargetShare is each unit's target per drive, as a share of its
	// members: near what announcing to every member gives by the chances
	// above (about 5% answer, 70% of them eligible, 85% come, 90% pass the
	// desk: 2.7%), so that neither strategy meets a target that is trivial
	// or hopeless.
	TargetShare float64
	// SeatsPerTarget is the seats a drive offers per unit of its target:
	// organizers plan for no-shows and deferrals.
	SeatsPerTarget float64
	// SlotsPerDrive is how many half-hour slots a drive has.
	SlotsPerDrive int

	// PastDrivesAgo are the days before the first day of the previous
	// campaign's drives, one per unit each, announced to every member: a
	// unit that used donorbot before has finished drives the bot learns
	// its show-and-donate rate from. Within the last 12 months and over
	// 84 days back, so that nobody who gave there is still in the
	// interval on the first day.
	PastDrivesAgo []int
}

// DefaultParams: 50,000 donors in 8 units of two provinces (Hưng Yên and
// Hà Nội, four units each) and 20% living in them outside any unit.
func DefaultParams() Params {
	return Params{
		Donors:             50_000,
		UnitShares:         []float64{0.16, 0.12, 0.10, 0.06, 0.14, 0.10, 0.07, 0.05},
		UnitProvinces:      []string{"hy", "hy", "hy", "hy", "hn", "hn", "hn", "hn"},
		FemaleShare:        0.40,
		MinAge:             18,
		MaxAge:             62,
		NeverDonatedShare:  0.35,
		RegularShare:       0.40,
		PlateletShare:      0.05,
		DeferredShare:      0.03,
		PermanentShare:     0.005,
		RespondRegular:     0.12,
		RespondOccasional:  0.06,
		RespondLapsed:      0.04,
		RespondNever:       0.02,
		InvitationLift:     1,
		Spread:             0.5,
		MaxRespond:         0.9,
		ShowRegular:        0.92,
		ShowOther:          0.80,
		DeskDeferralMale:   0.07,
		DeskDeferralFemale: 0.15,
		DeskDeferralDays:   14,
		DriveDays:          []int{12, 19, 33, 40, 54},
		TargetShare:        0.025,
		SeatsPerTarget:     1.5,
		SlotsPerDrive:      8,
		PastDrivesAgo:      []int{300, 150},
	}
}

// Scaled is p with n donors, the shares kept.
func (p Params) Scaled(n int) Params {
	p.Donors = n
	return p
}
