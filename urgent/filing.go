package urgent

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"donorbot/accent"
	"donorbot/blood"
	"donorbot/profile"
)

// MaxUnits bounds the units of one need (needs.units_needed's CHECK).
const MaxUnits = 50

var unitsPattern = regexp.MustCompile(`^(\d{1,2}) ?(don vi|dv|bich|tui|units?|bags?|nguoi|donors?)?$`)

// ParseUnits reads how many units (donors) a need asks for: "2", "2 đơn
// vị", "2 bịch", "2 túi", "2 units", from 1 to MaxUnits.
func ParseUnits(s string) (int, bool) {
	f := strings.Join(strings.Fields(strings.ToLower(accent.Fold(s))), " ")
	m := unitsPattern.FindStringSubmatch(f)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, n >= 1 && n <= MaxUnits
}

// Filing is what one /urgent message told of a need; a zero field was not
// given (or not understood) and is asked for.
type Filing struct {
	Group     profile.BloodGroup
	Component blood.Component
	Units     int
	Hospital  string
	Deadline  time.Time
	// DeadlineErr is why a deadline that was written is refused (past, too
	// far); Deadline then holds what it was read as, to show back.
	DeadlineErr error
	Phone       string
	Note        string
}

// componentWords name components, folded to lower case without diacritics.
var componentWords = map[string]blood.Component{
	"tieu cau": blood.Platelets, "platelets": blood.Platelets, "huyet tuong": blood.Plasma, "plasma": blood.Plasma,
	"mau toan phan": blood.Whole, "whole blood": blood.Whole, "hong cau": blood.Whole, "red cells": blood.Whole,
}

// token is one word of a filing as typed, and folded for matching.
type token struct{ text, fold string }

var quoted = regexp.MustCompile(`["“”„«»]([^"“”„«»]*)["“”„«»]`)

// ParseFiling reads the facts of a need from the words after /urgent, in
// any order, with or without diacritics: `O- 2 "Viện Huyết học" 18h hôm
// nay 0912345678`. The first quoted text is the hospital; without quotes,
// the first run of words that are none of the other facts is. Other such
// words, and whatever follows "ghi chú:" or "note:", are the note. A number
// right after such a word belongs to the name ("Nhi Đồng 1"), and a
// capitalised day word after one too ("Bạch Mai"): units and deadlines are
// written apart from names, or the name is quoted. now is read as for
// ParseDeadline.
func ParseFiling(s string, now time.Time) Filing {
	var f Filing
	if m := quoted.FindStringSubmatchIndex(s); m != nil {
		f.Hospital = strings.TrimSpace(s[m[2]:m[3]])
		s = s[:m[0]] + " " + s[m[1]:]
	}
	var toks []token
	for _, w := range strings.Fields(s) {
		toks = append(toks, token{text: w, fold: strings.Trim(strings.ToLower(accent.Fold(w)), ",;")})
	}
	var notes []string
	for i, tk := range toks {
		if tk.fold == "note:" || tk.fold == "chu:" && i > 0 && toks[i-1].fold == "ghi" {
			notes = append(notes, strings.Join(texts(toks[i+1:]), " "))
			toks = toks[:i]
			if tk.fold == "chu:" {
				toks = toks[:i-1]
			}
			break
		}
	}
	var runs [][]string // runs of words that are no other fact
	named := false      // the word before was in such a run
	for i := 0; i < len(toks); {
		if n := f.fact(toks, i, named, now); n > 0 {
			i += n
			named = false
			continue
		}
		if !named {
			runs = append(runs, nil)
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], toks[i].text)
		named = true
		i++
	}
	for _, r := range runs {
		if f.Hospital == "" {
			f.Hospital = strings.Join(r, " ")
			continue
		}
		notes = append([]string{strings.Join(r, " ")}, notes...)
	}
	f.Note = strings.TrimSpace(strings.Join(notes, " "))
	return f
}

func texts(toks []token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.text
	}
	return out
}

func folds(toks []token) string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.fold
	}
	return strings.Join(out, " ")
}

