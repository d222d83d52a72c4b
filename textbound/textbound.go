// Package textbound bounds text that users type and text the bot sends:
// user text is normalized to NFC and measured in user-perceived
// characters (grapheme clusters), with a cap on the combining marks one
// character may carry; a message is kept within Telegram's 4,096
// characters by truncating echoed text and splitting long replies.
package textbound

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxMessage is Telegram's limit on a message text. Telegram counts UTF-16
// code units, which are never fewer than characters: Len measures the same.
const MaxMessage = 4096

// MaxMarksPerChar bounds the combining marks on one character. Vietnamese
// typed decomposed needs two (ệ = e + ̂ + ̣), and NFC composes most of them
// away; a pile of dozens is Zalgo text, which renders over the lines around
// it and, uncounted, let a "100-character" name weigh 4,000.
const MaxMarksPerChar = 3

// Errors of Check; compare with errors.Is.
var (
	ErrTooLong      = errors.New("textbound: too many characters")
	ErrTooManyMarks = errors.New("textbound: too many combining marks on one character")
)

// Normalize returns s in Unicode normalization form C, the form text is
// stored and compared in, so "Nguyễn" typed composed or decomposed is one
// name.
func Normalize(s string) string { return norm.NFC.String(s) }

// extends reports whether r belongs to the cluster of the rune before it:
// combining marks (variation selectors included), the zero-width joiner and
// emoji skin-tone modifiers. It approximates UAX #29's extended grapheme
// clusters closely enough to bound text; it does not render it.
func extends(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || r == '\u200d' || (r >= 0x1F3FB && r <= 0x1F3FF)
}

// isMark is a combining mark proper, counted by MaxMarksPerChar.
func isMark(r rune) bool { return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) }

// starts returns the byte offsets where the clusters of s start.
func starts(s string) []int {
	var out []int
	afterZWJ := false
	for i, r := range s {
		if i == 0 || !extends(r) && !afterZWJ {
			out = append(out, i)
		}
		afterZWJ = r == '\u200d'
	}
	return out
}

// Clusters counts the user-perceived characters of s.
func Clusters(s string) int { return len(starts(s)) }

// MaxMarkRun is the largest number of combining marks on one character of s.
func MaxMarkRun(s string) int {
	most, run := 0, 0
	for _, r := range s {
		if isMark(r) {
			run++
			most = max(most, run)
		} else {
			run = 0
		}
	}
	return most
}

// Check reports whether s (normalized by the caller) has at most
// maxClusters characters and at most MaxMarksPerChar marks on any one.
func Check(s string, maxClusters int) error {
	if MaxMarkRun(s) > MaxMarksPerChar {
		return ErrTooManyMarks
	}
	if Clusters(s) > maxClusters {
		return ErrTooLong
	}
	return nil
}

// Truncate shortens s to at most maxClusters characters, the last being
// "…" when something was cut; it never splits a character from its marks,
// and drops the marks past MaxMarksPerChar on one (text stored before
// names were bounded may carry thousands).
func Truncate(s string, maxClusters int) string {
	s = capMarks(s)
	b := starts(s)
	if len(b) <= maxClusters {
		return s
	}
	if maxClusters < 1 {
		return ""
	}
	return s[:b[maxClusters-1]] + "…"
}

func capMarks(s string) string {
	if MaxMarkRun(s) <= MaxMarksPerChar {
		return s
	}
	var b strings.Builder
	run := 0
	for _, r := range s {
		if isMark(r) {
			if run++; run > MaxMarksPerChar {
				continue
			}
		} else {
			run = 0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Len is the length of s as Telegram counts it: UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// prefix is the byte length of the longest prefix of s within limit UTF-16
// code units that ends between characters; when even the first character
// is longer (a letter under thousands of marks), it ends between runes.
func prefix(s string, limit int) int {
	end, used, cluster := 0, 0, 0
	afterZWJ := false
	for i, r := range s {
		if i > 0 && !extends(r) && !afterZWJ { // a cluster ends at i
			if used+cluster > limit {
				break
			}
			used, end, cluster = used+cluster, i, 0
		}
		cluster += utf16.RuneLen(r)
		afterZWJ = r == '\u200d'
		if used+cluster > limit {
			break
		}
	}
	if used+cluster <= limit {
		return len(s)
	}
	if end > 0 || s == "" {
		return end
	}
	for i, r := range s {
		if used+utf16.RuneLen(r) > limit {
			return i
		}
		used += utf16.RuneLen(r)
	}
	return len(s)
}

// Fit shortens text to at most limit UTF-16 code units, ending with "…"
// when something was cut.
func Fit(text string, limit int) string {
	if Len(text) <= limit {
		return text
	}
	return text[:prefix(text, limit-1)] + "…"
}

// Split cuts text into messages of at most limit UTF-16 code units, at line
// breaks where it can; a single line over the limit is cut between
// characters. Text within the limit is returned whole.
func Split(text string, limit int) []string {
	if Len(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if s := strings.TrimRight(cur.String(), "\n"); strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
		cur.Reset()
		curLen = 0
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		n := Len(line)
		if curLen+n <= limit {
			cur.WriteString(line)
			curLen += n
			continue
		}
		flush()
		for n > limit {
			cut := max(prefix(line, limit), 1)
			parts = append(parts, line[:cut])
			n -= Len(line[:cut])
			line = line[cut:]
		}
		cur.WriteString(line)
		curLen = n
	}
	flush()
	return parts
}

// Within reports whether s has at most maxRunes code points, counted as
// PostgreSQL's length() counts them so a column's CHECK agrees, and at most
// MaxMarksPerChar marks on any character.
func Within(s string, maxRunes int) bool {
	return utf8.RuneCountInString(s) <= maxRunes && MaxMarkRun(s) <= MaxMarksPerChar
}
