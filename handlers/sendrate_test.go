package handlers_test

import (
	"testing"

	"donorbot/bot"
	"donorbot/internal/bottest"
)

// TestRepliesFlowAtALowSendRate: at a global send rate of 2/s the replies
// still get their tokens. redis_rate's AllowAtMost once starved them: it
// spent the bucket's fractional remainder while granting nothing.
func TestRepliesFlowAtALowSendRate(t *testing.T) {
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.BroadcastRate = 2 }))
	p := b.NewPhone("vi")
	for range 3 {
		p.Send("/help")
		p.Expect("/start")
	}
}
