package bot_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/faultproxy"
	"donorbot/internal/testenv"
	"donorbot/telegramtest"
)

// Fault tests of issue 8 use Telegram user ids 88000-88999.

// TestPostgresDownTenSeconds: PostgreSQL becomes unreachable for 10 s (a
// proxy between bot and server cuts every connection and refuses new ones).
// The webhook answers 5xx, so Telegram keeps the updates; once PostgreSQL is
// back, each redelivered update has its effect once and none is lost.
func TestPostgresDownTenSeconds(t *testing.T) {
	proxy, proxied := faultproxy.Front(t, testenv.DatabaseURL(t))
	b := bottest.Start(t, bottest.Webhook(),
		bottest.Config(func(c *bot.Config) { c.DatabaseURL = proxied }),
		// Telegram retries a failing webhook for hours; the fake's default
		// (50 attempts 50 ms apart) would give up during the outage.
		bottest.API(telegramtest.WithWebhookRetry(100*time.Millisecond, 1000)))

	const nUsers, each = 4, 3
	users := testenv.TelegramIDs(nUsers)
	phones := make([]*bottest.Phone, nUsers)
	for i := range phones {
		phones[i] = b.Phone(users[i], "vi")
		phones[i].Send("/help")
		phones[i].Expect("/profile")
	}
	b.Settle()

	proxy.Down()
	down := time.Now()
	var ids []int64
	for range each - 1 {
		for _, p := range phones {
			ids = append(ids, p.Send("/help"))
		}
	}
	b.API.WaitUntil(t, "a delivery answered 5xx", func() bool {
		for _, d := range b.API.Deliveries() {
			if d.UpdateID == ids[0] && d.Status >= 500 {
				return true
			}
		}
		return false
	})
	resp, err := http.Get("http://" + b.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with PostgreSQL down: got %d, want 503", resp.StatusCode)
	}
	time.Sleep(10*time.Second - time.Since(down))
	for _, p := range phones {
		if n := len(p.Messages()); n != 1 {
			t.Errorf("user %d: got %d answers while PostgreSQL was down, want only the first", p.User.ID, n)
		}
	}
	proxy.Up()

	for _, p := range phones {
		b.API.WaitUntil(t, "every /help answered", func() bool { return len(p.Messages()) >= each })
	}
	b.Settle()
	for _, p := range phones {
		help := 0
		for _, m := range p.Messages() {
			if strings.Contains(m.Text, "/profile") {
				help++
			}
		}
		if help != each {
			t.Errorf("user %d: got %d help answers, want %d", p.User.ID, help, each)
		}
	}
	refused := 0
	for _, d := range b.API.Deliveries() {
		if d.Status >= 500 || d.Err != nil {
			refused++
		}
	}
	if refused == 0 {
		t.Error("no delivery was refused during the outage")
	}
	var stored int
	if err := b.Store.DB().Get(&stored, `SELECT count(*) FROM updates WHERE user_id BETWEEN $1 AND $2`, users[0], users[nUsers-1]); err != nil {
		t.Fatal(err)
	}
	if stored != nUsers*each {
		t.Errorf("inbox holds %d updates, want %d", stored, nUsers*each)
	}
}

// TestFloodLimitKeepsFloodAwayFromHandlers: past the per-user limit, updates
// stop at the flood gate, before any handler (and its queries) runs; the
// user is told once, politely; another user is served as usual.
func TestFloodLimitKeepsFloodAwayFromHandlers(t *testing.T) {
	var mu sync.Mutex
	reached := map[int64]int{}
	count := func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			if upd.Message != nil {
				mu.Lock()
				reached[upd.Message.From.ID]++
				mu.Unlock()
			}
			next(ctx, b, upd)
		}
	}
	const perMinute = 10 // burst perMinute/2
	b := bottest.Start(t, bottest.AppOption(bot.WithMiddleware(count)), bottest.Config(func(c *bot.Config) { c.FloodPerMin = perMinute }))
	flooder, calm := b.Phone(88301, "vi"), b.Phone(88302, "vi")
	for range 200 {
		flooder.Send("/help")
	}
	calm.Send("/help")
	b.Settle()
	mu.Lock()
	defer mu.Unlock()
	if n := reached[88301]; n > perMinute {
		t.Errorf("%d of 200 flooding updates reached the handlers, want at most %d", n, perMinute)
	}
	if reached[88302] != 1 {
		t.Errorf("the calm user's update reached the handlers %d times, want 1", reached[88302])
	}
	slow := 0
	for _, m := range flooder.Messages() {
		if strings.Contains(m.Text, "gửi hơi nhanh") {
			slow++
		}
	}
	if slow != 1 {
		t.Errorf("got %d slow-down notices, want 1", slow)
	}
	calm.Expect("/profile")
}
