package drive

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strconv"
	"strings"
	"time"
)

// CheckinValidity is how long a personal check-in code (/mycode) stays
// valid: long enough for a drive day, short enough that a screenshot passed
// around is useless the next day.
const CheckinValidity = 12 * time.Hour

// ErrCheckinCode is a check-in code that is malformed, forged or expired.
var ErrCheckinCode = errors.New("drive: invalid or expired check-in code")

var macEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// CheckinCode is a donor's short-lived signed check-in code, shown as a QR
// and as text an organizer can type: "<id>-<expiry>-<mac>", the Telegram id
// and the expiry (Unix minutes) in base 36, then 10 base32 characters (50
// bits) of an HMAC-SHA256 over both under secret.
func CheckinCode(secret []byte, telegramID int64, expires time.Time) string {
	body := strconv.FormatInt(telegramID, 36) + "-" + strconv.FormatInt(expires.Unix()/60, 36)
	return strings.ToUpper(body + "-" + checkinMAC(secret, body))
}

// ParseCheckinCode returns the Telegram id of a valid code not expired at
// now. Case and surrounding spaces are forgiven: organizers type it.
func ParseCheckinCode(secret []byte, code string, now time.Time) (int64, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	parts := strings.Split(code, "-")
	if len(parts) != 3 || len(code) > 64 {
		return 0, ErrCheckinCode
	}
	body := parts[0] + "-" + parts[1]
	want := strings.ToLower(checkinMAC(secret, body))
	if !hmac.Equal([]byte(parts[2]), []byte(want)) {
		return 0, ErrCheckinCode
	}
	id, err1 := strconv.ParseInt(parts[0], 36, 64)
	exp, err2 := strconv.ParseInt(parts[1], 36, 64)
	if err1 != nil || err2 != nil || id <= 0 || now.Unix()/60 >= exp {
		return 0, ErrCheckinCode
	}
	return id, nil
}

func checkinMAC(secret []byte, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	return macEncoding.EncodeToString(m.Sum(nil))[:10]
}
