package profile

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"donorbot/textbound"
)

// Seed corpora live in testdata/fuzz/<FuzzName>; `go test` runs them as
// regular cases, `go test -fuzz` starts from them.

var e164VN = regexp.MustCompile(`^\+84[35789]\d{8}$`)

func FuzzParsePhone(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		if err != nil {
			if p != "" || !errors.Is(err, ErrPhoneInvalid) && !errors.Is(err, ErrPhoneNotVietnamese) {
				t.Fatalf("ParsePhone(%q) = %q, %v", s, p, err)
			}
			return
		}
		if !e164VN.MatchString(p) {
			t.Fatalf("ParsePhone(%q) = %q, not E.164 Vietnamese mobile", s, p)
		}
		// Stored numbers, their national form and the form shown to people
		// parse back to themselves.
		for _, again := range []string{p, p[1:], "0" + p[3:], LocalPhone(p)} {
			if q, err := ParsePhone(again); q != p || err != nil {
				t.Fatalf("ParsePhone(%q) = %q, %v; want %q (from %q)", again, q, err, p, s)
			}
		}
	})
}

func FuzzParseBirthDate(f *testing.F) {
	base := time.Date(2000, 1, 1, 12, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	f.Fuzz(func(t *testing.T, s string, days uint16) {
		today := base.AddDate(0, 0, int(days)) // 2000..2179
		b, err := ParseBirthDate(s, today)
		if err != nil {
			if !b.IsZero() || !errors.Is(err, ErrDateInvalid) && !errors.Is(err, ErrDateFuture) && !errors.Is(err, ErrAgeOutOfRange) {
				t.Fatalf("ParseBirthDate(%q, %s) = %v, %v", s, today, b, err)
			}
			return
		}
		if b.Location() != time.UTC || !b.Equal(b.Truncate(24*time.Hour)) {
			t.Fatalf("ParseBirthDate(%q) = %v, not midnight UTC", s, b)
		}
		ty, tm, td := today.Date()
		if b.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("ParseBirthDate(%q, %s) = %v, in the future", s, today, b)
		}
		if a := Age(b, today); a < MinAge || a > MaxAge {
			t.Fatalf("ParseBirthDate(%q, %s) = %v, age %d", s, today, b, a)
		}
		// Ages stay under 100, so a two-digit year ("2/1/06") reads back as
		// the same birth date.
		for _, layout := range []string{"02/01/2006", "2-1-2006", "02.01.2006", "2/1/06"} {
			if c, err := ParseBirthDate(b.Format(layout), today); !c.Equal(b) || err != nil {
				t.Fatalf("re-parse %q = %v, %v; want %v", b.Format(layout), c, err, b)
			}
		}
	})
}

func FuzzParseWeight(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWeight(s)
		if err != nil {
			if w != 0 || !errors.Is(err, ErrWeightInvalid) && !errors.Is(err, ErrWeightOutOfRange) {
				t.Fatalf("ParseWeight(%q) = %v, %v", s, w, err)
			}
			return
		}
		if math.IsNaN(w) || w < MinWeightKg || w > MaxWeightKg || math.Round(w*10)/10 != w {
			t.Fatalf("ParseWeight(%q) = %v", s, w)
		}
		txt := strconv.FormatFloat(w, 'f', -1, 64)
		for _, again := range []string{txt, strings.Replace(txt, ".", ",", 1), txt + " kg"} {
			if v, err := ParseWeight(again); v != w || err != nil {
				t.Fatalf("ParseWeight(%q) = %v, %v; want %v (from %q)", again, v, err, w, s)
			}
		}
	})
}

func FuzzParseFullName(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseFullName(s)
		if err != nil {
			if n != "" || !errors.Is(err, ErrNameTooShort) && !errors.Is(err, ErrNameTooLong) && !errors.Is(err, ErrNameInvalid) {
				t.Fatalf("ParseFullName(%q) = %q, %v", s, n, err)
			}
			return
		}
		if !utf8.ValidString(n) || n != strings.TrimSpace(n) || strings.Contains(n, "  ") {
			t.Fatalf("ParseFullName(%q) = %q: not trimmed and collapsed", s, n)
		}
		chars, letters := 0, 0
		for _, r := range n {
			switch {
			case unicode.IsLetter(r):
				letters++
			case unicode.IsMark(r), r == ' ', r == '\'', r == '-', r == '.':
			default:
				t.Fatalf("ParseFullName(%q) = %q: has %q", s, n, r)
			}
			if !unicode.IsMark(r) {
				chars++
			}
		}
		if letters == 0 || chars < MinNameLen || chars > MaxNameLen {
			t.Fatalf("ParseFullName(%q) = %q: %d chars, %d letters", s, n, chars, letters)
		}
		if n != textbound.Normalize(n) || textbound.MaxMarkRun(n) > textbound.MaxMarksPerChar ||
			textbound.Clusters(n) > MaxNameLen {
			t.Fatalf("ParseFullName(%.60q) = %.60q: not NFC, or a character under more than %d marks",
				s, n, textbound.MaxMarksPerChar)
		}
		if again, err := ParseFullName(n); again != n || err != nil {
			t.Fatalf("ParseFullName(%q) = %q, %v: not idempotent", n, again, err)
		}
	})
}

func FuzzParseBloodGroup(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseBloodGroup(s)
		if err != nil {
			if g != BloodUnknown || !errors.Is(err, ErrBloodGroupInvalid) {
				t.Fatalf("ParseBloodGroup(%q) = %q, %v", s, g, err)
			}
			return
		}
		sign := "-"
		if g.RhPositive() {
			sign = "+"
		}
		if !g.Known() || g.ABO()+sign != string(g) {
			t.Fatalf("ParseBloodGroup(%q) = %q", s, g)
		}
		for _, again := range []string{string(g), strings.ToLower(string(g)), " " + string(g) + " "} {
			if h, err := ParseBloodGroup(again); h != g || err != nil {
				t.Fatalf("ParseBloodGroup(%q) = %q, %v; want %q", again, h, err, g)
			}
		}
	})
}
