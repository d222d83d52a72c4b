package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"donorbot/internal/bottest"
)

// post sends body to the bot's webhook with secret and returns the status.
func post(t *testing.T, b *bottest.Bot, method, secret string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(method, b.Cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func textUpdate(id, userID int64, text string) []byte {
	raw, _ := json.Marshal(map[string]any{
		"update_id": id,
		"message": map[string]any{
			"message_id": id, "date": 1, "text": text,
			"from":     map[string]any{"id": userID, "is_bot": false, "first_name": "A", "language_code": "vi"},
			"chat":     map[string]any{"id": userID, "type": "private"},
			"entities": []map[string]any{{"type": "bot_command", "offset": 0, "length": len(strings.Fields(text)[0])}},
		},
	})
	return raw
}

func TestWebhookRefusesBadRequests(t *testing.T) {
	b := bottest.Start(t, bottest.Webhook())
	t.Cleanup(func() { b.Store.DB().MustExec(`DELETE FROM updates WHERE update_id = 77`) })
	good := textUpdate(77, 2001, "/help")
	tests := []struct {
		name   string
		method string
		secret string
		body   []byte
		want   int
	}{
		{"ErrNoSecret", http.MethodPost, "", good, http.StatusUnauthorized},
		{"ErrWrongSecret", http.MethodPost, "test-secret_124", good, http.StatusUnauthorized},
		{"ErrSecretPrefix", http.MethodPost, "test-secret", good, http.StatusUnauthorized},
		{"ErrGet", http.MethodGet, b.Cfg.WebhookSecret, nil, http.StatusMethodNotAllowed},
		{"ErrTooLarge", http.MethodPost, b.Cfg.WebhookSecret, bytes.Repeat([]byte(" "), 1<<20+1), http.StatusRequestEntityTooLarge},
		{"ErrMalformedJSON", http.MethodPost, b.Cfg.WebhookSecret, []byte(`{"update_id":`), http.StatusBadRequest},
		{"ErrNoUpdateID", http.MethodPost, b.Cfg.WebhookSecret, []byte(`{"message":{}}`), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(t, b, tt.method, tt.secret, tt.body); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	b.Settle()
	if n := len(b.API.Messages(2001)); n != 0 {
		t.Errorf("refused requests caused %d messages", n)
	}
	var stored int
	if err := b.Store.DB().Get(&stored, `SELECT count(*) FROM updates WHERE update_id = 77`); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Errorf("a refused update was stored")
	}
	if got := post(t, b, http.MethodPost, b.Cfg.WebhookSecret, good); got != http.StatusOK {
		t.Fatalf("good update: got %d, want 200", got)
	}
	b.API.WaitText(t, 2001, "/profile")
}

// TestWebhookRedeliveredHundredTimesHasOneEffect: Telegram may deliver an
// update again (timeouts, several bot processes); it must act once.
func TestWebhookRedeliveredHundredTimesHasOneEffect(t *testing.T) {
	b := bottest.Start(t, bottest.Webhook())
	p := b.Phone(2002, "vi")
	id := p.Send("/start")
	p.Expect("Nghị định 13/2023")

	var wg sync.WaitGroup
	statuses := make(chan int, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := b.API.PushUpdate(context.Background(), id)
			if err != nil {
				t.Error(err)
			}
			statuses <- s
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusOK {
			t.Errorf("redelivery answered %d, want 200", s)
		}
	}
	b.Settle()
	if n := len(b.API.Messages(2002)); n != 1 {
		t.Errorf("got %d messages after 101 deliveries, want 1", n)
	}
	if !strings.Contains(metrics(t, b), "donorbot_duplicate_updates_total 100") {
		t.Errorf("metrics do not count 100 duplicates")
	}
}

// TestWebhookAnswers503WhenUpdateCannotBeStored: when the inbox table cannot
// be written the webhook refuses the update, Telegram redelivers it, and once
// storage is back the update has its effect exactly once.
func TestWebhookAnswers503WhenUpdateCannotBeStored(t *testing.T) {
	b := bottest.Start(t, bottest.Webhook())
	db := b.Store.DB()
	if _, err := db.Exec(`ALTER TABLE updates RENAME TO updates_away`); err != nil {
		t.Fatal(err)
	}
	p := b.Phone(2003, "vi")
	id := p.Send("/start")
	b.API.WaitUntil(t, "a refused delivery", func() bool {
		for _, d := range b.API.Deliveries() {
			if d.UpdateID == id && d.Status == http.StatusServiceUnavailable {
				return true
			}
		}
		return false
	})
	if n := len(p.Messages()); n != 0 {
		t.Fatalf("got %d messages while storage was down, want 0", n)
	}
	if _, err := db.Exec(`ALTER TABLE updates_away RENAME TO updates`); err != nil {
		t.Fatal(err)
	}
	p.Expect("Nghị định 13/2023")
	b.Settle()
	if n := len(p.Messages()); n != 1 {
		t.Errorf("got %d messages, want 1", n)
	}
	if !strings.Contains(metrics(t, b), `donorbot_webhook_requests_total{status="503"}`) {
		t.Error("503 answers not counted in metrics")
	}
}

func metrics(t *testing.T, b *bottest.Bot) string {
	t.Helper()
	resp, err := http.Get("http://" + b.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return buf.String()
}
