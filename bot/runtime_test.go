package bot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// panicOn makes a handler panic on one command, as a bug would.
func panicOn(cmd string) tg.Middleware {
	return func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			if upd.Message != nil && upd.Message.Text == cmd {
				panic("injected bug")
			}
			next(ctx, b, upd)
		}
	}
}

func TestPanickingHandlerIsSurvived(t *testing.T) {
	b := bottest.Start(t, bottest.AppOption(bot.WithMiddleware(panicOn("/boom"))))
	p := b.Phone(3001, "vi")
	id := p.Send("/boom")
	p.Expect("Xin lỗi, đã có lỗi")
	p.Send("/help")
	p.Expect("/profile")
	b.Settle()
	if !b.Logs.Contains(`"msg":"handler panic"`) || !b.Logs.Contains(`"update_id":`+itoa(id)) {
		t.Errorf("panic not logged with its update id; logs:\n%s", b.Logs)
	}
	if !strings.Contains(metrics(t, b), `donorbot_errors_total{kind="panic"} 1`) {
		t.Error("panic not counted")
	}
}

func TestRestartMidOnboardingResumes(t *testing.T) {
	b := bottest.Start(t)
	p := b.Phone(testenv.TelegramID(), "vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Expect("Bước 1/7")
	p.Send("Đỗ Minh Tuấn")
	p.Expect("Bước 2/7")

	b.Restart()

	p.Send("0901234567")
	p.Expect("0901 234 567")
	p.Expect("Bước 3/7")
	p.Tap("Nam")
	p.Expect("Bước 4/7")
	for _, m := range p.Messages() {
		if strings.Contains(m.Text, "không còn nhớ") {
			t.Errorf("conversation reported lost after a restart: %q", m.Text)
		}
	}
}

// TestConversationLostFromRedis: if Redis loses the conversation, the user
// is told to redo the step and every stored answer is kept.
func TestConversationLostFromRedis(t *testing.T) {
	b := bottest.Start(t)
	p := b.Phone(testenv.TelegramID(), "vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Send("Vũ Thị Mai")
	p.Expect("Bước 2/7")
	p.Send("0912000111")
	p.Expect("Bước 3/7")
	b.Settle()

	// The conversation and its pending marker, lost together.
	keys := b.RedisKeys("user:" + itoa(p.User.ID) + ":conv")
	if len(keys) == 0 {
		t.Fatal("no conversation key in Redis")
	}
	if err := b.Redis.Del(context.Background(), keys...).Err(); err != nil {
		t.Fatal(err)
	}
	p.Send("Nữ")
	p.Expect("không còn nhớ cuộc trò chuyện")
	p.Expect("Bước 3/7")
	p.Tap("Nữ")
	p.Expect("Bước 4/7")
	d, err := b.Store.Donor(context.Background(), p.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.FullName != "Vũ Thị Mai" || d.Phone != "+84912000111" || d.Sex != "female" {
		t.Errorf("got %+v, want the earlier answers kept", d)
	}
}

// TestUnhandledUpdateIsHandledAfterRestart: an update accepted (stored) by a
// process that died before handling it is handled by the next process.
func TestUnhandledUpdateIsHandledAfterRestart(t *testing.T) {
	b := bottest.Start(t)
	b.Stop()
	user := testenv.TelegramID()
	t.Cleanup(func() { b.Store.DB().MustExec(`DELETE FROM updates WHERE update_id = 99`) })
	upd, err := json.Marshal(map[string]any{
		"update_id": 99,
		"message": map[string]any{
			"message_id": 5, "date": 1, "text": "/start",
			"from":     map[string]any{"id": user, "is_bot": false, "first_name": "A"},
			"chat":     map[string]any{"id": user, "type": "private"},
			"entities": []map[string]any{{"type": "bot_command", "offset": 0, "length": 6}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	const q = `INSERT INTO updates (update_id, chat_id, user_id, payload, claimed_at)
		VALUES (99, $2, $2, $1, now() - interval '1 hour')`
	if _, err := b.Store.DB().Exec(q, string(upd), user); err != nil {
		t.Fatal(err)
	}
	b.Restart()
	b.API.WaitText(t, user, "Nghị định 13/2023")
	b.Settle()
	var payload *string
	if err := b.Store.DB().Get(&payload, `SELECT payload::text FROM updates WHERE update_id = 99`); err != nil {
		t.Fatal(err)
	}
	if payload != nil {
		t.Errorf("handled update kept its payload %q", *payload)
	}
}

// TestUpdatesOfOneChatAreHandledInOrder: many chats in parallel on four
// workers, each chat's updates in the order sent.
func TestUpdatesOfOneChatAreHandledInOrder(t *testing.T) {
	var mu sync.Mutex
	seen := map[int64][]int64{}
	record := func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			if upd.Message != nil {
				mu.Lock()
				seen[upd.Message.Chat.ID] = append(seen[upd.Message.Chat.ID], upd.ID)
				mu.Unlock()
			}
			next(ctx, b, upd)
		}
	}
	b := bottest.Start(t, bottest.AppOption(bot.WithMiddleware(record)), bottest.Webhook())
	const chats, each = 8, 15
	var wg sync.WaitGroup
	for c := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := b.Phone(int64(3100+c), "vi")
			for range each {
				p.Send("/help")
			}
		}()
	}
	wg.Wait()
	b.Settle()
	mu.Lock()
	defer mu.Unlock()
	for chat, ids := range seen {
		if len(ids) != each || !slices.IsSorted(ids) {
			t.Errorf("chat %d: handled %v, want %d updates in increasing order", chat, ids, each)
		}
	}
	if len(seen) != chats {
		t.Errorf("got %d chats, want %d", len(seen), chats)
	}
}

func TestFloodLimitAnswersPolitelyOnce(t *testing.T) {
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.FloodPerMin = 6 }))
	p := b.Phone(3005, "vi")
	for range 12 {
		p.Send("/help")
	}
	b.Settle()
	var help, slow int
	for _, m := range p.Messages() {
		switch {
		case strings.Contains(m.Text, "/profile"):
			help++
		case strings.Contains(m.Text, "gửi hơi nhanh"):
			slow++
		}
	}
	if help >= 12 || help == 0 || slow != 1 {
		t.Errorf("got %d answers and %d slow-down notices to 12 quick messages, want fewer answers and 1 notice", help, slow)
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	b := bottest.Start(t)
	resp, err := http.Get("http://" + b.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var report map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&report); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || report["postgres"] != "ok" || report["redis"] != "ok" {
		t.Errorf("healthz: got %d %v", resp.StatusCode, report)
	}
	p := b.Phone(3006, "vi")
	p.Send("/help")
	p.Expect("/profile")
	b.Settle()
	m := metrics(t, b)
	for _, want := range []string{
		`donorbot_updates_total{type="message"} 1`,
		`donorbot_handler_duration_seconds_count{type="message"} 1`,
		`donorbot_telegram_requests_total{method="sendMessage",result="200"} 1`,
		`donorbot_telegram_requests_total{method="getUpdates"`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(m, b.Cfg.Token) {
		t.Error("metrics expose the bot token")
	}
}

func TestCommandMenus(t *testing.T) {
	b := bottest.Start(t, bottest.Admins(3999))
	b.API.WaitCalls(t, "setMyCommands", 6)
	names := func(cmds []models.BotCommand) []string {
		var n []string
		for _, c := range cmds {
			n = append(n, c.Command)
		}
		return n
	}
	vi := b.API.MyCommands(map[string]any{"type": "all_private_chats"}, "vi")
	en := b.API.MyCommands(map[string]any{"type": "all_private_chats"}, "en")
	admin := b.API.MyCommands(map[string]any{"type": "chat", "chat_id": 3999}, "vi")
	if !slices.Contains(names(vi), "profile") || slices.Contains(names(vi), "donors") {
		t.Errorf("donor menu (vi): got %v", names(vi))
	}
	if len(en) == 0 || en[0].Description == vi[0].Description {
		t.Errorf("English menu missing or not translated: %v", en)
	}
	if !slices.Contains(names(admin), "donors") || !slices.Contains(names(admin), "profile") {
		t.Errorf("admin menu: got %v", names(admin))
	}
}

// TestLogsCarryNoPersonalData: phone numbers, names and typed answers never
// reach the logs.
func TestLogsCarryNoPersonalData(t *testing.T) {
	b := bottest.Start(t)
	p := b.Phone(testenv.TelegramID(), "vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Send("Hoàng Văn Bí Mật")
	p.Expect("Bước 2/7")
	p.ShareContact("84977123456", p.User.ID)
	p.Expect("Bước 3/7")
	p.Send("0977 123 456")
	b.Settle()
	logs := b.Logs.String()
	for _, secret := range []string{"977123456", "Bí Mật", "Hoàng"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if !strings.Contains(logs, `"command":"/start"`) {
		t.Errorf("logs lack the command names that are safe to log")
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestShutdownFinishesUpdatesInHand: on SIGTERM the runtime stops taking
// updates but lets the one being handled finish and be marked handled.
func TestShutdownFinishesUpdatesInHand(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	slow := func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			if upd.Message != nil && upd.Message.Text == "/help" {
				close(started)
				<-release
			}
			next(ctx, b, upd)
		}
	}
	b := bottest.Start(t, bottest.AppOption(bot.WithMiddleware(slow)))
	p := b.Phone(3008, "vi")
	id := p.Send("/help")
	<-started
	stopped := make(chan struct{})
	go func() { b.Stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("stopped before the update in hand finished")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	<-stopped
	if len(p.Messages()) != 1 {
		t.Fatalf("got %d messages, want the answer to the update in hand", len(p.Messages()))
	}
	var handled bool
	if err := b.Store.DB().Get(&handled, `SELECT handled_at IS NOT NULL FROM updates WHERE update_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if !handled {
		t.Error("update in hand not marked handled at shutdown")
	}
}
