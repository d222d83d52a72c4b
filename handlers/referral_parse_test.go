package handlers

import (
	"testing"

	"donorbot/drive"
)

// FuzzParseReferralPayload: /start parameters come from anyone's link; an
// accepted invite code has the form of the codes stored (drive.ValidCode),
// and no parameter is taken by two of the /start parsers (club, invite,
// drive), so each link opens one journey.
func FuzzParseReferralPayload(f *testing.F) {
	for _, s := range []string{"r_7kq2m9x4ab", "r_", "r_ABCDEFGH", "r_abc", "r_" + drive.NewCode(), "c_ABCDEFGH2345",
		"d_7kq2m9x4ab", "r_7kq2m9x4ab_x", "r__________", "r_ilou0000", "R_7kq2m9x4ab", "r_7kq2m9x4ab\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := parseReferralPayload(s)
		if ok && ("r_"+code != s || !drive.ValidCode(code)) {
			t.Fatalf("accepted %q as invite code %q", s, code)
		}
		_, club := parseClubPayload(s)
		_, _, err := drive.ParseDeepLinkPayload(s)
		if n := btoi(ok) + btoi(club) + btoi(err == nil); n > 1 {
			t.Fatalf("%q is taken by %d /start parsers", s, n)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
