// Package blood decides which donors' blood groups can serve a patient's
// urgent need, using the standard ABO/Rh(D) compatibility rules for blood
// components (AABB Technical Manual, chapter on blood component selection;
// Vietnam's transfusion practice guideline, Thông tư 26/2013/TT-BYT).
//
// The bot only decides whom to ask. The hospital still types and
// cross-matches every unit before transfusion, which is the safety gate.
package blood

import "donorbot/profile"

// Component is what an urgent need asks for. The values are stored.
type Component string

// The components a need can ask for.
const (
	Whole     Component = "whole_blood"
	RedCells  Component = "red_cells"
	Platelets Component = "platelets"
	Plasma    Component = "plasma"
)

// Antigens on red cells. A group is the set of antigens its cells carry; its
// plasma carries antibodies against the ABO antigens it lacks.
const (
	antigenA uint8 = 1 << iota
	antigenB
	antigenD // Rh(D)
	abo      = antigenA | antigenB
)

// antigens returns the antigen set of a known group.
func antigens(g profile.BloodGroup) uint8 {
	var m uint8
	switch g.ABO() {
	case "A":
		m = antigenA
	case "B":
		m = antigenB
	case "AB":
		m = antigenA | antigenB
	}
	if g.RhPositive() {
		m |= antigenD
	}
	return m
}

// CanDonate reports whether component c given by a donor of group donor is
// compatible with a patient of group recipient. An unknown group or component
// never matches: nobody is asked on a guess.
//
//   - Red cells and whole blood: the donor's cells must carry no antigen the
//     patient lacks, or the patient's anti-A/anti-B destroys them, and an
//     Rh-negative patient would be immunized against D. So O- gives to all,
//     O+ to O+ A+ B+ AB+, A- to A- A+ AB- AB+, A+ to A+ AB+, B- to B- B+ AB-
//     AB+, B+ to B+ AB+, AB- to AB- AB+, AB+ to AB+ only.
//   - Plasma: the rule is reversed, since it is the donor's antibodies that
//     must not meet the patient's cells. AB gives to all, A to A and O, B to
//     B and O, O to O only. Plasma carries no red cells, so Rh is ignored.
//   - Platelets: the plasma rule for ABO (a platelet unit is suspended in
//     donor plasma), and an Rh-negative patient only from Rh-negative donors
//     (the few red cells in a unit can immunize against D).
func CanDonate(donor, recipient profile.BloodGroup, c Component) bool {
	if !donor.Known() || !recipient.Known() {
		return false
	}
	d, r := antigens(donor), antigens(recipient)
	switch c {
	case Whole, RedCells:
		return d&^r == 0
	case Plasma:
		return r&abo&^d == 0
	case Platelets:
		rhOK := r&antigenD != 0 || d&antigenD == 0
		return r&abo&^d == 0 && rhOK
	}
	return false
}
