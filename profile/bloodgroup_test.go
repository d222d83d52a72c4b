package profile

import (
	"errors"
	"testing"
)

func TestParseBloodGroup(t *testing.T) {
	ok := map[string]BloodGroup{
		"O+": BloodOPos, "O-": BloodONeg, "A+": BloodAPos, "A-": BloodANeg,
		"B+": BloodBPos, "B-": BloodBNeg, "AB+": BloodABPos, "AB-": BloodABNeg,
		"o+":                     BloodOPos,
		"ab-":                    BloodABNeg,
		"A Rh+":                  BloodAPos,
		"AB rh-":                 BloodABNeg,
		"O Rh(+)":                BloodOPos,
		"A Rh(-)":                BloodANeg,
		"B âm":                   BloodBNeg,
		"B dương":                BloodBPos,
		"b duong":                BloodBPos,
		"AB Âm":                  BloodABNeg,
		"B a\u0302m":             BloodBNeg, // decomposed (NFD) âm
		"O Rh dương tính":        BloodOPos,
		"Nhóm máu AB Rh âm tính": BloodABNeg,
		"nhóm máu O+":            BloodOPos,
		" ab + ":                 BloodABPos,
		"A\u00a0+":               BloodAPos, // no-break space
		"0+":                     BloodOPos, // zero typed for O
		"0 rh-":                  BloodONeg,
		"O−":                     BloodONeg, // U+2212 minus sign
		"A–":                     BloodANeg, // en dash from smart punctuation
		"B＋":                     BloodBPos, // fullwidth plus
		"AB positive":            BloodABPos,
		"o negative":             BloodONeg,
	}
	for in, want := range ok {
		got, err := ParseBloodGroup(in)
		if got != want || err != nil {
			t.Errorf("ParseBloodGroup(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", " ", "A", "AB", "O", "rh+", "+", "-", "C+", "A+-", "A++", "A--",
		"ABO+", "BA+", "A + B", "AB+ O+", "O+ maybe", "A Rh", "AB rh+-",
		"unknown", "không biết", "?", "A+.", "A positive!", "AB duongg", "nhóm máu",
	} {
		got, err := ParseBloodGroup(in)
		if got != BloodUnknown || !errors.Is(err, ErrBloodGroupInvalid) {
			t.Errorf("ParseBloodGroup(%q) = %q, %v; want ErrBloodGroupInvalid", in, got, err)
		}
	}
}

func TestBloodGroupMethods(t *testing.T) {
	for _, tc := range []struct {
		g     BloodGroup
		known bool
		abo   string
		pos   bool
	}{
		{BloodOPos, true, "O", true},
		{BloodONeg, true, "O", false},
		{BloodAPos, true, "A", true},
		{BloodANeg, true, "A", false},
		{BloodBPos, true, "B", true},
		{BloodBNeg, true, "B", false},
		{BloodABPos, true, "AB", true},
		{BloodABNeg, true, "AB", false},
		{BloodUnknown, false, "", false},
		{"X+", false, "", false},
		{"ab+", false, "", false}, // only the canonical spelling is a group
		{"+", false, "", false},
	} {
		if got := tc.g.Known(); got != tc.known {
			t.Errorf("%q.Known() = %v", tc.g, got)
		}
		if got := tc.g.ABO(); got != tc.abo {
			t.Errorf("%q.ABO() = %q, want %q", tc.g, got, tc.abo)
		}
		if got := tc.g.RhPositive(); got != tc.pos {
			t.Errorf("%q.RhPositive() = %v", tc.g, got)
		}
	}
}

func TestBloodGroupsOrder(t *testing.T) {
	want := [...]BloodGroup{"O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-"}
	if BloodGroups != want {
		t.Errorf("BloodGroups = %v, want %v", BloodGroups, want)
	}
}
