package handlers

import (
	"strings"
	"testing"
)

func TestParseClubPayload(t *testing.T) {
	for _, tc := range []struct {
		in, code string
		ok       bool
	}{
		{"c_ABCDEFGH2345", "ABCDEFGH2345", true},
		{"c_ab-_9", "ab-_9", true},
		{"c_abc", "", false}, // shorter than invite codes are
		{"c_" + strings.Repeat("a", 33), "", false},
		{"d_abcdefgh", "", false},
		{"c_abc def", "", false},
		{"c_abcé", "", false},
		{"", "", false},
	} {
		code, ok := parseClubPayload(tc.in)
		if code != tc.code || ok != tc.ok {
			t.Errorf("parseClubPayload(%q) = %q, %v; want %q, %v", tc.in, code, ok, tc.code, tc.ok)
		}
	}
}

// FuzzParseClubPayload: /start parameters come from anyone's link; what is
// accepted must be a valid invite code (units.invite_code's CHECK).
func FuzzParseClubPayload(f *testing.F) {
	for _, s := range []string{"c_ABCDEFGH2345", "c_", "c_____", "d_abc", "c_a:b", "r_7kq2m9x4ab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := parseClubPayload(s)
		if !ok {
			return
		}
		if "c_"+code != s || len(code) < 4 || len(code) > 32 || strings.ContainsFunc(code, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
		}) {
			t.Fatalf("accepted %q as code %q", s, code)
		}
	})
}
