package handlers

import (
	"strings"
	"testing"
	"time"
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

func deadlineHandlers(t testing.TB) *Handlers {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	h, err := New(Deps{Location: loc, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestParseDeadline(t *testing.T) {
	h := deadlineHandlers(t)
	loc := h.d.Location
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"18:00", time.Date(2026, 11, 23, 18, 0, 0, 0, loc), true},
		{"18h30", time.Date(2026, 11, 23, 18, 30, 0, 0, loc), true},
		{"09:00", time.Date(2026, 11, 23, 9, 0, 0, 0, loc), false}, // passed
		{"18:00 25/11/2026", time.Date(2026, 11, 25, 18, 0, 0, 0, loc), true},
		{"25/11/2026  18:00", time.Date(2026, 11, 25, 18, 0, 0, 0, loc), true},
		{"18:00 25/12/2026", time.Date(2026, 12, 25, 18, 0, 0, 0, loc), false}, // beyond 30 days
		{"25/13/2026 18:00", time.Time{}, false},
		{"mai", time.Time{}, false},
	} {
		got, ok := h.parseDeadline(tc.in)
		if ok != tc.ok || tc.ok && !got.Equal(tc.want) {
			t.Errorf("parseDeadline(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseDeadline: an accepted deadline lies in the next 30 days.
func FuzzParseDeadline(f *testing.F) {
	h := deadlineHandlers(f)
	for _, s := range []string{"18:00", "18:00 25/11/2026", "25/11/2026 18:00", "24:00", "h", "1/1/1 0:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := h.parseDeadline(s)
		now := h.d.Now()
		if ok && (!d.After(now) || d.After(now.AddDate(0, 0, 30))) {
			t.Fatalf("accepted %q as %v", s, d)
		}
	})
}
