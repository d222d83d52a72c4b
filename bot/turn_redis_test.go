package bot_test

import (
	"maps"
	"testing"

	"github.com/redis/go-redis/v9"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// privateRedisBot runs a bot on a redis-server of the test's own, so that
// INFO commandstats counts this bot's commands alone, and returns a client
// on that server.
func privateRedisBot(t *testing.T) (*bottest.Bot, *redis.Client) {
	t.Helper()
	srv := testenv.StartRedis(t)
	b := bottest.Start(t, bottest.Config(func(c *bot.Config) { c.RedisURL = srv.URL() }))
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	return b, rdb
}

// A donor typing their name at onboarding's first step: the turn's flood
// check and its conversation read are one script, whose MGET reads the
// flood bucket, the conversation and its pending marker. Before, the
// flood check (redis_rate: EVALSHA with TIME, GET, SET) and the MGET of
// the conversation were two round trips and five commands. The rest of
// the turn: the pending marker before COMMIT (EVALSHA, SET), then the
// conversation applied in the script that takes the reply's tokens
// (EVALSHA with MGET, TIME and three SETs) rather than in a script before
// it. Three round trips in all; five, and 14 commands, before.
func TestTurnReadsItsConversationWithTheFloodCheck(t *testing.T) {
	b, rdb := privateRedisBot(t)
	warm := b.NewPhone("vi") // loads the scripts
	warm.Send("/start")
	warm.Tap("✅ Tôi đồng ý")
	warm.Send("Trần Văn An")
	warm.Expect("Bước 2/7")

	p := b.NewPhone("vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Expect("Bước 1/7", "Họ và tên")
	b.Settle()
	got := testenv.CommandsIn(t, rdb, func() {
		p.Send("Nguyễn Thị Hoa")
		p.Expect("Bước 2/7")
		b.Settle()
	})
	want := map[string]int64{"evalsha": 3, "mget": 2, "time": 2, "set": 5}
	if !maps.Equal(got, want) {
		t.Errorf("Redis commands of an onboarding answer: %v (%d), want %v (%d)",
			got, testenv.Total(got), want, testenv.Total(want))
	}
}
