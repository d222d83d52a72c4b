package profile

import (
	"strings"

	"donorbot/accent"
)

// Sex is the donor's sex as stored; the values match the database CHECK.
type Sex string

// The two values of Sex.
const (
	SexMale   Sex = "male"
	SexFemale Sex = "female"
)

// ParseSex accepts "male"/"female" and the Vietnamese "nam"/"nữ" (also "nu"),
// ignoring case, diacritics and surrounding spaces.
func ParseSex(s string) (Sex, error) {
	switch strings.Join(strings.Fields(strings.ToLower(accent.Fold(s))), " ") {
	case "male", "nam":
		return SexMale, nil
	case "female", "nu":
		return SexFemale, nil
	}
	return "", ErrSexInvalid
}
