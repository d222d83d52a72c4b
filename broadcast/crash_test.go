package broadcast_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/internal/testenv"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// The crash test runs the engine in a child process, the test binary itself
// started again with childEnv set: TestMain then runs runChild instead of
// the tests. The fake Bot API stays in the parent, so it records every call
// across the kill.
const (
	childEnv     = "DONORBOT_BROADCAST_CHILD"
	childDB      = "DONORBOT_BROADCAST_CHILD_DB"
	childRedis   = "DONORBOT_BROADCAST_CHILD_REDIS"
	childPrefix  = "DONORBOT_BROADCAST_CHILD_PREFIX"
	childAPI     = "DONORBOT_BROADCAST_CHILD_API"
	childToken   = "DONORBOT_BROADCAST_CHILD_TOKEN"
	childWorkers = 4
	childRate    = 100
	childLease   = time.Second
)

// runChild runs an engine until it is killed.
func runChild() int {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	store, err := storage.Open(ctx, os.Getenv(childDB))
	if err != nil {
		log.Error("child", "err", err)
		return 2
	}
	opts, err := redis.ParseURL(os.Getenv(childRedis))
	if err != nil {
		log.Error("child", "err", err)
		return 2
	}
	b, hc, err := newBotClient(os.Getenv(childAPI), os.Getenv(childToken))
	if err != nil {
		log.Error("child", "err", err)
		return 2
	}
	e, err := broadcast.New(broadcast.Config{
		Rate: childRate, Workers: childWorkers, Batch: 5, Lease: childLease, SendTimeout: childLease / 4,
		Poll: 50 * time.Millisecond, KeyPrefix: os.Getenv(childPrefix),
	}, broadcast.Deps{Store: store, Redis: redis.NewClient(opts), Bot: b, Log: log, Render: render,
		API: botapi.NewJSONCaller(hc, os.Getenv(childAPI), os.Getenv(childToken))})
	if err != nil {
		log.Error("child", "err", err)
		return 2
	}
	if err := e.Run(ctx); err != nil {
		log.Error("child", "err", err)
		return 1
	}
	return 0
}

// child is a running engine process.
type child struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
}

func (c *child) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.Write(p)
}

func startChild(t *testing.T, v *env) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0])}
	c.cmd.Env = append(os.Environ(),
		childEnv+"=1",
		childDB+"="+testenv.DatabaseURL(t),
		childRedis+"="+testenv.RedisURL(t),
		childPrefix+"="+v.prefix,
		childAPI+"="+v.srv.URL(),
		childToken+"="+v.srv.Token(),
	)
	c.cmd.Stderr = c
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start engine process: %v", err)
	}
	t.Cleanup(func() { c.kill(t) })
	return c
}

// kill sends SIGKILL: no deferred function, no graceful release runs.
func (c *child) kill(t *testing.T) {
	if c.cmd.ProcessState != nil {
		return
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Errorf("kill engine process: %v", err)
	}
	_ = c.cmd.Wait() // "signal: killed"
	if t.Failed() {
		c.mu.Lock()
		t.Logf("engine process %d log:\n%s", c.cmd.Process.Pid, c.stderr.String())
		c.mu.Unlock()
	}
}

func TestCrashResumes(t *testing.T) {
	v := newEnv(t, telegramtest.WithRateLimit(childRate, 1), telegramtest.WithLatency(5*time.Millisecond))
	ctx := context.Background()
	ids := recipients(300) // 3s at 100/s
	b, hc := botClient(t, v.srv.URL(), v.srv.Token())
	api := botapi.NewJSONCaller(hc, v.srv.URL(), v.srv.Token())
	starter, err := broadcast.New(broadcast.Config{KeyPrefix: v.prefix}, broadcast.Deps{Store: v.store, Redis: v.rdb, Bot: b, API: api})
	if err != nil {
		t.Fatal(err)
	}
	id, err := starter.Start(ctx, broadcast.Spec{Kind: "urgent", Text: "Cần gấp máu B+", Recipients: ids})
	if err != nil {
		t.Fatal(err)
	}

	first := startChild(t, v)
	v.srv.WaitUntil(t, "100 sends", func() bool { return len(v.sends(ids)) >= 100 })
	first.kill(t)
	atKill := len(v.sends(ids))

	second := startChild(t, v)
	v.srv.WaitUntil(t, "every recipient to have the message", func() bool {
		for _, c := range ids {
			if len(v.srv.Messages(c)) == 0 {
				return false
			}
		}
		return true
	})
	p := v.waitFinished(starter, id)
	second.kill(t)

	total := len(v.sends(ids))
	dups := total - len(ids)
	t.Logf("killed after %d of %d sends; %d sends in all, %d duplicates", atKill, len(ids), total, dups)
	if atKill >= len(ids) {
		t.Fatalf("the first process sent everything before it was killed")
	}
	if dups > childWorkers {
		t.Errorf("%d duplicate messages, want at most %d (one in flight per worker)", dups, childWorkers)
	}
	for _, c := range ids {
		if n := len(v.srv.Messages(c)); n != 1 && n != 2 {
			t.Errorf("chat %d has %d messages", c, n)
		}
	}
	if p.Sent != len(ids) || p.Failed+p.Blocked+p.Cancelled != 0 {
		t.Errorf("progress = %+v, want all %d recorded sent", p, len(ids))
	}
	v.checkWindows(childRate, 0)
}
