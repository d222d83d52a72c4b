package broadcast

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"donorbot/internal/testenv"
)

// Two requests of one chat in one batch (a flush and a SendNow to the same
// chat) share the chat's tokens: the script reads every key once, up
// front, so the second must see what the first took.
func TestTakePrioritySameChatTwiceInABatch(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	l := newLimiter(rdb, slog.New(slog.DiscardHandler), Config{Rate: 1000, ChatInterval: time.Second,
		ReplyPerMinute: 20, ReplyBurst: 3, PaidRate: 1000, KeyPrefix: prefix})
	key := l.replyKey + "42"
	batch := []*ticket{
		{prio: true, key: key, limit: l.reply, n: 3},
		{prio: true, key: key, limit: l.reply, n: 3},
	}
	res, err := l.takePriority(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if res[2] != 3 || res[3] >= 0 {
		t.Fatalf("two requests of 3 tokens for a chat with a burst of 3: granted %d and %d, want 3 and a wait (<0)", res[2], res[3])
	}
}
