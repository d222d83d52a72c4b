// Package accent strips the diacritics of Vietnamese (and other Latin)
// text, for matching typed keywords against plain ASCII and for drawing
// labels in ASCII-only fonts. User data is stored as typed, never folded.
package accent

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s without diacritics, case kept: "Đợt Ưu tiên" becomes
// "Dot Uu tien". Input composed or decomposed (as some keyboards send it)
// folds alike.
func Fold(s string) string {
	if isASCII(s) {
		return s // nothing to fold
	}
	// NFD, marks removed, NFC, each over the whole string: what a
	// transform.Chain of the three does, without the chain's 8 KiB of
	// buffers, which a Fold per drive card paid on every screen. The
	// stroked d is a letter of its own, which decomposition leaves alone,
	// so it is mapped to d by hand.
	decomposed := norm.NFD.AppendString(make([]byte, 0, 2*len(s)), s)
	kept := make([]byte, 0, len(decomposed))
	for len(decomposed) > 0 {
		r, size := utf8.DecodeRune(decomposed)
		decomposed = decomposed[size:]
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			kept = append(kept, 'd')
		case r == 'Đ':
			kept = append(kept, 'D')
		default:
			// An invalid byte reads as utf8.RuneError and is written as
			// U+FFFD, as runes.Remove writes it.
			kept = utf8.AppendRune(kept, r)
		}
	}
	return string(norm.NFC.Bytes(kept))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
