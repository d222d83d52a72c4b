package testenv

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// PrivateRedis starts a redis-server of the test's own and returns a client
// on it: a test that counts commands with CommandsIn needs a server that
// serves nothing else, which the shared one, used by every package's tests
// at once, is not.
func PrivateRedis(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(StartRedis(t).URL())
	if err != nil {
		t.Fatalf("testenv: private Redis: %v", err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// CommandsIn returns the commands the server of rdb ran during fn, by name,
// as INFO commandstats counts them: the commands a script runs are counted
// besides its EVALSHA, since Redis spends on them as on commands sent alone.
// The INFO commands themselves are left out.
func CommandsIn(t testing.TB, rdb *redis.Client, fn func()) map[string]int64 {
	t.Helper()
	before := commandStats(t, rdb)
	fn()
	after := commandStats(t, rdb)
	got := map[string]int64{}
	for name, n := range after {
		if d := n - before[name]; d > 0 && name != "info" {
			got[name] = d
		}
	}
	return got
}

// Total is the number of commands in counts.
func Total(counts map[string]int64) int64 {
	var n int64
	for _, c := range counts {
		n += c
	}
	return n
}

func commandStats(t testing.TB, rdb *redis.Client) map[string]int64 {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatalf("testenv: INFO commandstats: %v", err)
	}
	return ParseCommandStats(info)
}

// ParseCommandStats reads the calls of each command from INFO
// commandstats ("cmdstat_get:calls=12,usec=…" lines).
func ParseCommandStats(info string) map[string]int64 {
	got := map[string]int64{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, rest, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "calls="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					got[strings.TrimPrefix(name, "cmdstat_")] = n
				}
			}
		}
	}
	return got
}
