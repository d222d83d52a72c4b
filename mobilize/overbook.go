package mobilize

import "math"

// DefaultNoShowRate is the share of registered donors assumed not to come
// when a unit has no finished drive yet. It is the complement of
// DefaultRate (0.95 show and donate), rounded up to 0.10 because a
// deferral on site does not free a seat early but a no-show does not
// either: a seat added at this rate is one the drive would have left
// empty about once in ten.
const DefaultNoShowRate = 0.10

// PriorNoShows is how many past registrations the default no-show rate
// weighs as, for the same reason as PriorRegistrations: one rainy drive
// must not double a unit's overbooking.
const PriorNoShows = 30

// Attendance is what a unit's finished drives gave: of Registered donors
// holding a seat (every status but cancelled and waitlisted), NoShow never
// came.
type Attendance struct {
	Registered int
	NoShow     int
}

// NoShowRate is no_show ÷ registered, blended toward DefaultNoShowRate by
// PriorNoShows, bounded to [0, 1].
func (a Attendance) NoShowRate() float64 {
	return blendedRate(a.NoShow, a.Registered, DefaultNoShowRate, PriorNoShows)
}

// OverbookSeats is how many seats the no-show rate predicts will stay
// empty among booked confirmed seats: booked × rate, rounded to the
// nearest. Adding that many seats fills the drive as booked, on average;
// rounding down would leave the half-seat empty every time.
func OverbookSeats(booked int, noShowRate float64) int {
	if booked <= 0 || !(noShowRate > 0 && noShowRate < 1) {
		return 0
	}
	return int(math.Round(float64(booked) * noShowRate))
}

// SpreadSeats says how many of n new seats go to each slot, given how
// many donors wait on each slot's waitlist: a seat goes first where a
// donor waits (the slot with the most waiting, the earlier on a tie), so
// each seat is taken at once; seats beyond the waitlists go evenly, the
// earlier slots first.
func SpreadSeats(n int, waiting []int) []int {
	add := make([]int, len(waiting))
	if len(waiting) == 0 {
		return add
	}
	for range max(n, 0) {
		best := 0
		for i := range waiting {
			left, bestLeft := waiting[i]-add[i], waiting[best]-add[best]
			switch {
			case left > bestLeft:
				best = i
			case left == bestLeft && left <= 0 && add[i] < add[best]:
				best = i
			}
		}
		add[best]++
	}
	return add
}