// fact takes the fact that starts at toks[i] into f and returns how many
// words it spans, or 0 when toks[i] starts none. named is set when the word
// before belongs to a name.
func (f *Filing) fact(toks []token, i int, named bool, now time.Time) int {
	window := func(n int) ([]token, bool) {
		if i+n > len(toks) {
			return nil, false
		}
		return toks[i : i+n], true
	}
	if f.Group == "" && groupStart(toks[i].fold) {
		for n := 3; n >= 1; n-- {
			if w, ok := window(n); ok {
				if g, err := profile.ParseBloodGroup(strings.Join(texts(w), " ")); err == nil {
					f.Group = g
					return n
				}
			}
		}
	}
	if f.Phone == "" && phoneish(toks[i].text) {
		for n := 3; n >= 1; n-- {
			if w, ok := window(n); ok && allPhoneish(w) {
				if p, err := profile.ParsePhone(strings.Join(texts(w), " ")); err == nil {
					f.Phone = p
					return n
				}
			}
		}
	}
	if f.Deadline.IsZero() && f.DeadlineErr == nil {
		if n := f.deadline(toks, i, named, now); n > 0 {
			return n
		}
	}
	if f.Units == 0 {
		for n := 3; n >= 1; n-- {
			w, ok := window(n)
			if !ok || n == 1 && named { // "Nhi Đồng 1", "Quân y 103"
				continue
			}
			if u, ok := ParseUnits(folds(w)); ok {
				f.Units = u
				return n
			}
		}
	}
	if f.Component == "" {
		for n := 3; n >= 1; n-- {
			if w, ok := window(n); ok {
				if c, ok := componentWords[folds(w)]; ok {
					f.Component = c
					return n
				}
			}
		}
	}
	return 0
}

// deadline takes the longest run of deadline words from toks[i] that reads
// as a deadline, and returns its length.
func (f *Filing) deadline(toks []token, i int, named bool, now time.Time) int {
	end := i
	for end < len(toks) && (deadlineWord(toks[end].fold) || hourBeforeUnit(toks, end)) {
		if _, day := dayWords[toks[end].fold]; day && startsUpper(toks[end].text) && (end == i && named) {
			break // "Bạch Mai": a name, not tomorrow
		}
		end++
	}
	for ; end > i; end-- {
		run := toks[i:end]
		if !definite(run) {
			continue
		}
		d, err := ParseDeadline(folds(run), now)
		if err == ErrDeadlineInvalid {
			continue
		}
		f.Deadline, f.DeadlineErr = d, err
		return end - i
	}
	return 0
}

// definite reports whether a run names a time or a day precisely enough to
// be a deadline among other words: a time or a date, or a part of the day
// with its day ("sáng mai"). A lone "tối" may be the pronoun "tôi" typed
// without diacritics.
func definite(run []token) bool {
	day, part := false, false
	for _, t := range run {
		w := t.fold
		if clockHM.MatchString(w) || clockAMPM.MatchString(w) || dateDMY.MatchString(w) {
			return true
		}
		_, d := dayWords[w]
		_, p := partWords[w]
		day, part = day || d, part || p
		if w == "tonight" {
			return true
		}
	}
	return day && part
}

// groupStart reports whether a word may begin a blood group: "O-", "AB+",
// "O" of "O âm", "nhóm" of "nhóm máu O-".
func groupStart(w string) bool {
	switch strings.TrimRight(w, "+-−–") {
	case "o", "a", "b", "ab", "0", "nhom", "orh", "arh", "brh", "abrh":
		return true
	}
	return false
}

func phoneish(s string) bool {
	return strings.ContainsFunc(s, unicode.IsDigit) && !strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsDigit(r) && !strings.ContainsRune("+.-()", r)
	})
}

func allPhoneish(toks []token) bool {
	for _, t := range toks {
		if !phoneish(t.text) {
			return false
		}
	}
	return true
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r)
	}
	return false
}

// hourBeforeUnit reports whether toks[i] is an hour whose unit is the next
// word: "18 giờ", "6 pm".
func hourBeforeUnit(toks []token, i int) bool {
	if i+1 >= len(toks) || !bareHour.MatchString(toks[i].fold) {
		return false
	}
	switch toks[i+1].fold {
	case "h", "gio", "am", "pm":
		return true
	}
	return false
}
