package profile

import (
	"strings"

	"donorbot/accent"
)

// Plausible body weights in kg, inclusive. The minimum weight to donate is
// higher and is checked at screening.
const (
	MinWeightKg = 30
	MaxWeightKg = 200
)

// ParseWeight reads a weight in kg: "55", "55.5", "55,5" (the Vietnamese
// decimal comma), optionally followed by "kg" or the colloquial "ký", "kí",
// "cân", with or without a space. No signs, exponents or thousands
// separators.
//
// The value is rounded half up to 0.1 kg, the precision stored (numeric(5,1)),
// before the MinWeightKg..MaxWeightKg check, so what is accepted is exactly
// what is stored. The rounding is done on the decimal digits, not on a float,
// so 29.95 is 30.0 and 200.05 is out of range, exactly.
func ParseWeight(s string) (float64, error) {
	t := strings.TrimSpace(s)
	// The number is a prefix of digits and separators; only the unit after it
	// is case- and diacritics-folded.
	i := strings.IndexFunc(t, func(r rune) bool {
		return (r < '0' || r > '9') && r != '.' && r != ','
	})
	if i >= 0 {
		switch strings.ToLower(accent.Fold(strings.TrimSpace(t[i:]))) {
		case "kg", "ky", "ki", "can":
			t = t[:i]
		default:
			return 0, ErrWeightInvalid
		}
	}
	whole, frac := t, ""
	if i := strings.IndexAny(t, ".,"); i >= 0 {
		whole, frac = t[:i], t[i+1:]
		if !digitsOnly(frac) { // also rejects "55." and a second separator
			return 0, ErrWeightInvalid
		}
	}
	if !digitsOnly(whole) {
		return 0, ErrWeightInvalid
	}

	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 4 {
		return 0, ErrWeightOutOfRange // 10000 kg or more; also keeps ints small
	}
	tenths := 0
	for i := 0; i < len(whole); i++ {
		tenths = tenths*10 + int(whole[i]-'0')
	}
	tenths *= 10
	if len(frac) > 0 {
		tenths += int(frac[0] - '0')
	}
	if len(frac) > 1 && frac[1] >= '5' {
		tenths++
	}
	if tenths < MinWeightKg*10 || tenths > MaxWeightKg*10 {
		return 0, ErrWeightOutOfRange
	}
	return float64(tenths) / 10, nil
}

// digitsOnly reports whether s is one or more ASCII digits.
func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
