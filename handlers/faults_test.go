package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/telegramtest"
)

// TestOneTapDeliveredThousandTimesRegistersOnce: Telegram (or several bot
// processes behind one webhook) may deliver the same update many times at
// once; a slot tap must still make one registration and one answer.
func TestOneTapDeliveredThousandTimesRegistersOnce(t *testing.T) {
	// A generous client timeout: 1,000 connections at once on a loaded
	// two-core CI machine under -race take a while.
	b := bottest.Start(t, bottest.Webhook(), bottest.API(telegramtest.WithWebhookTimeout(time.Minute)))
	d, _ := publishedDrive(t, b, "Ngày hội Nghìn lần", 48*time.Hour, 5)
	p := b.NewPhone("vi")
	onboard(t, b, p, "Lê Văn Nghìn")
	p.Expect("Cảm ơn")
	p.Send("/drives")
	p.Tap("Đăng ký: " + d.Title)
	m := p.Expect("Chọn khung giờ")
	var data string
	for _, row := range m.InlineKeyboard {
		for _, btn := range row {
			if data == "" && strings.Contains(btn.Text, "–") {
				data = btn.CallbackData
			}
		}
	}
	if data == "" {
		t.Fatalf("no slot button in %v", m.Buttons())
	}
	before := len(p.Messages())

	// The fake pushes the tap once by itself; 1,000 more deliveries race it.
	id := b.API.TapButton(p.User, m.ID, data)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, err := b.API.PushUpdate(context.Background(), id)
			if err != nil {
				t.Errorf("delivery failed: %v", err)
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.Settle()
	// 200 for a duplicate, or 503 when the inbox could not check it in
	// time (Telegram then delivers again); never anything else.
	for status, n := range statuses {
		if status != http.StatusOK && status != http.StatusServiceUnavailable {
			t.Errorf("%d deliveries answered %d", n, status)
		}
	}
	t.Logf("answers to 1,000 deliveries: %v", statuses)
	var regs int
	if err := b.Store.DB().Get(&regs, `SELECT count(*) FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE dn.telegram_id = $1`, p.User.ID); err != nil {
		t.Fatal(err)
	}
	if regs != 1 {
		t.Errorf("got %d registrations, want 1", regs)
	}
	var intros int
	for _, m := range p.Messages()[before:] {
		if strings.HasPrefix(m.Text, "Câu ") {
			intros++
		}
	}
	if intros != 1 {
		t.Errorf("got %d first screening questions after 1,001 deliveries, want 1", intros)
	}
	if got, want := metric(t, b, "donorbot_duplicate_updates_total"), fmt.Sprint(statuses[http.StatusOK]); got != want {
		t.Errorf("duplicates counted: got %s, want %s (every delivery answered 200 but the first)", got, want)
	}
}

// TestRedisRestartedMidTraffic: Redis (no persistence) is killed and started
// again while users write. The bot keeps answering; a user in the middle of
// onboarding or screening is told to redo the step; nothing stored in
// PostgreSQL is lost.
func TestRedisRestartedMidTraffic(t *testing.T) {
	redisSrv := testenv.StartRedis(t)
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.RedisURL = redisSrv.URL() }))
	d, _ := publishedDrive(t, b, "Ngày hội Mất trí nhớ", 48*time.Hour, 5)

	onb := b.NewPhone("vi") // mid-onboarding: name, phone and sex given
	onb.Send("/start")
	onb.Tap("✅ Tôi đồng ý")
	onb.Send("Phạm Thị Nhớ")
	onb.Expect("Bước 2/7")
	onb.Send("0912000222")
	onb.Expect("Bước 3/7")
	onb.Tap("Nữ")
	onb.Expect("Bước 4/7")

	scr := b.NewPhone("vi") // mid-screening for a registration
	onboard(t, b, scr, "Đinh Văn Quên")
	scr.Expect("Cảm ơn")
	scr.Send("/drives")
	scr.Tap("Đăng ký: " + d.Title)
	scr.Expect("Chọn khung giờ")
	scr.TapPrefix(d.Start.In(loc(t)).Format("15:04") + "–")
	q := scr.Expect("Câu 1")

	// Background traffic from other users through the restart.
	stop := make(chan struct{})
	var sent atomic.Int64
	var wg sync.WaitGroup
	others := testenv.TelegramIDs(4)
	for i := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := b.Phone(others[i], "vi")
			for {
				select {
				case <-stop:
					return
				case <-time.After(30 * time.Millisecond):
				}
				p.Send("/help")
				sent.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	redisSrv.Stop()
	// Longer than go-redis's own reconnection attempts, which hide a
	// shorter outage entirely.
	time.Sleep(4 * time.Second)
	redisSrv.Start()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	b.Settle()

	// Every /help is answered with the help text: with Redis away, dedupe
	// falls back on PostgreSQL and the flood and reply limits let messages
	// through rather than fall silent.
	var answered int64
	for _, id := range others {
		for _, m := range b.API.Messages(id) {
			if strings.Contains(m.Text, "/profile") {
				answered++
			} else {
				t.Errorf("answer to /help during the restart: %q", m.Text)
			}
		}
	}
	if answered != sent.Load() {
		t.Errorf("%d messages sent through the restart got %d help answers", sent.Load(), answered)
	}

	onb.Send("25/03/1995")
	onb.Expect("không còn nhớ cuộc trò chuyện")
	onb.Expect("Bước 4/7")
	onb.Send("25/03/1995")
	onb.Expect("Bước 5/7")
	donor, err := b.Store.Donor(context.Background(), onb.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if donor.FullName != "Phạm Thị Nhớ" || donor.Phone != "+84912000222" || donor.Sex != "female" {
		t.Errorf("got %+v, want the answers given before the restart", donor)
	}

	scr.TapIn(q.ID, "Không")
	scr.Expect("không còn nhớ", "sàng lọc")
	scr.Expect("Câu 1")
	answerScreening(t, b, scr, "")
	scr.Expect("Đã xác nhận")
	var regs int
	if err := b.Store.DB().Get(&regs, `SELECT count(*) FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE dn.telegram_id = $1`, scr.User.ID); err != nil {
		t.Fatal(err)
	}
	if regs != 1 {
		t.Errorf("got %d registrations, want the one made before the restart", regs)
	}
}

// metric reads one unlabelled value from the bot's /metrics.
func metric(t *testing.T, b *bottest.Bot, name string) string {
	t.Helper()
	resp, err := http.Get("http://" + b.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

// TestReplyWaitsOutFloodControl: Telegram answers a reply with 429
// retry_after 1 s; the reply is sent again once the pause is over, and the
// user gets it once.
func TestReplyWaitsOutFloodControl(t *testing.T) {
	b := bottest.Start(t)
	p := b.NewPhone("vi")
	b.API.FailNext("sendMessage", 1, http.StatusTooManyRequests, 1)
	p.Send("/forget")
	p.Expect("không lưu dữ liệu cá nhân nào")
	p.Settle()
	if n := len(p.Messages()); n != 1 {
		t.Errorf("got %d messages, want the reply once", n)
	}
}
