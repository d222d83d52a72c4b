// Package webapp is the Mini App side of donorbot: the validation of the
// initData Telegram hands a Mini App, and the organizer console's page,
// embedded in the binary.
package webapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// User is the Telegram user an initData was issued to.
type User struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// InitData is a validated initData.
type InitData struct {
	User     User
	AuthDate time.Time
	QueryID  string
}

// Errors of Validate; none says more than which rule failed, since the
// caller answers a stranger.
var (
	ErrMissing   = errors.New("webapp: no initData")
	ErrMalformed = errors.New("webapp: malformed initData")
	ErrSignature = errors.New("webapp: initData hash does not match")
	ErrExpired   = errors.New("webapp: initData too old")
	ErrFuture    = errors.New("webapp: initData dated in the future")
	ErrNoUser    = errors.New("webapp: initData has no user")
)

// clockSkew is how far in the future an auth_date may be: the phone's and
// the server's clocks are not the same clock.
const clockSkew = 5 * time.Minute

// Validate checks raw (Telegram.WebApp.initData) as the Bot API documents
// it (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):
// the hash is hex(HMAC-SHA256(key, data-check-string)) where key is
// HMAC-SHA256("WebAppData", botToken) and the data-check-string is every
// other field, sorted by key, as key=value joined by "\n". auth_date must
// be within maxAge of now: initData has no expiry of its own, so a leaked
// one would otherwise act for its user forever.
func Validate(raw, botToken string, now time.Time, maxAge time.Duration) (InitData, error) {
	if raw == "" {
		return InitData{}, ErrMissing
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return InitData{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	hashes := values["hash"]
	if len(hashes) != 1 {
		return InitData{}, ErrMalformed
	}
	for _, v := range values {
		if len(v) != 1 {
			return InitData{}, ErrMalformed // a repeated field could be read two ways
		}
	}
	got, err := hex.DecodeString(hashes[0])
	if err != nil {
		return InitData{}, ErrSignature
	}
	if !hmac.Equal(got, signature(values, botToken)) {
		return InitData{}, ErrSignature
	}
	secs, err := strconv.ParseInt(values.Get("auth_date"), 10, 64)
	if err != nil {
		return InitData{}, fmt.Errorf("%w: auth_date", ErrMalformed)
	}
	at := time.Unix(secs, 0)
	switch {
	case at.After(now.Add(clockSkew)):
		return InitData{}, ErrFuture
	case now.Sub(at) > maxAge:
		return InitData{}, ErrExpired
	}
	var u User
	if err := json.Unmarshal([]byte(values.Get("user")), &u); err != nil || u.ID == 0 {
		return InitData{}, ErrNoUser
	}
	return InitData{User: u, AuthDate: at, QueryID: values.Get("query_id")}, nil
}

// Sign returns initData for u dated at, signed with botToken as Telegram
// signs it: what the playground's simulated Telegram.WebApp and the tests
// hand the console.
func Sign(u User, botToken string, at time.Time) string {
	user, err := json.Marshal(u)
	if err != nil {
		panic(err) // User has only strings and numbers
	}
	values := url.Values{}
	values.Set("user", string(user))
	values.Set("auth_date", strconv.FormatInt(at.Unix(), 10))
	values.Set("query_id", "AAH"+strconv.FormatInt(at.UnixNano()%1e9, 36))
	values.Set("hash", hex.EncodeToString(signature(values, botToken)))
	return values.Encode()
}

func signature(values url.Values, botToken string) []byte {
	keys := make([]string, 0, len(values))
	for k := range values {
		if k != "hash" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + values.Get(k)
	}
	secret := hmac.New(sha256.New, []byte("WebAppData"))
	secret.Write([]byte(botToken))
	mac := hmac.New(sha256.New, secret.Sum(nil))
	mac.Write([]byte(strings.Join(lines, "\n")))
	return mac.Sum(nil)
}
