package blood

import (
	"slices"
	"testing"

	"donorbot/profile"
)

// Compatibility matrices, donor (row) -> recipient (column), columns in the
// order of profile.BloodGroups: O+ O- A+ A- B+ B- AB+ AB-. "x" means
// compatible. They are written out from the standard ABO/Rh(D) tables (AABB
// Technical Manual; Thông tư 26/2013/TT-BYT), not derived from the code.
var (
	// Red cells and whole blood: donor cells must carry no antigen (A, B, D)
	// that the recipient lacks.
	redCellTable = map[profile.BloodGroup]string{
		//                  O+O-A+A-B+B-ABAB
		//                                + -
		profile.BloodOPos:  "x.x.x.x.", // O+ -> O+ A+ B+ AB+
		profile.BloodONeg:  "xxxxxxxx", // O- -> all (universal red cell donor)
		profile.BloodAPos:  "..x...x.", // A+ -> A+ AB+
		profile.BloodANeg:  "..xx..xx", // A- -> A- A+ AB- AB+
		profile.BloodBPos:  "....x.x.", // B+ -> B+ AB+
		profile.BloodBNeg:  "....xxxx", // B- -> B- B+ AB- AB+
		profile.BloodABPos: "......x.", // AB+ -> AB+ only
		profile.BloodABNeg: "......xx", // AB- -> AB- AB+
	}
	// Plasma: reversed ABO rule (donor antibodies must not meet recipient
	// antigens); Rh does not matter.
	plasmaTable = map[profile.BloodGroup]string{
		profile.BloodOPos:  "xx......", // O -> O only
		profile.BloodONeg:  "xx......", // O -> O only
		profile.BloodAPos:  "xxxx....", // A -> A, O
		profile.BloodANeg:  "xxxx....", // A -> A, O
		profile.BloodBPos:  "xx..xx..", // B -> B, O
		profile.BloodBNeg:  "xx..xx..", // B -> B, O
		profile.BloodABPos: "xxxxxxxx", // AB -> all (universal plasma donor)
		profile.BloodABNeg: "xxxxxxxx", // AB -> all
	}
	// Platelets: plasma rule for ABO, and Rh-negative recipients only from
	// Rh-negative donors (so Rh+ rows are empty in the "-" columns).
	plateletTable = map[profile.BloodGroup]string{
		profile.BloodOPos:  "x.......", // O -> O; Rh+ -> Rh+ only
		profile.BloodONeg:  "xx......", // O -> O
		profile.BloodAPos:  "x.x.....", // A -> A, O; Rh+ -> Rh+ only
		profile.BloodANeg:  "xxxx....", // A -> A, O
		profile.BloodBPos:  "x...x...", // B -> B, O; Rh+ -> Rh+ only
		profile.BloodBNeg:  "xx..xx..", // B -> B, O
		profile.BloodABPos: "x.x.x.x.", // AB -> all; Rh+ -> Rh+ only
		profile.BloodABNeg: "xxxxxxxx", // AB -> all
	}
)

func TestCanDonate(t *testing.T) {
	for _, tc := range []struct {
		c     Component
		table map[profile.BloodGroup]string
	}{
		{RedCells, redCellTable},
		{Whole, redCellTable}, // whole blood follows the red cell rule
		{Plasma, plasmaTable},
		{Platelets, plateletTable},
	} {
		for _, donor := range profile.BloodGroups {
			for j, recipient := range profile.BloodGroups {
				want := tc.table[donor][j] == 'x'
				if got := CanDonate(donor, recipient, tc.c); got != want {
					t.Errorf("CanDonate(%s -> %s, %s) = %v, want %v", donor, recipient, tc.c, got, want)
				}
			}
		}
	}
}

