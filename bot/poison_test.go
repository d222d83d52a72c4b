package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"donorbot/internal/bottest"
	"donorbot/telegramtest"
)

// poisonHelp is a /help from u whose text holds, after marker, what
// PostgreSQL's jsonb refuses: \u0000, a lone surrogate and invalid UTF-8.
func poisonHelp(b *bottest.Bot, u telegramtest.User, marker string) int64 {
	b.API.AddUser(u)
	return b.API.SendUpdate(fmt.Sprintf(`{"message":{"message_id":1,"date":1,`+
		`"from":{"id":%d,"is_bot":false,"first_name":"A","language_code":"vi"},`+
		`"chat":{"id":%[1]d,"type":"private"},`+
		`"text":"/help %s \u0000 \ud800 `+"\xff"+`",`+
		`"entities":[{"type":"bot_command","offset":0,"length":5}]}}`, u.ID, marker))
}

// logMarker is a string unique to this run, written by the poison's sender.
func logMarker() string { return fmt.Sprintf("poison-%d", time.Now().UnixNano()) }

// assertNotLogged checks that marker reached neither donorbot's log nor
// PostgreSQL's (when the test services are scripts/services.sh's).
func assertNotLogged(t *testing.T, b *bottest.Bot, marker string) {
	t.Helper()
	if b.Logs.Contains(marker) {
		t.Errorf("donorbot's log holds what the user wrote")
	}
	dir := os.Getenv("DONORBOT_SERVICES_DIR")
	if dir == "" {
		t.Log("DONORBOT_SERVICES_DIR unset: PostgreSQL's log not checked")
		return
	}
	pgLog, err := os.ReadFile(filepath.Join(dir, "pg", "postgres.log"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(pgLog), marker) {
		t.Errorf("PostgreSQL's log holds what the user wrote")
	}
}

// TestWebhookPoisonUpdateIsAnsweredAndSparesItsBatch: an update holding
// what PostgreSQL refuses, delivered in a burst with others, is answered
// 200 and handled; none of the updates sharing its statements is refused;
// the text reaches no log.
func TestWebhookPoisonUpdateIsAnsweredAndSparesItsBatch(t *testing.T) {
	b := bottest.Start(t, bottest.Webhook())
	marker := logMarker()
	poisoned := b.Phone(3001, "vi")
	ids := []int64{poisonHelp(b, poisoned.User, marker)}
	var phones []*bottest.Phone
	for i := range 30 {
		p := b.Phone(3100+int64(i), "vi")
		phones = append(phones, p)
		ids = append(ids, p.Send("/help"))
	}
	var wg sync.WaitGroup
	for _, id := range ids { // concurrent deliveries share group commits
		wg.Go(func() {
			if _, err := b.API.PushUpdate(context.Background(), id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	poisoned.Expect("/profile")
	for _, p := range phones {
		p.Expect("/profile")
	}
	b.Settle()
	for _, d := range b.API.Deliveries() {
		if d.Status != http.StatusOK {
			t.Errorf("update %d answered %d, want 200", d.UpdateID, d.Status)
		}
	}
	for _, p := range append(phones, poisoned) {
		if n := len(p.Messages()); n != 1 {
			t.Errorf("user %d got %d messages, want 1", p.User.ID, n)
		}
	}
	assertNotLogged(t, b, marker)
}

// TestPollingMovesPastPoisonUpdate: in polling mode an update holding what
// PostgreSQL refuses is handled, and the next user is answered.
func TestPollingMovesPastPoisonUpdate(t *testing.T) {
	b := bottest.Start(t)
	marker := logMarker()
	poisoned, next := b.Phone(3201, "en"), b.Phone(3202, "en")
	poisonHelp(b, poisoned.User, marker)
	next.Send("/help")
	next.Expect("/profile")
	poisoned.Expect("/profile")
	assertNotLogged(t, b, marker)
}

// TestPollingConfirmsUndecodableUpdate: an update the bot cannot decode is
// confirmed, not fetched again at once and forever.
func TestPollingConfirmsUndecodableUpdate(t *testing.T) {
	b := bottest.Start(t)
	b.API.SendUpdate(`{"message":{"message_id":"one","date":1,"chat":{"id":3301,"type":"private"}}}`)
	b.API.WaitUntil(t, "the undecodable update confirmed", func() bool { return b.API.PendingUpdates() == 0 })
	p := b.Phone(3302, "en")
	p.Send("/help")
	p.Expect("/profile")
}
