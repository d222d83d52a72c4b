package profile

import (
	"strings"
	"unicode"
	"unicode/utf8"
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
// The typographic apostrophe ’ that phones substitute for ' is stored as '.
// Otherwise the name is kept as typed: the module has no Unicode
// normalization tables (std lib only), so it is not converted to NFC. Instead
// a combining mark is accepted right after a letter, so decomposed (NFD)
// Vietnamese from some keyboards passes, and marks are not counted in the
// length, so "Nguyễn" measures 6 in either form.
func ParseFullName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrNameInvalid
	}
	var b strings.Builder
	n, letters := 0, 0
	space, afterLetter := false, false
	for _, r := range strings.TrimFunc(s, unicode.IsSpace) {
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
