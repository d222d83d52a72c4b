package broadcast_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"donorbot/broadcast"
	"donorbot/telegramtest"
)

// benchLimit is the rate the fake Bot API enforces in BenchmarkBroadcast10k
// and the engine is configured for. Telegram's own 30/s would make one run
// last 6 minutes; 500/s sends 10,000 messages in about 20 s, long enough for
// the one-second windows to say something and short enough to run often,
// and keeps the fake, PostgreSQL, Redis and the engine within two cores.
// BENCH_BROADCAST_RATE overrides it.
const benchLimit = 500

// BenchmarkBroadcast10k sends one broadcast to 10,000 chats through the fake
// Bot API, which answers 429 beyond benchLimit messages per wall-clock
// second or one per chat. It reports the rate achieved between the first and
// the last send, the one-second windows over the limit, and the recipients
// left without the message; it fails unless the rate is at least 95% of the
// limit, no window is over it, and nothing is lost.
func BenchmarkBroadcast10k(b *testing.B) {
	const n = 10_000
	limit := benchLimit
	if s := os.Getenv("BENCH_BROADCAST_RATE"); s != "" {
		var err error
		if limit, err = strconv.Atoi(s); err != nil {
			b.Fatalf("BENCH_BROADCAST_RATE=%q: %v", s, err)
		}
	}
	v := newEnv(b, telegramtest.WithRateLimit(limit, 1))
	v.logLevel = slog.LevelWarn
	e, _ := v.engine(broadcast.Config{
		Rate: limit, Workers: 16, Batch: 10, Poll: 50 * time.Millisecond,
		ProgressEvery: time.Second, KeyPrefix: v.prefix,
	})
	ctx := context.Background()

	var rate, lost, dups, created, took float64
	for b.Loop() {
		ids := recipients(n)
		start := time.Now()
		id, err := e.Start(ctx, broadcast.Spec{Kind: "drive", Text: "Ngày hội hiến máu Chủ nhật Đỏ", Recipients: ids})
		if err != nil {
			b.Fatal(err)
		}
		created = float64(time.Since(start).Milliseconds())
		p := v.waitFinished(e, id)
		took = time.Since(start).Seconds()
		calls := v.sends(ids)
		got := map[string]bool{}
		for _, c := range calls {
			got[c.Params["chat_id"]] = true
		}
		lost = float64(n - len(got))
		dups = float64(len(calls) - len(got))
		if len(calls) > 1 {
			rate = float64(len(calls)-1) / calls[len(calls)-1].At.Sub(calls[0].At).Seconds()
		}
		if p.Sent != n {
			b.Errorf("progress = %+v, want all %d sent", p, n)
		}
	}

	over, worst := 0, 0
	for _, c := range v.srv.SendWindows() {
		worst = max(worst, c)
		if c > limit {
			over++
		}
	}
	tooMany := 0
	for _, c := range v.srv.Calls() {
		if c.Status == http.StatusTooManyRequests {
			tooMany++
		}
	}
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(100*rate/float64(limit), "%_of_limit")
	b.ReportMetric(float64(over), "windows_over_limit")
	b.ReportMetric(float64(worst), "max_msgs/window")
	b.ReportMetric(float64(v.srv.MaxSendsIn(time.Second, 0)), "max_msgs/sliding_s")
	b.ReportMetric(float64(tooMany), "429s")
	b.ReportMetric(lost, "lost")
	b.ReportMetric(dups, "duplicates")
	b.ReportMetric(created, "create_ms")
	b.ReportMetric(took, "s/broadcast")
	if rate < 0.95*float64(limit) || over > 0 || lost > 0 || dups > 0 || tooMany > 0 {
		b.Errorf("%.1f msgs/s for a limit of %d (want ≥ 95%%), %d windows over, %d 429s, %.0f lost, %.0f duplicates",
			rate, limit, over, tooMany, lost, dups)
	}
}
