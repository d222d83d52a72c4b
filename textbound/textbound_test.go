package textbound

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	nguyenNFD = "Nguye\u0302\u0303n" // ễ as e + circumflex + tilde
	nguyenNFC = "Nguyễn"
)

func TestNormalizeAndMeasure(t *testing.T) {
	manyMarks := "A" + strings.Repeat("\u0301", 4000)
	tests := []struct {
		name     string
		in       string
		nfc      string
		clusters int
		marks    int
	}{
		{"ASCII", "Lan", "Lan", 3, 0},
		{"VietnameseNFD", nguyenNFD, nguyenNFC, 6, 0},
		{"VietnameseNFC", nguyenNFC, nguyenNFC, 6, 0},
		{"DotBelowAndCircumflexNFD", "e\u0323\u0302", "ệ", 1, 0},
		{"NoPrecomposedForm", "q\u0303\u0301", "q\u0303\u0301", 1, 2},
		// NFC composes the first accent and, by the stream-safe format,
		// puts a grapheme joiner (itself a mark) after every 30.
		{"OneLetterFourThousandAccents", manyMarks, "", 1, 3999 + 3999/30},
		{"EmojiZWJFamily", "👩\u200d👩\u200d👧", "👩\u200d👩\u200d👧", 1, 0},
		{"EmojiSkinTone", "👍🏽👍", "👍🏽👍", 2, 0},
		{"Empty", "", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if tt.nfc != "" && got != tt.nfc {
				t.Fatalf("Normalize(%.40q) = %.40q, want %.40q", tt.in, got, tt.nfc)
			}
			if n := Clusters(got); n != tt.clusters {
				t.Errorf("Clusters(%.40q) = %d, want %d", got, n, tt.clusters)
			}
			if n := MaxMarkRun(got); n != tt.marks {
				t.Errorf("MaxMarkRun(%.40q) = %d, want %d", got, n, tt.marks)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want error
	}{
		{"OK", nguyenNFC, 6, nil},
		{"OKThreeMarks", "q\u0303\u0301\u0300", 1, nil},
		{"ErrTooLong", nguyenNFC, 5, ErrTooLong},
		{"ErrFourMarks", "q\u0303\u0301\u0300\u0302", 10, ErrTooManyMarks},
		{"ErrZalgo", Normalize("A" + strings.Repeat("\u0301", 4000)), 100, ErrTooManyMarks},
		{"ErrMarksCountAsOneCharEach", strings.Repeat("a\u0303\u0301", 101), 100, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Check(tt.in, tt.max); !errors.Is(err, tt.want) || tt.want == nil && err != nil {
				t.Fatalf("Check(%.40q, %d) = %v, want %v", tt.in, tt.max, err, tt.want)
			}
		})
	}
}

func TestTruncateAndFit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"Short", "Lan", 5, "Lan"},
		{"Exact", "Lan", 3, "Lan"},
		{"Cut", "Phạm Thị Lan", 5, "Phạm…"},
		{"KeepsMarksWithTheirLetter", "q\u0303\u0301q\u0303\u0301q", 2, "q\u0303\u0301…"},
		{"DropsMarksPastThree", "A" + strings.Repeat("\u0301", 4000) + "n", 5, "A\u0301\u0301\u0301n"},
		{"KeepsEmojiWhole", "👩\u200d👩\u200d👧👍", 1, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Truncate(tt.in, tt.max); got != tt.want {
				t.Fatalf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
	long := strings.Repeat("ạ", 4080)
	if got := Fit(long, 100); Len(got) != 100 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("Fit: %d units, %q…", Len(got), got[:10])
	}
	// An emoji is two UTF-16 units, as Telegram counts.
	if got := Fit(strings.Repeat("😀", 10), 5); got != "😀😀…" {
		t.Errorf("Fit of emoji = %q", got)
	}
	if got := Fit("A"+strings.Repeat("\u0301", 50), 10); Len(got) != 10 || !utf8.ValidString(got) {
		t.Errorf("Fit of one letter under 50 marks = %d units", Len(got))
	}
}

func TestSplit(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n" // 100 units with the break
	tests := []struct {
		name  string
		text  string
		limit int
		parts int
	}{
		{"Fits", strings.Repeat(line, 3), 300, 1},
		{"AtLines", strings.Repeat(line, 100), 1000, 10},
		{"LongLineCut", strings.Repeat("ạ", 4500), 4096, 2},
		{"MixedEmojiCountedAsTwo", strings.Repeat("😀", 3000), 4096, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := Split(tt.text, tt.limit)
			if len(parts) != tt.parts {
				t.Fatalf("Split into %d parts, want %d", len(parts), tt.parts)
			}
			joined := 0
			for _, p := range parts {
				if Len(p) > tt.limit || p == "" || !utf8.ValidString(p) {
					t.Fatalf("part of %d units (limit %d)", Len(p), tt.limit)
				}
				joined += len(strings.ReplaceAll(p, "\n", ""))
			}
			if want := len(strings.ReplaceAll(tt.text, "\n", "")); joined != want {
				t.Errorf("parts hold %d bytes of text, want %d: something was lost", joined, want)
			}
		})
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want bool
	}{
		{"OK", "Viện Huyết học", 14, true},
		{"TooManyRunes", "Viện Huyết học", 13, false},
		{"MarksCountAsRunes", "e\u0302\u0303", 2, false},
		{"Zalgo", "A" + strings.Repeat("\u0301", 10), 300, false},
		{"Empty", "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Within(tt.in, tt.max); got != tt.want {
				t.Fatalf("Within(%q, %d) = %v, want %v", tt.in, tt.max, got, tt.want)
			}
		})
	}
}
