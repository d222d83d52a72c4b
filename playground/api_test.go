package playground_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"donorbot/playground"
)

// view is the part of GET /api/chat the tests read.
type view struct {
	Version  string `json:"version"`
	Messages []struct {
		ID      int    `json:"id"`
		FromBot bool   `json:"from_bot"`
		Kind    string `json:"kind"`
		Text    string `json:"text"`
		Edited  bool   `json:"edited"`
		Buttons [][]struct {
			Text string `json:"text"`
			Data string `json:"data"`
		} `json:"buttons"`
	} `json:"messages"`
	Keyboard [][]struct {
		Text           string `json:"text"`
		RequestContact bool   `json:"request_contact"`
	} `json:"keyboard"`
	Counts map[string]int `json:"counts"`
}

func call(t *testing.T, method, url string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, out
}

// waitView long-polls the chat of user until cond holds on it.
func waitView(t *testing.T, base string, user string, cond func(view) bool) view {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var v view
	for time.Now().Before(deadline) {
		status, body := call(t, "GET", base+"api/chat?user="+user+"&since="+v.Version, nil)
		if status != http.StatusOK {
			t.Fatalf("GET chat: %d %s", status, body)
		}
		v = view{}
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		if cond(v) {
			return v
		}
	}
	t.Fatalf("chat of %s never reached the expected state; last: %+v", user, v)
	return v
}

func lastText(v view) string {
	if len(v.Messages) == 0 {
		return ""
	}
	return v.Messages[len(v.Messages)-1].Text
}

