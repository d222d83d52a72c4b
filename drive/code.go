package drive

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// A drive's public code is CodeLen characters of codeAlphabet: Crockford's
// base32 in lower case (no i, l, o, u), so a code read off a poster is not
// mistaken for another. 10 characters are 50 random bits: guessing a code of
// a draft drive is hopeless, and collisions are retried by storage.
const (
	CodeLen      = 10
	codeAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	// Codes of other lengths parse too, so that the length can change without
	// breaking links already printed.
	minCodeLen = 6
	maxCodeLen = 32
)

// KindDrive is the deep-link kind of a drive: t.me/<bot>?start=d_<code>.
const KindDrive = "d"

// MaxPayloadLen is Telegram's limit on a /start parameter: "up to 64
// characters, A-Z, a-z, 0-9, _ and -" (Bot API, "Deep linking").
const MaxPayloadLen = 64

// Errors of ParseDeepLinkPayload.
var (
	ErrPayloadInvalid = errors.New("drive: malformed deep-link payload")
	ErrPayloadKind    = errors.New("drive: unknown deep-link kind")
)

// NewCode returns a fresh random drive code.
func NewCode() string {
	b := make([]byte, CodeLen)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	for i := range b {
		b[i] = codeAlphabet[b[i]&31] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

// ValidCode reports whether code has the form of a drive code.
func ValidCode(code string) bool {
	if len(code) < minCodeLen || len(code) > maxCodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if strings.IndexByte(codeAlphabet, code[i]) < 0 {
			return false
		}
	}
	return true
}

// DeepLinkPayload is the /start parameter that opens the drive with this code.
func DeepLinkPayload(code string) string { return KindDrive + "_" + code }

// DeepLink is the link that opens the drive in the bot with the given
// username (without "@").
func DeepLink(botUsername, code string) string {
	return "https://t.me/" + url.PathEscape(botUsername) + "?start=" + DeepLinkPayload(code)
}

// ParseDeepLinkPayload splits a /start parameter into its kind and code. Only
// KindDrive is known; anything else is ErrPayloadKind, and a parameter that
// Telegram would not have sent, or a malformed code, is ErrPayloadInvalid.
func ParseDeepLinkPayload(s string) (kind, code string, err error) {
	if s == "" || len(s) > MaxPayloadLen {
		return "", "", fmt.Errorf("%w: length %d", ErrPayloadInvalid, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return "", "", fmt.Errorf("%w: character %q", ErrPayloadInvalid, c)
		}
	}
	kind, code, ok := strings.Cut(s, "_")
	if !ok {
		return "", "", fmt.Errorf("%w: no kind", ErrPayloadInvalid)
	}
	if kind != KindDrive {
		return "", "", fmt.Errorf("%w: %q", ErrPayloadKind, kind)
	}
	if !ValidCode(code) {
		return "", "", fmt.Errorf("%w: bad drive code", ErrPayloadInvalid)
	}
	return kind, code, nil
}
