package urgent

import (
	"strings"
	"unicode"

	"donorbot/accent"
)

// HospitalNames are the names a directory hospital is known by: its full
// name and its short names ("Viện Huyết học", "NIHBT", "BV 19-8").
type HospitalNames struct {
	ID    int64
	Names []string
}

// FindHospital finds the directory hospital a typed name means, with or
// without diacritics, punctuation or "Bệnh viện"/"BV": the one whose name
// or short name reads the same; failing that, the only one with a name
// that starts with the typed words or that the typed words start with
// ("Chợ Rẫy cơ sở 2"). It reports false when none or several fit: the
// need then keeps the name as typed.
func FindHospital(typed string, dir []HospitalNames) (int64, bool) {
	t := hospitalKey(typed)
	if len(t) < 2 {
		return 0, false
	}
	for _, h := range dir {
		for _, n := range h.Names {
			if hospitalKey(n) == t {
				return h.ID, true
			}
		}
	}
	var found []int64
	for _, h := range dir {
		for _, n := range h.Names {
			k := hospitalKey(n)
			// Two words at least on the shorter side: "Viện" alone
			// starts too many names to mean one.
			if strings.Contains(t, " ") && strings.HasPrefix(k, t+" ") || strings.Contains(k, " ") && strings.HasPrefix(t, k+" ") {
				found = append(found, h.ID)
				break
			}
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return 0, false
}

// hospitalKey folds a hospital name for comparison: lower case, no
// diacritics, punctuation as spaces, and no leading "bệnh viện"/"bv".
func hospitalKey(s string) string {
	f := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, strings.ToLower(accent.Fold(s)))
	words := strings.Fields(f)
	switch {
	case len(words) > 2 && words[0] == "benh" && words[1] == "vien":
		words = words[2:]
	case len(words) > 1 && words[0] == "bv":
		words = words[1:]
	}
	return strings.Join(words, " ")
}
