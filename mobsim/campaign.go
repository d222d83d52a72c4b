package mobsim

import "math"

// Members counts each unit's members.
func (pop *Population) Members() []int {
	out := make([]int, len(pop.Params.UnitShares))
	for _, d := range pop.Donors {
		if d.Unit >= 0 {
			out[d.Unit]++
		}
	}
	return out
}

// Target is the target per drive of a unit of members (at least 1).
func (p Params) Target(members int) int {
	return max(int(math.Round(float64(members)*p.TargetShare)), 1)
}

// SlotCapacity is the seats per slot of a drive of target: SeatsPerTarget
// seats per unit, spread over SlotsPerDrive slots, rounded up.
func (p Params) SlotCapacity(target int) int {
	return max(int(math.Ceil(float64(target)*p.SeatsPerTarget/float64(p.SlotsPerDrive))), 1)
}
