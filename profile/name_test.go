package profile

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFullName(t *testing.T) {
	nfd := "Nguye\u0302\u0303n Va\u0306n An" // "Nguyễn Văn An" decomposed
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"Nguyễn Văn An", "Nguyễn Văn An", nil},
		{"  Nguyễn   Văn \t An  ", "Nguyễn Văn An", nil},
		{"Trần\u00a0Thị Ngọc Ánh", "Trần Thị Ngọc Ánh", nil}, // no-break space
		{"Đặng Thị Hương", "Đặng Thị Hương", nil},
		{"NGUYỄN VĂN AN", "NGUYỄN VĂN AN", nil},
		{"O'Brien", "O'Brien", nil},
		{"O’Brien", "O'Brien", nil}, // iOS smart apostrophe
		{"Jean-Luc Picard", "Jean-Luc Picard", nil},
		{"Nguyen Van A.", "Nguyen Van A.", nil},
		{"Lê", "Lê", nil},
		{"An", "An", nil},
		{"A.", "A.", nil},
		{nfd, "Nguyễn Văn An", nil}, // stored in NFC
		{"Иван Петров", "Иван Петров", nil},
		{"李小龙", "李小龙", nil},
		{"สมชาย ใจดี", "สมชาย ใจดี", nil},
		{strings.Repeat("a", 100), strings.Repeat("a", 100), nil},
		{strings.Repeat("ễ", 100), strings.Repeat("ễ", 100), nil},
		// 100 characters but 300 runes in NFD: stored composed.
		{strings.Repeat("e\u0302\u0303", 100), strings.Repeat("ễ", 100), nil},
		// No precomposed form: the marks stay, three at most.
		{"Aq\u0303\u0301\u0300", "Aq\u0303\u0301\u0300", nil},
		{"  " + strings.Repeat("a", 100) + "  ", strings.Repeat("a", 100), nil},

		{"", "", ErrNameTooShort},
		{"   ", "", ErrNameTooShort},
		{"A", "", ErrNameTooShort},
		{" Đ ", "", ErrNameTooShort},
		{"e\u0302\u0303", "", ErrNameTooShort}, // one character in NFD
		{strings.Repeat("a", 101), "", ErrNameTooLong},
		{strings.Repeat("a", 50) + " " + strings.Repeat("a", 50), "", ErrNameTooLong},
		{strings.Repeat("ễ", 101), "", ErrNameTooLong},

		{"Nguyễn Văn 2", "", ErrNameInvalid},
		{"An 😀", "", ErrNameInvalid},
		{"An\nBình", "", ErrNameInvalid},
		{"An\x00", "", ErrNameInvalid},
		{"An\x1b[31m", "", ErrNameInvalid},
		{"An\u202eBình", "", ErrNameInvalid}, // right-to-left override
		{"An\u200bBình", "", ErrNameInvalid}, // zero-width space
		{"\u0301An", "", ErrNameInvalid},     // accent on nothing
		// Zalgo: one letter under 4,000 accents is not a 1-character name.
		{"A" + strings.Repeat("\u0301", 4000), "", ErrNameInvalid},
		{"Lan" + strings.Repeat("\u0300", 4000), "", ErrNameInvalid},
		{"Aq\u0303\u0301\u0300\u0302", "", ErrNameInvalid}, // a fourth mark
		{"An \u0301", "", ErrNameInvalid},
		{"An@mail", "", ErrNameInvalid},
		{"An_Bình", "", ErrNameInvalid},
		{"An\xff", "", ErrNameInvalid}, // not UTF-8
		{"\ufffd\ufffd", "", ErrNameInvalid},
		{".", "", ErrNameInvalid},
		{"--", "", ErrNameInvalid},
		{"' . -", "", ErrNameInvalid},
		{"١٢٣", "", ErrNameInvalid}, // Arabic-Indic digits are not letters
	} {
		got, err := ParseFullName(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("ParseFullName(%.60q) = %.60q, %v; want %.60q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
