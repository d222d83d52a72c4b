package profile

import (
	"strings"
	"unicode"

	"donorbot/accent"
)

// BloodGroup is an ABO group with its Rh(D) sign, e.g. "AB-". The zero value
// BloodUnknown records a donor who does not know their group.
type BloodGroup string

// The eight ABO/Rh(D) groups, and BloodUnknown.
const (
	BloodOPos    BloodGroup = "O+"
	BloodONeg    BloodGroup = "O-"
	BloodAPos    BloodGroup = "A+"
	BloodANeg    BloodGroup = "A-"
	BloodBPos    BloodGroup = "B+"
	BloodBNeg    BloodGroup = "B-"
	BloodABPos   BloodGroup = "AB+"
	BloodABNeg   BloodGroup = "AB-"
	BloodUnknown BloodGroup = ""
)

// BloodGroups lists the eight known groups in a stable display order
// (for keyboards and reports): O, A, B, AB, positive before negative.
var BloodGroups = [...]BloodGroup{
	BloodOPos, BloodONeg, BloodAPos, BloodANeg,
	BloodBPos, BloodBNeg, BloodABPos, BloodABNeg,
}

// Known reports whether g is one of the eight groups. BloodUnknown and any
// other string are not known.
func (g BloodGroup) Known() bool {
	for _, k := range BloodGroups {
		if g == k {
			return true
		}
	}
	return false
}

// ABO returns "O", "A", "B" or "AB", or "" when g is not Known.
func (g BloodGroup) ABO() string {
	if !g.Known() {
		return ""
	}
	return string(g[:len(g)-1])
}

// RhPositive reports whether g is Rh(D) positive. It is false for groups that
// are not Known, so check Known first when that matters.
func (g BloodGroup) RhPositive() bool {
	return g.Known() && g[len(g)-1] == '+'
}

// ParseBloodGroup reads a blood group as donors write it: "o+", "A Rh+",
// "AB rh-", "O Rh(+)", " ab + ", "B âm" / "B dương" (negative / positive,
// also "âm tính" / "dương tính"), an optional "nhóm máu" prefix, and "0" for
// "O" as typed on number pads. The Rh sign is required: "A" alone is
// ambiguous. It never returns BloodUnknown: "I don't know" is a separate
// choice in the conversation, not something to guess from free text.
func ParseBloodGroup(s string) (BloodGroup, error) {
	var b strings.Builder
	for _, r := range strings.ToLower(accent.Fold(s)) {
		switch {
		case r == '+' || r == '＋':
			b.WriteByte('+')
		case r == '-' || r == '−' || r == '–' || r == '－':
			// Phones' smart punctuation turns "-" into a dash or minus sign.
			b.WriteByte('-')
		case unicode.IsSpace(r) || r == '(' || r == ')':
			// Dropped so "O Rh(+)", "AB rh -" and " ab + " read the same.
		default:
			b.WriteRune(r)
		}
	}
	t := strings.TrimPrefix(b.String(), "nhommau")

	var abo string
	switch {
	case strings.HasPrefix(t, "ab"):
		abo = "AB"
	case strings.HasPrefix(t, "a"):
		abo = "A"
	case strings.HasPrefix(t, "b"):
		abo = "B"
	case strings.HasPrefix(t, "o"), strings.HasPrefix(t, "0"):
		abo = "O"
	default:
		return BloodUnknown, ErrBloodGroupInvalid
	}
	rh := strings.TrimPrefix(t[len(abo):], "rh")

	switch rh {
	case "+", "duong", "duongtinh", "positive":
		return BloodGroup(abo + "+"), nil
	case "-", "am", "amtinh", "negative":
		return BloodGroup(abo + "-"), nil
	}
	return BloodUnknown, ErrBloodGroupInvalid
}
