package profile

import (
	"strings"
	"unicode"
)

// vietBase maps each lowercase precomposed Vietnamese letter to its base
// letter. The module is std-lib only (no golang.org/x/text), so there is no
// Unicode decomposition to lean on; the alphabet is small enough to list.
var vietBase = func() map[rune]rune {
	m := make(map[rune]rune)
	for base, letters := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'd': "đ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
	} {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// fold lowercases s and strips Vietnamese diacritics, so "Nữ", "NU" and the
// decomposed "nư\u0303" (as some keyboards send it) all become "nu". It is for
// recognising keywords only; names and other user data are never folded.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		if unicode.Is(unicode.Mn, r) {
			continue // combining accent of a decomposed letter
		}
		if base, ok := vietBase[r]; ok {
			r = base
		}
		b.WriteRune(r)
	}
	return b.String()
}
