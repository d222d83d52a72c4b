package blood

import (
	"cmp"
	"slices"

	"donorbot/profile"
)

// Donors returns the donor groups whose component c can go to a patient of
// group recipient, most suitable first, or nil for an unknown group or
// component. The order, each step breaking the ties of the one before:
//
//  1. The patient's own group: what every guideline prefers.
//  2. Rh-negative donors after Rh-positive ones whenever an Rh-positive
//     donor would do (Rh-positive patients; any patient for plasma).
//     Rh-negative donors are rare in Vietnam (roughly one person in a
//     thousand or fewer) and Rh-negative patients needing cells have no one
//     else, so they are asked last and stay available for them.
//  3. ABO-identical before merely ABO-compatible.
//  4. Donors who can serve fewer groups with c first, keeping universal ones
//     (O- red cells, AB plasma) for patients who can only take theirs.
//  5. The display order of profile.BloodGroups.
//
// A fresh slice is returned on each call; callers may keep or modify it.
func Donors(recipient profile.BloodGroup, c Component) []profile.BloodGroup {
	var out []profile.BloodGroup
	for _, g := range profile.BloodGroups {
		if CanDonate(g, recipient, c) {
			out = append(out, g)
		}
	}
	key := func(g profile.BloodGroup) [4]int {
		return [4]int{
			b2i(g != recipient),
			b2i(!g.RhPositive() && CanDonate(rhPositive(g), recipient, c)),
			b2i(g.ABO() != recipient.ABO()),
			reach(g, c),
		}
	}
	slices.SortStableFunc(out, func(a, b profile.BloodGroup) int {
		ka, kb := key(a), key(b)
		for i := range ka {
			if n := cmp.Compare(ka[i], kb[i]); n != 0 {
				return n
			}
		}
		return 0
	})
	return out
}

// rhPositive returns the Rh-positive group with the same ABO as g.
func rhPositive(g profile.BloodGroup) profile.BloodGroup {
	return profile.BloodGroup(g.ABO() + "+")
}

// reach counts the groups a donor of group g can give component c to.
func reach(g profile.BloodGroup, c Component) int {
	n := 0
	for _, r := range profile.BloodGroups {
		if CanDonate(g, r, c) {
			n++
		}
	}
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
