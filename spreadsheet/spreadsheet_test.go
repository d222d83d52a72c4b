package spreadsheet

import (
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

var day = time.Date(2026, 12, 19, 0, 0, 0, 0, time.UTC)

func TestSheetName(t *testing.T) {
	for _, c := range []struct{ title, want string }{
		{"Ngày hội hiến máu", "19.12.2026 Ngày hội hiến máu"},
		{"Ngày hội hiến máu tình nguyện Công an phường Kim Mã", "19.12.2026 Ngày hội hiến máu tì"},
		{"Đợt 3: CA/PCCC [Q1]?*", "19.12.2026 Đợt 3 CA PCCC Q1"},
		{"'quoted'", "19.12.2026 quoted"},
		{"", "19.12.2026"},
		{"   ", "19.12.2026"},
		// "Nguyễn" typed as base letters and combining accents is cut
		// whole, after NFC.
		{"Hiến máu ngày hội Nguye\u0302\u0303n Thị", "19.12.2026 Hiến máu ngày hội Ng"},
		{"🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸", "19.12.2026 🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸"},
	} {
		got := SheetName(c.title, day)
		if got != c.want {
			t.Errorf("SheetName(%q) = %q, want %q", c.title, got, c.want)
		}
		assertValidSheetName(t, got)
	}
}

// assertValidSheetName: excelize, which applies Excel's rules, accepts it.
func assertValidSheetName(t *testing.T, name string) {
	t.Helper()
	if n := len(utf16.Encode([]rune(name))); n > MaxSheetName {
		t.Errorf("%q has %d UTF-16 units", name, n)
	}
	book := excelize.NewFile()
	defer book.Close()
	if _, err := book.NewSheet(name); err != nil {
		t.Errorf("excelize refuses %q: %v", name, err)
	}
	if strings.EqualFold(name, "history") {
		t.Errorf("%q is reserved", name)
	}
}

func FuzzSheetName(f *testing.F) {
	for _, s := range []string{"Ngày hội hiến máu", "Đợt 3: CA/PCCC [Q1]?*", "'", "a'", "Nguye\u0302\u0303n",
		"🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸", "\x00\xff", strings.Repeat("ữ", 40), "a\u0300\u0300\u0300\u0300"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		name := SheetName(title, day)
		if !utf8.ValidString(name) || !strings.HasPrefix(name, "19.12.2026") {
			t.Fatalf("SheetName(%q) = %q", title, name)
		}
		assertValidSheetName(t, name)
	})
}

func TestDefuseFormula(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+84901": "'+84901", "-2": "'-2", "@x": "'@x",
		"\tx": "'\tx", "0901 234 567": "0901 234 567", "Lan": "Lan", "": ""} {
		if got := DefuseFormula(in); got != want {
			t.Errorf("DefuseFormula(%q) = %q, want %q", in, got, want)
		}
	}
}
