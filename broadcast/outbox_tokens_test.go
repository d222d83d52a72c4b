package broadcast_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// limitCalls counts the Redis commands that touch a key containing substr.
type limitCalls struct {
	substr string
	n      atomic.Int64
}

func (h *limitCalls) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *limitCalls) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		for _, a := range cmd.Args() {
			if s, ok := a.(string); ok && strings.Contains(s, h.substr) {
				h.n.Add(1)
				break
			}
		}
		return next(ctx, cmd)
	}
}

func (h *limitCalls) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// A turn's replies take their tokens together: three messages to one chat
// are one request to the limiter, one script touching the chat's reply
// key (and the global key), not one per message; all three arrive. (The
// global limit's burst is a hundredth of its rate: at 1000/s, 10.)
func TestOutboxFlushTakesReplyTokensAtOnce(t *testing.T) {
	v := newEnv(t)
	chat := recipients(1)[0]
	calls := &limitCalls{substr: fmt.Sprintf("%s:%d", storage.ChatReplyLimitKey[:len(storage.ChatReplyLimitKey)-1], chat)}
	v.rdb.AddHook(calls)
	e, _ := v.engine(v.testConfig(1000))
	rows := make([]storage.OutboxRow, 3)
	for i := range rows {
		rows[i] = storage.OutboxRow{UpdateID: chat, ChatID: chat, Seq: i, Calls: len(rows),
			Method: "sendMessage", Params: []byte(fmt.Sprintf(`{"chat_id":%d,"text":"Câu %d/3"}`, chat, i+1))}
	}
	if err := e.SendOutbox(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	if got := len(v.sends([]int64{chat})); got != 3 {
		t.Fatalf("%d messages arrived, want 3", got)
	}
	if n := calls.n.Load(); n != 1 {
		t.Errorf("%d Redis calls on the chat's reply limit for one flush of 3 messages, want 1", n)
	}
}

// A reply's tokens cost Redis five commands: the script (EVALSHA), one
// MGET of the pause, global and chat keys, TIME, and the two SETs of the
// tokens taken. It read the pause's TTL and each key with commands of
// their own: seven. A flood pause set by another process still holds the
// reply back until it ends.
func TestReplyTokensCommands(t *testing.T) {
	v := newEnv(t)
	v.rdb = testenv.PrivateRedis(t)
	e, _ := v.engine(v.testConfig(1000))
	chats := recipients(3)
	flush := func(chat int64) {
		t.Helper()
		row := storage.OutboxRow{UpdateID: chat, ChatID: chat, Calls: 1, Method: "sendMessage",
			Params: []byte(fmt.Sprintf(`{"chat_id":%d,"text":"Cảm ơn bạn"}`, chat))}
		if err := e.SendOutbox(context.Background(), []storage.OutboxRow{row}); err != nil {
			t.Fatal(err)
		}
	}
	flush(chats[0]) // loads the script
	got := testenv.CommandsIn(t, v.rdb, func() { flush(chats[1]) })
	want := map[string]int64{"evalsha": 1, "mget": 1, "time": 1, "set": 2}
	if !maps.Equal(got, want) {
		t.Errorf("Redis commands of one reply's tokens: %v, want %v", got, want)
	}

	pause := 300 * time.Millisecond
	if err := v.rdb.Set(context.Background(), v.prefix+"send:pause", "1", pause).Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	flush(chats[2])
	if took := time.Since(start); took < pause-50*time.Millisecond {
		t.Errorf("a reply during a %s pause went out after %s", pause, took)
	}
	if got := len(v.sends(chats)); got != 3 {
		t.Fatalf("%d replies arrived, want 3", got)
	}
}
