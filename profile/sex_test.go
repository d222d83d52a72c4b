package profile

import (
	"errors"
	"testing"
)

func TestParseSex(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Sex
		err  error
	}{
		{"male", SexMale, nil},
		{" Male ", SexMale, nil},
		{"MALE", SexMale, nil},
		{"nam", SexMale, nil},
		{"Nam", SexMale, nil},
		{"NAM", SexMale, nil},
		{"female", SexFemale, nil},
		{"Female", SexFemale, nil},
		{"nữ", SexFemale, nil},
		{"Nữ", SexFemale, nil},
		{"NỮ", SexFemale, nil},
		{"nư\u0303", SexFemale, nil}, // decomposed (NFD) nữ
		{"nu", SexFemale, nil},
		{"Nu", SexFemale, nil},
		{"\tnữ\n", SexFemale, nil},
		{"", "", ErrSexInvalid},
		{"m", "", ErrSexInvalid},
		{"f", "", ErrSexInvalid},
		{"man", "", ErrSexInvalid},
		{"nữa", "", ErrSexInvalid},
		{"nam nữ", "", ErrSexInvalid},
		{"n am", "", ErrSexInvalid},
		{"other", "", ErrSexInvalid},
	} {
		got, err := ParseSex(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("ParseSex(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
