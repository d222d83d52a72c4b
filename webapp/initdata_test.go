package webapp_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"donorbot/webapp"
)

const token = "123456:TEST-token"

// signedByPython was signed outside Go (Python's hmac, following
// core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
// step by step), so Sign and Validate cannot agree on a shared mistake.
const signedByPython = "auth_date=1796400000&query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A910004%2C%22first_name%22%3A%22Mai%22%2C%22language_code%22%3A%22vi%22%7D&hash=fc91cd2ef235b5e33c22ea37e3d3119aad9068614567d988f99985d12b188adb"

func TestValidate(t *testing.T) {
	signedAt := time.Unix(1796400000, 0)
	mai := webapp.User{ID: 910004, FirstName: "Mai", LanguageCode: "vi"}
	tamper := func(raw, key, value string) string {
		v, _ := url.ParseQuery(raw)
		v.Set(key, value)
		return v.Encode()
	}
	cases := []struct {
		name string
		raw  string
		tok  string
		now  time.Time
		want error
	}{
		{"signed outside Go", signedByPython, token, signedAt.Add(time.Minute), nil},
		{"signed by Sign", webapp.Sign(mai, token, signedAt), token, signedAt, nil},
		{"field order does not matter", reorder(webapp.Sign(mai, token, signedAt)), token, signedAt, nil},
		{"forged user", tamper(signedByPython, "user", `{"id":1,"first_name":"Eve"}`), token, signedAt, webapp.ErrSignature},
		{"forged hash", tamper(signedByPython, "hash", strings.Repeat("ab", 32)), token, signedAt, webapp.ErrSignature},
		{"hash not hex", tamper(signedByPython, "hash", "zz"), token, signedAt, webapp.ErrSignature},
		{"another bot's data", signedByPython, "654321:OTHER-token", signedAt, webapp.ErrSignature},
		{"stale", signedByPython, token, signedAt.Add(24*time.Hour + time.Second), webapp.ErrExpired},
		{"from the future", signedByPython, token, signedAt.Add(-time.Hour), webapp.ErrFuture},
		{"empty", "", token, signedAt, webapp.ErrMissing},
		{"no hash", "auth_date=1796400000&user=%7B%7D", token, signedAt, webapp.ErrMalformed},
		{"repeated field", signedByPython + "&auth_date=1", token, signedAt, webapp.ErrMalformed},
		{"no user", webapp.Sign(webapp.User{}, token, signedAt), token, signedAt, webapp.ErrNoUser},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := webapp.Validate(c.raw, c.tok, c.now, 24*time.Hour)
			if !errors.Is(err, c.want) {
				t.Fatalf("Validate: err %v, want %v", err, c.want)
			}
			if c.want == nil && (got.User.ID != 910004 || got.User.FirstName != "Mai" || !got.AuthDate.Equal(signedAt)) {
				t.Fatalf("Validate = %+v", got)
			}
		})
	}
}

// reorder puts hash first and the rest reversed: initData is a query
// string whose order a client may change.
func reorder(raw string) string {
	parts := strings.Split(raw, "&")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "&")
}

func FuzzValidate(f *testing.F) {
	f.Add(signedByPython)
	f.Add("hash=&auth_date=&user=")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, raw string) {
		d, err := webapp.Validate(raw, token, time.Unix(1796400000, 0), 24*time.Hour)
		if err == nil && d.User.ID == 0 {
			t.Fatalf("accepted %q without a user", raw)
		}
	})
}
