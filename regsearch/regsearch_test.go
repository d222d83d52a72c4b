package regsearch

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFoldName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Thị Lan", "nguyen thi lan"},
		{"  ĐẶNG   văn  Đức ", "dang van duc"},
		{"Trần-Thị Ánh", "tran thi anh"},
		{"nu\u031b\u0303 Hoa", "nu hoa"}, // decomposed, as some keyboards send it
		{"", ""},
	}
	for _, tt := range tests {
		if got := FoldName(tt.in); got != tt.want {
			t.Errorf("FoldName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Query
	}{
		{"", Query{}},
		{"nguyen thi lan", Query{Words: []string{"nguyen", "thi", "lan"}}},
		{"Nguyen Thi LAN", Query{Words: []string{"nguyen", "thi", "lan"}}},
		{"Nguyễn Thị Lan", Query{Words: []string{"nguyen", "thi", "lan"}}},
		{"lan nguyen", Query{Words: []string{"lan", "nguyen"}}},
		{"đức", Query{Words: []string{"duc"}}},
		{"0901234567", Query{Phone: "+84901234567"}},
		{"0901 234 567", Query{Phone: "+84901234567"}},
		{"+84 901 234 567", Query{Phone: "+84901234567"}},
		{"84901234567", Query{Phone: "+84901234567"}},
		{"901 234 567", Query{Digits: []string{"901234567"}}},
		{"4567", Query{Digits: []string{"4567"}}},
		{"+84 901", Query{Digits: []string{"901"}}},
		{"0901-234", Query{Digits: []string{"901234"}}},
		{"lan 4567", Query{Words: []string{"lan"}, Digits: []string{"4567"}}},
		{"a b c d e f g h i j", Query{Words: strings.Fields("a b c d e f g h")}},
		{"%_\\", Query{}},
	}
	for _, tt := range tests {
		if got := Parse(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// FuzzParse: whatever is typed, a query is bounded, its words are what
// FoldName stores (so a name always finds itself), and no word or digit
// run carries a LIKE wildcard or a character a stored value cannot have.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"nguyen thi lan", "Nguyễn Thị LAN", "Đặng Đức", "0901 234 567", "+84 901 234 567",
		"901 234 567", "lan 4567", "%_\\'", "nu\u031b\u0303", "\xff", "＋84 901", "0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		if len(q.Words)+len(q.Digits) > MaxWords {
			t.Fatalf("Parse(%q): %d words", s, len(q.Words)+len(q.Digits))
		}
		for _, w := range q.Words {
			if w == "" || FoldName(w) != w || strings.ContainsAny(w, "%_\\ ") || !utf8.ValidString(w) {
				t.Fatalf("Parse(%q): word %q", s, w)
			}
		}
		for _, d := range q.Digits {
			if !allDigits(d) {
				t.Fatalf("Parse(%q): digits %q", s, d)
			}
		}
		if q.Phone != "" && (len(q.Words) > 0 || len(q.Digits) > 0) {
			t.Fatalf("Parse(%q) = %+v: a phone is the whole query", s, q)
		}
		if utf8.ValidString(s) && len(Parse(FoldName(s)).Words) > 0 {
			folded := " " + FoldName(s)
			for _, w := range Parse(FoldName(s)).Words {
				if !strings.Contains(folded, " "+w) {
					t.Fatalf("the name %q does not find itself by %q", s, w)
				}
			}
		}
	})
}
