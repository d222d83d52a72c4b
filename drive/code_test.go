package drive

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Telegram: a /start parameter is "up to 64 characters, A-Z, a-z, 0-9, _ and
// -" (Bot API, "Deep linking").
var telegramPayload = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		c := NewCode()
		if len(c) != CodeLen || !ValidCode(c) {
			t.Fatalf("NewCode() = %q, not a valid code", c)
		}
		if seen[c] {
			t.Fatalf("NewCode() repeated %q within 10000 codes", c)
		}
		seen[c] = true
		p := DeepLinkPayload(c)
		if !telegramPayload.MatchString(p) {
			t.Fatalf("DeepLinkPayload(%q) = %q, not a Telegram start parameter", c, p)
		}
		if kind, code, err := ParseDeepLinkPayload(p); kind != KindDrive || code != c || err != nil {
			t.Fatalf("ParseDeepLinkPayload(%q) = %q, %q, %v", p, kind, code, err)
		}
	}
}

func TestDeepLink(t *testing.T) {
	if got, want := DeepLink("donorbot_vn_bot", "ab12cd34ef"), "https://t.me/donorbot_vn_bot?start=d_ab12cd34ef"; got != want {
		t.Fatalf("DeepLink = %q, want %q", got, want)
	}
}

func TestParseDeepLinkPayload(t *testing.T) {
	tests := []struct {
		name, in string
		code     string
		want     error
	}{
		{"OK", "d_ab12cd34ef", "ab12cd34ef", nil},
		{"OKShortest", "d_abcdef", "abcdef", nil},
		{"OKLongest", "d_" + strings.Repeat("z", 32), strings.Repeat("z", 32), nil},
		{"ErrEmpty", "", "", ErrPayloadInvalid},
		{"ErrTooLong", "d_" + strings.Repeat("a", 63), "", ErrPayloadInvalid},
		{"ErrCharacter", "d_ab12cd34e!", "", ErrPayloadInvalid},
		{"ErrSpace", "d_ab12 cd34e", "", ErrPayloadInvalid},
		{"ErrUnicode", "d_ab12cđ34e", "", ErrPayloadInvalid},
		{"ErrNoKind", "ab12cd34ef", "", ErrPayloadInvalid},
		{"ErrKind", "u_ab12cd34ef", "", ErrPayloadKind},
		{"ErrKindUpper", "D_ab12cd34ef", "", ErrPayloadKind},
		{"ErrCodeShort", "d_abc", "", ErrPayloadInvalid},
		{"ErrCodeUpper", "d_AB12CD34EF", "", ErrPayloadInvalid},
		{"ErrCodeAmbiguous", "d_ab12cd34el", "", ErrPayloadInvalid}, // no l in the alphabet
		{"ErrCodeUnderscore", "d_ab12_cd34ef", "", ErrPayloadInvalid},
		{"ErrEmptyCode", "d_", "", ErrPayloadInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, code, err := ParseDeepLinkPayload(tt.in)
			if tt.want == nil {
				if err != nil || kind != KindDrive || code != tt.code {
					t.Fatalf("ParseDeepLinkPayload(%q) = %q, %q, %v; want d, %q, nil", tt.in, kind, code, err, tt.code)
				}
				return
			}
			if !errors.Is(err, tt.want) || kind != "" || code != "" {
				t.Fatalf("ParseDeepLinkPayload(%q) = %q, %q, %v; want %v", tt.in, kind, code, err, tt.want)
			}
		})
	}
}

// Seed corpus: testdata/fuzz/FuzzParseDeepLinkPayload. `go test` runs it as
// regular cases, `go test -fuzz` starts from it.
func FuzzParseDeepLinkPayload(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		kind, code, err := ParseDeepLinkPayload(s)
		if err != nil {
			if kind != "" || code != "" || !errors.Is(err, ErrPayloadInvalid) && !errors.Is(err, ErrPayloadKind) {
				t.Fatalf("ParseDeepLinkPayload(%q) = %q, %q, %v", s, kind, code, err)
			}
			return
		}
		if !telegramPayload.MatchString(s) {
			t.Fatalf("ParseDeepLinkPayload(%q) accepted what Telegram never sends", s)
		}
		if kind != KindDrive || !ValidCode(code) {
			t.Fatalf("ParseDeepLinkPayload(%q) = %q, %q: not a drive code", s, kind, code)
		}
		// Accepted payloads are exactly the ones DeepLinkPayload makes.
		if p := DeepLinkPayload(code); p != s {
			t.Fatalf("DeepLinkPayload(%q) = %q, parsed from %q", code, p, s)
		}
	})
}
