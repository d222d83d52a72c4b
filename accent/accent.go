// Package accent strips the diacritics of Vietnamese (and other Latin)
// text, for matching typed keywords against plain ASCII and for drawing
// labels in ASCII-only fonts. User data is stored as typed, never folded.
package accent

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// dStroke maps the stroked d, which Unicode treats as a letter of its own
// rather than d with a mark, so decomposition leaves it alone.
var dStroke = strings.NewReplacer("đ", "d", "Đ", "D")

// Fold returns s without diacritics, case kept: "Đợt Ưu tiên" becomes
// "Dot Uu tien". Input composed or decomposed (as some keyboards send it)
// folds alike.
func Fold(s string) string {
	if isASCII(s) {
		return s // nothing to fold, and no chain's 8 KiB of buffers to build
	}
	// A Chain keeps state between calls, so each call builds its own.
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, dStroke.Replace(s))
	if err != nil {
		// These transformers fail only on a short buffer, which
		// transform.String grows; keep the text rather than lose it.
		return s
	}
	return folded
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
