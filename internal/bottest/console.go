package bottest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"donorbot/webapp"
)

// Console is a person using the organizer console (the Mini App) on their
// phone: each request carries initData signed for them with the bot's
// token, dated by the bot's clock, as Telegram would hand it.
type Console struct {
	t    testing.TB
	b    *Bot
	User webapp.User
	// InitData overrides the signed initData when set (forged, stale, or
	// another bot's data).
	InitData string
}

// Console opens the console as user id with Telegram language lang.
func (b *Bot) Console(id int64, lang string) *Console {
	return &Console{t: b.t, b: b, User: webapp.User{ID: id, FirstName: "Tester", LanguageCode: lang}}
}

// Response is a console API answer.
type Response struct {
	Status int
	Body   []byte
}

// Decode reads the JSON body into v, failing the test if it cannot.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("console: decode %s: %v", r.Body, err)
	}
}

// Error is the refusal code of a non-2xx answer ("" for a 2xx one).
func (r Response) Error() string {
	var e struct{ Error string }
	_ = json.Unmarshal(r.Body, &e)
	return e.Error
}

// Get calls GET /console/api<path>.
func (c *Console) Get(path string) Response { return c.Do(http.MethodGet, path, nil) }

// Post calls POST /console/api<path> with body as JSON.
func (c *Console) Post(path string, body any) Response { return c.Do(http.MethodPost, path, body) }

// Do calls the console API.
func (c *Console) Do(method, path string, body any) Response {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatalf("console: encode: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, "http://"+c.b.Addr()+"/console/api"+path, rd)
	if err != nil {
		c.t.Fatalf("console: %v", err)
	}
	init := c.InitData
	if init == "" {
		init = webapp.Sign(c.User, c.b.Cfg.Token, c.b.Now())
	}
	req.Header.Set("Authorization", "tma "+init)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("console %s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("console %s %s: read: %v", method, path, err)
	}
	return Response{Status: res.StatusCode, Body: raw}
}
