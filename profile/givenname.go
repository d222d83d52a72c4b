package profile

import (
	"strings"

	"donorbot/accent"
)

// vietnameseSurnames are the family names most Vietnamese carry (with the
// Chinese-Vietnamese and minority ones most often met), folded to ASCII and
// lower case: "Nguyễn" is "nguyen". They tell which end of a name is the
// family name when the user's language does not.
var vietnameseSurnames = map[string]bool{
	"nguyen": true, "tran": true, "le": true, "pham": true, "hoang": true, "huynh": true,
	"phan": true, "vu": true, "vo": true, "dang": true, "bui": true, "do": true,
	"ho": true, "ngo": true, "duong": true, "ly": true, "dinh": true, "dao": true,
	"doan": true, "trinh": true, "truong": true, "lam": true, "luong": true, "mai": true,
	"cao": true, "ha": true, "luu": true, "ta": true, "vuong": true, "kieu": true,
	"chu": true, "quach": true, "tang": true, "thai": true, "la": true, "tong": true,
	"trieu": true, "khuc": true, "au": true, "giang": true, "lo": true, "nong": true,
}

// GivenName returns the part of a full name a greeting uses. A Vietnamese
// name is written family name first ("Nguyễn Thị Lan") and people are
// addressed by the given name, its last word: "Chào Lan". A name written
// the Western way ("Sam Taylor", also "Lan Nguyen") gives its first word.
//
// Which order a name is in is read from its ends: a Vietnamese family name
// first means the Vietnamese order, one last the Western order. When
// neither end is one, the user's language decides: Vietnamese speakers
// ("vi") get the last word, others the first. A one-word name is itself.
func GivenName(fullName, lang string) string {
	words := strings.Fields(fullName)
	switch {
	case len(words) == 0:
		return ""
	case len(words) == 1:
		return words[0]
	}
	first, last := words[0], words[len(words)-1]
	switch {
	case isVietnameseSurname(first):
		return last
	case isVietnameseSurname(last):
		return first
	case lang == "vi":
		return last
	}
	return first
}

func isVietnameseSurname(word string) bool {
	return vietnameseSurnames[strings.ToLower(accent.Fold(word))]
}
