package profile

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"donorbot/textbound"
)

// Name length bounds, in characters (see ParseFullName).
const (
	MinNameLen = 2
	MaxNameLen = 100
)

// ParseFullName trims s, collapses runs of spaces to one and checks that what
// is left is 2..100 characters of letters (any script, with or without
// diacritics), spaces, apostrophes, hyphens and dots, with at least one
// letter. Digits, emoji, line breaks and control or formatting characters
// (including invisible bidi overrides) are rejected.
//
// The name is converted to NFC, so decomposed (NFD) Vietnamese from some
// keyboards is stored like composed text and "Nguyễn" measures 6 either way;
// the length counts characters, a letter with its marks being one. A
// combining mark is accepted only right after a letter, and at most
// textbound.MaxMarksPerChar on one: a letter under thousands of accents
// (Zalgo text) is refused, not stored as a "1-character" name. The
// typographic apostrophe ’ that phones substitute for ' is stored as '.
func ParseFullName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrNameInvalid
	}
	s = textbound.Normalize(s)
	var b strings.Builder
	n, letters, marks := 0, 0, 0
	space, afterLetter := false, false
	for _, r := range strings.TrimFunc(s, unicode.IsSpace) {
		if unicode.IsMark(r) {
			if marks++; marks > textbound.MaxMarksPerChar {
				return "", ErrNameInvalid
			}
		} else {
			marks = 0
		}
		switch {
		case r == '\t' || unicode.Is(unicode.Zs, r):
			space, afterLetter = true, false
			continue
		case unicode.IsLetter(r):
			letters++
			afterLetter = true
		case unicode.IsMark(r):
			if !afterLetter {
				return "", ErrNameInvalid // a stray accent, e.g. Zalgo text
			}
		case r == '\'' || r == '-' || r == '.':
			afterLetter = false
		case r == '’':
			r, afterLetter = '\'', false
		default:
			return "", ErrNameInvalid
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		if !unicode.IsMark(r) {
			n++
		}
	}
	switch {
	case n == 0:
		return "", ErrNameTooShort
	case letters == 0:
		return "", ErrNameInvalid // "." or "--" is too short to be a name, but first of all not one
	case n < MinNameLen:
		return "", ErrNameTooShort
	case n > MaxNameLen:
		return "", ErrNameTooLong
	}
	return b.String(), nil
}
