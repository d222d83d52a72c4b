package profile

import (
	"errors"
	"testing"
)

func TestParseWeight(t *testing.T) {
	for in, want := range map[string]float64{
		"55":         55,
		"55.5":       55.5,
		"55,5":       55.5,
		"55 kg":      55,
		"55kg":       55,
		"55 KG":      55,
		"55Kg":       55,
		"55,5kg":     55.5,
		"55.5 kg":    55.5,
		" 55 ":       55,
		"55\u00a0kg": 55,
		"55 ký":      55,
		"55 kí":      55,
		"55 cân":     55,
		"055":        55,
		"30":         30,
		"30.0":       30,
		"200":        200,
		"200.0":      200,
		"200.04":     200, // rounds to the stored 0.1 kg first
		"29.95":      30,
		"55.55":      55.6, // half up, on the decimal digits
		"55.549":     55.5,
		"55.45":      55.5,
		"62.250":     62.3,
		"199.99":     200,
	} {
		if got, err := ParseWeight(in); got != want || err != nil {
			t.Errorf("ParseWeight(%q) = %v, %v; want %v", in, got, err, want)
		}
	}

	for in, wantErr := range map[string]error{
		"29.9":                 ErrWeightOutOfRange,
		"29.94":                ErrWeightOutOfRange,
		"29":                   ErrWeightOutOfRange,
		"200.1":                ErrWeightOutOfRange,
		"200.05":               ErrWeightOutOfRange,
		"201":                  ErrWeightOutOfRange,
		"0":                    ErrWeightOutOfRange,
		"0.0":                  ErrWeightOutOfRange,
		"5,5":                  ErrWeightOutOfRange,
		"10000":                ErrWeightOutOfRange,
		"99999999999999999999": ErrWeightOutOfRange,
		"1,000":                ErrWeightOutOfRange, // a decimal comma, so 1.0

		"":         ErrWeightInvalid,
		" ":        ErrWeightInvalid,
		"abc":      ErrWeightInvalid,
		"kg":       ErrWeightInvalid,
		"55.":      ErrWeightInvalid,
		".5":       ErrWeightInvalid,
		",5":       ErrWeightInvalid,
		"55..5":    ErrWeightInvalid,
		"55.5.5":   ErrWeightInvalid,
		"5,5.5":    ErrWeightInvalid,
		"1.000,5":  ErrWeightInvalid,
		"-55":      ErrWeightInvalid,
		"+55":      ErrWeightInvalid,
		"55 lbs":   ErrWeightInvalid,
		"55 kg kg": ErrWeightInvalid,
		"55 g":     ErrWeightInvalid,
		"1e2":      ErrWeightInvalid,
		"NaN":      ErrWeightInvalid,
		"Inf":      ErrWeightInvalid,
		"5 5":      ErrWeightInvalid,
		"55 . 5":   ErrWeightInvalid,
		"５５":       ErrWeightInvalid, // fullwidth digits
		"5\u03015": ErrWeightInvalid,
		"0x37":     ErrWeightInvalid,
	} {
		got, err := ParseWeight(in)
		if got != 0 || !errors.Is(err, wantErr) {
			t.Errorf("ParseWeight(%q) = %v, %v; want %v", in, got, err, wantErr)
		}
	}
}
