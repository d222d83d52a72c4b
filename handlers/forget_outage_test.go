package handlers_test

import (
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/faultproxy"
	"donorbot/internal/testenv"
)

// TestForgetDuringRedisOutage: a donor mid-screening (answers in their
// Redis conversation) confirms /forget while Redis is unreachable. The bot
// says what is true: the database part is deleted, the rest will be once
// the service is back; the erasure stays pending in PostgreSQL, and once
// Redis returns the sweep erases every key of theirs within a few
// reminder ticks.
func TestForgetDuringRedisOutage(t *testing.T) {
	proxy, proxied := faultproxy.Front(t, testenv.RedisURL(t))
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.RedisURL = proxied }))
	clock := b.Clock
	db := b.Store.DB()
	_, slots := publishedDrive(t, b, "Ngày hội Quên", 48*time.Hour, 5)
	p := b.NewPhone("vi")
	id := p.User.ID
	seedDonor(t, b, seededDonor{id: id, name: "Trịnh Văn Quang", phone: "+84912000601"})

	p.Send("/drives")
	p.Tap("Đăng ký: Ngày hội Quên")
	p.Expect("Chọn khung giờ")
	p.Tap(slots[0].Start.In(loc(t)).Format("15:04") + "–" + slots[0].End.In(loc(t)).Format("15:04") + " (còn 5)")
	p.Expect("Câu 1/")
	p.Tap("Không")
	p.Expect("Câu 2–")
	if len(b.RedisKeys("user:"+itoa(id)+":conv")) == 0 {
		t.Fatal("no conversation key mid-screening: the test would prove nothing")
	}

	p.Send("/forget")
	p.Expect("Bạn có chắc")
	proxy.Down()
	p.Tap("🗑 Xóa dữ liệu của tôi")
	p.Expect("Đã xóa dữ liệu cá nhân của bạn khỏi cơ sở dữ liệu", "trong vòng một phút")
	b.Settle()
	for _, m := range p.Messages() {
		if strings.Contains(m.Text, "Đã xóa toàn bộ dữ liệu") {
			t.Errorf("told everything was deleted while Redis was away: %q", m.Text)
		}
	}
	var donors int
	if err := db.Get(&donors, `SELECT count(*) FROM donors WHERE telegram_id = $1`, id); err != nil || donors != 0 {
		t.Fatalf("donor rows after /forget: %d, %v", donors, err)
	}
	if len(b.RedisKeys("user:"+itoa(id)+":conv")) == 0 {
		t.Fatal("the conversation key is gone with Redis unreachable: the proxy did not cut the bot off")
	}
	var requested time.Time
	if err := db.Get(&requested, `SELECT requested_at FROM pending_erasures WHERE telegram_id = $1`, id); err != nil {
		t.Fatalf("no pending erasure: %v", err)
	}
	if d := requested.Sub(clock.Now()); d > time.Minute || d < -time.Minute {
		t.Errorf("erasure requested at %v, the bot's clock says %v", requested, clock.Now())
	}
	// The sweep keeps trying while Redis is away.
	b.API.WaitUntil(t, "a failed sweep attempt", func() bool {
		var attempts int
		return db.Get(&attempts, `SELECT attempts FROM pending_erasures WHERE telegram_id = $1`, id) == nil && attempts > 0
	})

	proxy.Up()
	back := time.Now() // how long the sweep takes to notice, not a business rule
	b.API.WaitUntil(t, "the user's keys erased", func() bool {
		var pending int
		if err := db.Get(&pending, `SELECT count(*) FROM pending_erasures WHERE telegram_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return pending == 0 && len(b.RedisKeys("user:"+itoa(id)+":")) == 0
	})
	if d := time.Since(back); d > 10*time.Second {
		t.Errorf("keys erased %v after Redis came back, want within a few sweeps", d)
	}
}