// Rh-negative recipients never receive Rh-positive red cells or whole blood,
// whatever the ABO groups.
func TestRhNegativeNeverGetsRhPositiveCells(t *testing.T) {
	for _, c := range []Component{Whole, RedCells, Platelets} {
		for _, donor := range profile.BloodGroups {
			for _, recipient := range profile.BloodGroups {
				if donor.RhPositive() && !recipient.RhPositive() && CanDonate(donor, recipient, c) {
					t.Errorf("CanDonate(%s -> %s, %s) = true", donor, recipient, c)
				}
			}
		}
	}
}

func TestCanDonateUnknown(t *testing.T) {
	odd := []profile.BloodGroup{profile.BloodUnknown, "X+", "o+", "A"}
	for _, c := range []Component{Whole, RedCells, Platelets, Plasma} {
		for _, g := range profile.BloodGroups {
			for _, u := range odd {
				if CanDonate(u, g, c) || CanDonate(g, u, c) {
					t.Errorf("%q with %s (%s) matched", u, g, c)
				}
			}
		}
	}
	if CanDonate(profile.BloodONeg, profile.BloodONeg, "serum") {
		t.Error("unknown component matched")
	}
}

func TestDonorsOrder(t *testing.T) {
	g := func(s ...profile.BloodGroup) []profile.BloodGroup { return s }
	const (
		op, on, ap, an = profile.BloodOPos, profile.BloodONeg, profile.BloodAPos, profile.BloodANeg
		bp, bn, abp    = profile.BloodBPos, profile.BloodBNeg, profile.BloodABPos
		abn            = profile.BloodABNeg
	)
	for _, tc := range []struct {
		recipient profile.BloodGroup
		c         Component
		want      []profile.BloodGroup
	}{
		{on, RedCells, g(on)},
		{op, RedCells, g(op, on)},
		// Own group, then O+ before A- to spare the rare Rh-negative donor.
		{ap, RedCells, g(ap, op, an, on)},
		{an, Whole, g(an, on)},
		// Same Rh first; within it ABO-identical, then the least universal;
		// O- (universal) last of all.
		{abp, RedCells, g(abp, ap, bp, op, abn, an, bn, on)},
		{abn, RedCells, g(abn, an, bn, on)},
		{op, Plasma, g(op, ap, bp, abp, on, an, bn, abn)},
		// Rh does not matter for plasma, so Rh-positive donors are asked
		// before Rh-negative ones even for an O- patient.
		{on, Plasma, g(on, op, ap, bp, abp, an, bn, abn)},
		{ap, Plasma, g(ap, abp, an, abn)},
		{abp, Plasma, g(abp, abn)},
		{on, Platelets, g(on, an, bn, abn)},
		{bp, Platelets, g(bp, abp, bn, abn)},
		{abn, Platelets, g(abn)},
		{profile.BloodUnknown, RedCells, nil},
		{op, "serum", nil},
	} {
		if got := Donors(tc.recipient, tc.c); !slices.Equal(got, tc.want) {
			t.Errorf("Donors(%q, %s) = %v, want %v", tc.recipient, tc.c, got, tc.want)
		}
	}
}

// Donors lists exactly the compatible groups, each once, own group first.
func TestDonorsMatchesCanDonate(t *testing.T) {
	for _, c := range []Component{Whole, RedCells, Platelets, Plasma} {
		for _, r := range profile.BloodGroups {
			got := Donors(r, c)
			if len(got) == 0 || got[0] != r {
				t.Errorf("Donors(%s, %s) = %v: own group not first", r, c, got)
			}
			for _, d := range profile.BloodGroups {
				n := 0
				for _, x := range got {
					if x == d {
						n++
					}
				}
				if want := b2i(CanDonate(d, r, c)); n != want {
					t.Errorf("Donors(%s, %s) = %v: %s listed %d times, want %d", r, c, got, d, n, want)
				}
			}
		}
	}
}

func TestDonorsFreshSlice(t *testing.T) {
	a := Donors(profile.BloodABPos, RedCells)
	a[0] = "X"
	if b := Donors(profile.BloodABPos, RedCells); b[0] != profile.BloodABPos {
		t.Errorf("modifying a result changed the next one: %v", b)
	}
}
