package profile

import (
	"strings"
	"unicode"
)

// maxPhoneDigits bounds the work on junk input; E.164 numbers have at most 15
// digits, plus "00" and a stray trunk 0.
const maxPhoneDigits = 18

// ParsePhone normalizes a Vietnamese mobile number to E.164 ("+84912345678").
// It accepts the national form ("0912 345 678", "0912.345.678",
// "0912-345-678"), the international one ("+84 912 345 678",
// "(+84) 912-345-678", "0084 912 345 678", even "+84 (0) 912 345 678") and
// the bare digits Telegram puts in a shared contact ("84912345678").
//
// Valid mobiles have 9 digits after the country code starting with 3, 5, 7,
// 8 or 9: the 10-digit numbering in force since the 2018 conversion of the
// old 11-digit 01x numbers. The errors: ErrPhoneNotVietnamese for another
// country's number, ErrPhoneNotMobile for a landline (02x), ErrPhoneInvalid
// for anything else (letters, wrong length, old 01x numbers).
func ParsePhone(s string) (string, error) {
	digits := make([]byte, 0, maxPhoneDigits)
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if len(digits) == maxPhoneDigits {
				return "", ErrPhoneInvalid
			}
			digits = append(digits, byte(r))
		case r == '+' || r == '＋':
			if plus || len(digits) > 0 {
				return "", ErrPhoneInvalid
			}
			plus = true
		case r == '.' || r == '-' || r == '(' || r == ')' || unicode.IsSpace(r):
			// Grouping people and contact apps put in.
		default:
			return "", ErrPhoneInvalid
		}
	}
	d := string(digits)

	var nsn string // national significant number: what follows +84
	switch {
	case plus:
		nsn = d
	case strings.HasPrefix(d, "00"): // international call prefix
		nsn = d[2:]
	case strings.HasPrefix(d, "0"): // national trunk prefix
		return mobile(d[1:])
	case len(d) >= 10:
		// Bare digits as Telegram sends a contact: country code first. Nine
		// digits without the 0 ("912345678") are not taken as Vietnamese:
		// that is a guess, and a shared contact never looks like that.
		nsn = d
	default:
		return "", ErrPhoneInvalid
	}
	rest, ok := strings.CutPrefix(nsn, "84")
	if !ok {
		if len(nsn) < 7 || len(nsn) > 15 {
			return "", ErrPhoneInvalid
		}
		return "", ErrPhoneNotVietnamese
	}
	// "+84 (0) 912 ...": the trunk 0 is often kept after the country code.
	return mobile(strings.TrimPrefix(rest, "0"))
}

// mobile checks a national significant number and returns it in E.164.
func mobile(nsn string) (string, error) {
	switch {
	case len(nsn) == 9 && strings.IndexByte("35789", nsn[0]) >= 0:
		return "+84" + nsn, nil
	case len(nsn) == 10 && nsn[0] == '2':
		return "", ErrPhoneNotMobile // 02x area code + 8 digits since 2017
	}
	return "", ErrPhoneInvalid
}

// LocalPhone writes a stored number the way people in Vietnam read and
// dial it: "+84901234567" as "0901 234 567" (mobiles 4-3-3). Landlines
// have the 02x area code plus eight digits: Hà Nội's and TP.HCM's two-digit
// codes as "024 3869 3731", the others' three-digit ones as "0236 382 2222".
// Anything else (another country, a malformed value) is returned unchanged,
// so a number is never shown wrong, only unformatted.
func LocalPhone(e164 string) string {
	nsn, ok := strings.CutPrefix(e164, "+84")
	if !ok || strings.IndexFunc(nsn, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return e164
	}
	national := "0" + nsn
	switch {
	case len(nsn) == 9 && strings.IndexByte("35789", nsn[0]) >= 0:
		return national[:4] + " " + national[4:7] + " " + national[7:]
	case len(nsn) == 10 && (strings.HasPrefix(nsn, "24") || strings.HasPrefix(nsn, "28")):
		return national[:3] + " " + national[3:7] + " " + national[7:]
	case len(nsn) == 10 && nsn[0] == '2':
		return national[:4] + " " + national[4:7] + " " + national[7:]
	}
	return e164
}