func TestAPIPlaysAUser(t *testing.T) {
	pg := start(t)
	base := pg.URL
	const sam = "910002" // English-speaking donor

	status, body := call(t, "GET", base+"api/users", nil)
	var users []playground.User
	if err := json.Unmarshal(body, &users); status != 200 || err != nil {
		t.Fatalf("users: %d %s %v", status, body, err)
	}
	roles := map[string]bool{}
	for _, u := range users {
		roles[u.Role] = true
	}
	if len(users) != 5 || !roles["donor"] || !roles["club_admin"] || !roles["organizer"] {
		t.Errorf("users = %+v, want three donors, a club admin and an organizer", users)
	}

	if status, body := call(t, "POST", base+"api/send", map[string]any{"user": 910002, "text": "/start"}); status != 200 {
		t.Fatalf("send: %d %s", status, body)
	}
	v := waitView(t, base, sam, func(v view) bool { return strings.Contains(lastText(v), "Decree 13/2023") })
	if v.Messages[0].FromBot || v.Messages[0].Text != "/start" {
		t.Errorf("first message = %+v, want the user's /start", v.Messages[0])
	}
	consent := v.Messages[len(v.Messages)-1]
	if len(consent.Buttons) == 0 || len(consent.Buttons[0]) == 0 {
		t.Fatalf("consent message has no buttons: %+v", consent)
	}
	if v.Counts[sam] != 1 || v.Counts["910001"] != 0 {
		t.Errorf("counts = %v, want one bot message for Sam only", v.Counts)
	}

	t.Run("TapAgrees", func(t *testing.T) {
		yes := consent.Buttons[0][0]
		status, body := call(t, "POST", base+"api/tap", map[string]any{"user": 910002, "message_id": consent.ID, "data": yes.Data})
		if status != 200 {
			t.Fatalf("tap: %d %s", status, body)
		}
		v := waitView(t, base, sam, func(v view) bool { return strings.Contains(lastText(v), "Step 1/7") })
		// The phone step shows a reply keyboard with a request_contact button.
		if status, body := call(t, "POST", base+"api/send", map[string]any{"user": 910002, "text": "Sam Tran"}); status != 200 {
			t.Fatalf("send name: %d %s", status, body)
		}
		v = waitView(t, base, sam, func(v view) bool { return strings.Contains(lastText(v), "Step 2/7") })
		if len(v.Keyboard) == 0 || !v.Keyboard[0][0].RequestContact {
			t.Errorf("keyboard at the phone step = %+v, want a request_contact button", v.Keyboard)
		}
	})

	t.Run("ContactSharesOwnPhone", func(t *testing.T) {
		if status, body := call(t, "POST", base+"api/contact", map[string]any{"user": 910002}); status != 200 {
			t.Fatalf("contact: %d %s", status, body)
		}
		v := waitView(t, base, sam, func(v view) bool { return strings.Contains(lastText(v), "Step 3/7") })
		var shared bool
		for _, m := range v.Messages {
			shared = shared || (!m.FromBot && m.Kind == "contact")
		}
		if !shared {
			t.Error("no contact message from the user in the chat")
		}
		if len(v.Keyboard) != 0 {
			t.Errorf("reply keyboard still shown after the phone step: %+v", v.Keyboard)
		}
	})

	t.Run("StaleTapIsRefused", func(t *testing.T) {
		status, body := call(t, "POST", base+"api/tap", map[string]any{"user": 910002, "message_id": consent.ID, "data": "consent:v1:nope"})
		if status != http.StatusConflict || !strings.Contains(string(body), "no inline button") {
			t.Errorf("tap on a button not shown: %d %s, want 409", status, body)
		}
	})

	t.Run("UnknownUser", func(t *testing.T) {
		if status, _ := call(t, "POST", base+"api/send", map[string]any{"user": 1, "text": "hi"}); status != http.StatusNotFound {
			t.Errorf("send as unknown user: %d, want 404", status)
		}
		if status, _ := call(t, "GET", base+"api/chat?user=abc", nil); status != http.StatusNotFound {
			t.Errorf("chat of unknown user: %d, want 404", status)
		}
		if status, _ := call(t, "POST", base+"api/send", map[string]any{"user": 910002, "text": ""}); status != http.StatusBadRequest {
			t.Errorf("empty text: %d, want 400", status)
		}
		// A form or text/plain post, which any web page may send to
		// loopback without a CORS preflight, is refused.
		res, err := http.Post(base+"api/send", "text/plain", strings.NewReader(`{"user":910002,"text":"/forget"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("text/plain post: %d, want 415", res.StatusCode)
		}
	})
}

// TestLongPollWakesOnAnotherUsersMessage: a message to another user ends
// the wait (the page shows its unread badge), without waiting for pollWait.
func TestLongPollWakesOnAnotherUsersMessage(t *testing.T) {
	pg := start(t)
	_, body := call(t, "GET", pg.URL+"api/chat?user=910003", nil)
	var first view
	if err := json.Unmarshal(body, &first); err != nil {
		t.Fatal(err)
	}
	got := make(chan view, 1)
	began := time.Now()
	go func() {
		_, body := call(t, "GET", pg.URL+"api/chat?user=910003&since="+first.Version, nil)
		var v view
		_ = json.Unmarshal(body, &v)
		got <- v
	}()
	time.Sleep(200 * time.Millisecond) // let the poll start waiting
	call(t, "POST", pg.URL+"api/send", map[string]any{"user": 910004, "text": "/help"})
	v := <-got
	if v.Version == first.Version || time.Since(began) > 15*time.Second {
		t.Errorf("poll answered after %s with version %q (was %q)", time.Since(began), v.Version, first.Version)
	}
	if len(v.Messages) != 0 {
		t.Errorf("club admin's chat got %d messages, want none", len(v.Messages))
	}
}

func TestFileDownload(t *testing.T) {
	pg := start(t)
	csv := []byte("name,group\nLan,O+\n")
	id := pg.API.AddFile("document", "danh-sach.csv", csv)
	status, body := call(t, "GET", pg.URL+"api/file/"+id+"?download=1", nil)
	if status != 200 || !bytes.Equal(body, csv) {
		t.Fatalf("download: %d %q", status, body)
	}
	res, err := http.Get(pg.URL + "api/file/" + id + "?download=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename=danh-sach.csv` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q, want text/csv", ct)
	}
	if status, _ := call(t, "GET", pg.URL+"api/file/nope", nil); status != http.StatusNotFound {
		t.Errorf("unknown file: %d, want 404", status)
	}
}

func TestPageIsServed(t *testing.T) {
	pg := start(t)
	for path, want := range map[string]string{"": "<script src=\"app.js\">", "app.js": "safeHTML", "style.css": "#chat"} {
		status, body := call(t, "GET", pg.URL+path, nil)
		if status != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET /playground/%s: %d, want %q in the body", path, status, want)
		}
	}
	root := strings.TrimSuffix(pg.URL, "playground/")
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(root)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/playground/" {
		t.Errorf("GET /: %d to %q, want a redirect to /playground/", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestTapAnswerIsANotice: the bot's answer to a tap (Telegram's toast) is
// in the view, tied to that tap.
func TestTapAnswerIsANotice(t *testing.T) {
	pg := start(t)
	const hung = "910003"
	send := func(text string) {
		if status, body := call(t, "POST", pg.URL+"api/send", map[string]any{"user": 910003, "text": text}); status != 200 {
			t.Fatalf("send: %d %s", status, body)
		}
	}
	send("/start")
	waitView(t, pg.URL, hung, func(v view) bool { return strings.Contains(lastText(v), "Nghị định 13/2023") })
	send("/start")
	v := waitView(t, pg.URL, hung, func(v view) bool {
		n := 0
		for _, m := range v.Messages {
			if strings.Contains(m.Text, "Nghị định 13/2023") {
				n++
			}
		}
		return n == 2
	})
	var consents []int
	for _, m := range v.Messages {
		if strings.Contains(m.Text, "Nghị định 13/2023") {
			consents = append(consents, m.ID)
		}
	}
	tap := func(msg int, data string) {
		if status, body := call(t, "POST", pg.URL+"api/tap", map[string]any{"user": 910003, "message_id": msg, "data": data}); status != 200 {
			t.Fatalf("tap: %d %s", status, body)
		}
	}
	tap(consents[1], "consent:v1:yes")
	waitView(t, pg.URL, hung, func(v view) bool { return strings.Contains(lastText(v), "Bước 1/7") })
	// Declining on the older message after agreeing is stale.
	tap(consents[0], "consent:v1:no")
	var notices []struct {
		UpdateID int64  `json:"update_id"`
		Text     string `json:"text"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(notices) == 0 {
		_, body := call(t, "GET", pg.URL+"api/chat?user="+hung+"&since=now", nil)
		var raw struct {
			Notices []struct {
				UpdateID int64  `json:"update_id"`
				Text     string `json:"text"`
			} `json:"notices"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatal(err)
		}
		notices = raw.Notices
		if time.Now().After(deadline) {
			t.Fatal("no notice for the stale tap")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(notices) != 1 || notices[0].Text != "Nút này không còn hiệu lực." || notices[0].UpdateID == 0 {
		t.Errorf("notices = %+v, want the stale-button answer to the second tap only", notices)
	}
}
