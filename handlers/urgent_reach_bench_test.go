package handlers_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/telegramtest"
)

// BenchmarkUrgentReach files an urgent need that matches 1,000 donors in
// one message and taps Send, through the fake Bot API, at the configured
// send rate (BROADCAST_RATE's default 25/s; BENCH_URGENT_RATE overrides
// it). It reports the time from the tap to the first alert and to the
// last, and the rate's ideal for the last (1,000/rate). The scheduler
// (REMINDER_INTERVAL) runs once an hour here, so a first alert that
// waited for its tick would show. Figures: BENCHMARKS.md, beside
// BenchmarkBroadcast10k's.
func BenchmarkUrgentReach(b *testing.B) {
	const donors = 1000
	rate := 25
	if s := os.Getenv("BENCH_URGENT_RATE"); s != "" {
		var err error
		if rate, err = strconv.Atoi(s); err != nil {
			b.Fatalf("BENCH_URGENT_RATE=%q: %v", s, err)
		}
	}
	bot := bottest.Start(b, bottest.Config(func(c *bot.Config) {
		c.BroadcastRate, c.ReminderInterval = rate, time.Hour
	}))
	ideal := time.Duration(float64(donors) / float64(rate) * float64(time.Second))
	var first, last time.Duration
	for b.Loop() {
		adminID, ids := testenv.TelegramID(), testenv.TelegramIDs(donors)
		club := newClub(b, bot, "CLB Toc do "+itoa(adminID), adminID)
		specs := make([]donorSpec, donors)
		for i, id := range ids {
			specs[i] = donorSpec{id: id, group: profile.BloodONeg, clubID: club.ID, onCall: true}
		}
		seed(b, bot, specs...)
		want := map[string]bool{}
		for _, id := range ids {
			want[strconv.FormatInt(id, 10)] = true
		}
		admin := bot.Phone(adminID, "vi")
		admin.Send(`/urgent O- 2 "Viện Huyết học" 18h hôm nay 0912345678`)
		if review := admin.Expect("Xem trước", "người phù hợp"); !strings.Contains(review.Text, "— 1000 người") {
			b.Fatalf("the review does not show 1000 matching donors:\n%s", review.Text)
		}
		tapped := time.Now()
		admin.Tap("🆘 Gửi")
		var alerts []telegramtest.Call
		ctx, cancel := context.WithTimeout(context.Background(), 3*ideal+time.Minute)
		err := bot.API.Await(ctx, func() bool {
			alerts = alerts[:0]
			for _, c := range bot.API.CallsOf("sendMessage") {
				if c.OK() && want[c.Params["chat_id"]] && strings.Contains(c.Params["text"], "CẦN MÁU KHẨN CẤP") {
					alerts = append(alerts, c)
				}
			}
			return len(alerts) == donors
		})
		cancel()
		if err != nil {
			b.Fatalf("%d of %d alerts sent after %s", len(alerts), donors, time.Since(tapped))
		}
		first, last = alerts[0].At.Sub(tapped), alerts[0].At.Sub(tapped)
		for _, c := range alerts {
			first, last = min(first, c.At.Sub(tapped)), max(last, c.At.Sub(tapped))
		}
	}
	b.ReportMetric(float64(first.Milliseconds()), "first_alert_ms")
	b.ReportMetric(last.Seconds(), "last_alert_s")
	b.ReportMetric(ideal.Seconds(), "ideal_s")
	b.ReportMetric(100*last.Seconds()/ideal.Seconds(), "%_of_ideal")
	if first > 2*time.Second {
		b.Errorf("the first alert left %s after Send: want within 2 s", first)
	}
}
