package textbound

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzBound: whatever a user types, its normal form measures and splits
// within the bounds: parts within the limit, nothing lost, a truncation
// within its characters.
func FuzzBound(f *testing.F) {
	for _, s := range []string{
		"Nguyễn Văn An", "Nguye\u0302\u0303n", "A" + strings.Repeat("\u0301", 4000),
		strings.Repeat("ạ", 4080), strings.Repeat("😀", 3000), "👩\u200d👩\u200d👧\n\n\u200d", "",
	} {
		f.Add(s, uint16(100))
	}
	f.Fuzz(func(t *testing.T, s string, limit uint16) {
		if !utf8.ValidString(s) || limit < 2 {
			return
		}
		n := Normalize(s)
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent on %.40q", s)
		}
		max := int(limit)
		if got := Truncate(n, max); Clusters(got) > max || MaxMarkRun(got) > MaxMarksPerChar {
			t.Fatalf("Truncate(%.40q, %d) has %d characters", n, max, Clusters(got))
		}
		if got := Fit(n, max); Len(got) > max || !utf8.ValidString(got) {
			t.Fatalf("Fit(%.40q, %d) has %d units", n, max, Len(got))
		}
		kept := 0
		for _, p := range Split(n, max) {
			if Len(p) > max || !utf8.ValidString(p) {
				t.Fatalf("Split(%.40q, %d) gave a part of %d units", n, max, Len(p))
			}
			kept += len(strings.Join(strings.Fields(p), ""))
		}
		if want := len(strings.Join(strings.Fields(n), "")); kept != want && Len(n) > max {
			t.Fatalf("Split(%.40q, %d) kept %d bytes of %d", n, max, kept, want)
		}
	})
}
