package profile

import "testing"

func TestGivenName(t *testing.T) {
	for _, c := range []struct{ name, lang, want string }{
		{"Nguyễn Thị Lan", "vi", "Lan"},
		{"Nguyễn Thị Lan", "en", "Lan"}, // a Vietnamese name in English is still addressed by the given name
		{"Nguyen Thi Lan", "en", "Lan"}, // typed without accents
		{"Trần Văn An", "vi", "An"},
		{"Lê Minh", "vi", "Minh"},
		{"Đặng Hoàng Bảo Ngọc", "vi", "Ngọc"},
		{"Sam Taylor", "en", "Sam"},
		{"Sam Tran", "en", "Sam"}, // Western order, Vietnamese family name last
		{"Lan Nguyen", "vi", "Lan"},
		{"Sam Taylor", "vi", "Taylor"}, // neither end tells: the language's order
		{"Jean-Luc Picard", "en", "Jean-Luc"},
		{"Lan", "vi", "Lan"},
		{"Sam", "en", "Sam"},
		{"  Nguyễn   Thị  Lan ", "vi", "Lan"},
		{"", "vi", ""},
	} {
		if got := GivenName(c.name, c.lang); got != c.want {
			t.Errorf("GivenName(%q, %q) = %q; want %q", c.name, c.lang, got, c.want)
		}
	}
}
