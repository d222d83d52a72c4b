// Package regsearch reads what an organizer types to find a registration
// (a name without its accents, in any case and word order, or a phone in
// any form) and folds names the same way for storage, so the words typed
// and the words stored compare equal: "nguyen thi LAN" finds "Nguyễn Thị Lan".
package regsearch

import (
	"strings"
	"unicode"

	"donorbot/accent"
	"donorbot/profile"
)

// MaxQuery bounds the runes of a query read, and MaxWords its words: a
// name has a handful of words, and each word is one more condition.
const (
	MaxQuery = 100
	MaxWords = 8
)

// Query is a parsed search. Words each match the start of a word of the
// folded name; Phone (E.164) the whole phone; Digits each a part of it.
// The zero Query matches everyone.
type Query struct {
	Words  []string
	Phone  string
	Digits []string
}

// Empty reports whether q matches every registration.
func (q Query) Empty() bool { return len(q.Words) == 0 && q.Phone == "" && len(q.Digits) == 0 }

// FoldName is a name as stored for search: without accents (đ as d),
// lower case, its words separated by one space. A query's words are folded
// by the same function, so the two always agree.
func FoldName(name string) string {
	return strings.Join(words(name), " ")
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(accent.Fold(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Parse reads a typed query. A whole phone number ("0901 234 567",
// "+84 901 234 567") is matched exactly; a query of only phone characters
// is one run of digits to find inside phones ("901 234 567", "4567"); in a
// query of words, a word of digits is such a run and the others are name
// words.
func Parse(raw string) Query {
	raw = strings.TrimSpace(raw)
	if r := []rune(raw); len(r) > MaxQuery {
		raw = string(r[:MaxQuery])
	}
	if phone, err := profile.ParsePhone(raw); err == nil {
		return Query{Phone: phone}
	}
	var q Query
	if onlyPhoneChars(raw) {
		if d := phoneDigits(raw); d != "" {
			q.Digits = []string{d}
		}
		return q
	}
	for _, w := range words(raw) {
		if len(q.Words)+len(q.Digits) == MaxWords {
			break
		}
		if allDigits(w) {
			if d := phoneDigits(w); d != "" {
				q.Digits = append(q.Digits, d)
			}
			continue
		}
		q.Words = append(q.Words, w)
	}
	return q
}

// phoneDigits is the run of digits of s as it appears inside a stored
// phone (+84…): the country code or the trunk 0 in front is dropped.
func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if s = strings.TrimSpace(s); strings.HasPrefix(s, "+") || strings.HasPrefix(s, "＋") {
		d = strings.TrimPrefix(d, "84")
	}
	return strings.TrimPrefix(d, "0")
}

func onlyPhoneChars(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == '＋' || r == '.' || r == '-' || r == '(' || r == ')' || unicode.IsSpace(r):
		default:
			return false
		}
	}
	return digits > 0
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Statuses are the statuses of a registration as organizers see them,
// derived from the stored status and the arrival stamp (see storage).
var Statuses = []string{"registered", "waitlisted", "arrived", "donated", "deferred", "no_show", "cancelled"}

// ValidStatus reports whether s is one of Statuses.
func ValidStatus(s string) bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}
