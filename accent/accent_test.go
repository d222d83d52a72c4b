package accent

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain ASCII 123", "plain ASCII 123"},
		{"Đợt 1", "Dot 1"},
		{"đường Điện Biên Phủ", "duong Dien Bien Phu"},
		{"Ưu tiên", "Uu tien"},
		{"ƯỚC MUỐN", "UOC MUON"},
		{"mỗi người mỗi ngày", "moi nguoi moi ngay"},
		{"ỖỐỒỔỘ", "OOOOO"},
		{"tháng năm", "thang nam"},
		{"Nữ", "Nu"},
		{"Bệnh viện Chợ Rẫy", "Benh vien Cho Ray"},
		{"ỳýỷỹỵ ìíỉĩị", "yyyyy iiiii"},
		// Decomposed, as some keyboards send it: n, u, horn, tilde.
		{"nu\u031b\u0303", "nu"},
		{"e\u0302\u0323", "e"},
		{"日本 😀", "日本 😀"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzFold: whatever the input, no combining mark and no stroked d is left,
// and valid UTF-8 stays valid.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Đợt 1", "ƯỚC mỗi", "nu\u031b\u0303", "e\u0302\u0323\u0300\u0301", "\xff", "", "Đ\u0323đ\u0301\xffđ"} {
		f.Add(s)
	}
	// The reference: the transformer chain Fold stood for, the stroked d
	// replaced first.
	dStroke := strings.NewReplacer("đ", "d", "Đ", "D")
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if again := Fold(s); again != got {
			t.Fatalf("Fold(%q) = %q, then %q: a transformer kept state", s, got, again)
		}
		fresh := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if want, _, err := transform.String(fresh, dStroke.Replace(s)); err == nil && got != want {
			t.Fatalf("Fold(%q) = %q, a fresh transformer gives %q", s, got, want)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Fold(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if unicode.Is(unicode.Mn, r) || r == 'đ' || r == 'Đ' {
				t.Fatalf("Fold(%q) = %q keeps %q", s, got, r)
			}
		}
	})
}

// TestFoldLeavesASCIIAlone: ASCII text has nothing to fold, so it comes
// back as it is, without allocating.
func TestFoldLeavesASCIIAlone(t *testing.T) {
	if got := testing.AllocsPerRun(100, func() { Fold("Wave 3") }); got != 0 {
		t.Errorf("Fold of ASCII: %v allocations, want 0", got)
	}
}

// TestFoldAllocatesLittle: every drive card folds its wave ("Đợt 3"), so
// accented text folds in a few allocations, not the 11 (9 KiB) of a
// transformer chain built per call.
func TestFoldAllocatesLittle(t *testing.T) {
	if got := testing.AllocsPerRun(100, func() { Fold("Đợt 3") }); got > 4 {
		t.Errorf("Fold of accented text: %v allocations, want at most 4", got)
	}
}

func BenchmarkFold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Fold("Đợt 3")
	}
}
