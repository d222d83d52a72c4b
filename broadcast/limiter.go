package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"donorbot/storage"
)

// limiter hands out the right to send one message now. Three things must
// agree: no flood pause is on (a 429 seen by any process), the global rate
// has a token, and the chat has a token. The global token goes through one
// pump goroutine per process, which serves priority requests (SendNow,
// progress) before bulk ones, so a reply never queues behind a broadcast.
type limiter struct {
	rl        *redis_rate.Limiter
	rdb       *redis.Client
	log       *slog.Logger
	global    redis_rate.Limit
	chat      redis_rate.Limit
	reply     redis_rate.Limit // a conversation's replies: short bursts allowed
	paid      redis_rate.Limit // paid broadcasts, besides global
	globalKey string
	paidKey   string
	pauseKey  string
	chatKey   string // + chat id
	replyKey  string // + chat id

	prio, bulk chan *ticket
	started    chan struct{} // closed when the pump runs; requests wait for it
	stopped    chan struct{} // closed when it has stopped
	pausedTill atomic.Int64  // unix nanoseconds; what this process knows

	// The pump's last reading of the shared pause key (pump goroutine only).
	pauseReadAt time.Time
	pauseTTL    time.Duration
}

// pauseFresh is how long the pump trusts its last reading of the pause key.
// A 429 seen by another process reaches this one at most this late, well
// under Telegram's retry_after (whole seconds); a 429 seen here applies at
// once through pausedTill. Reading it for every token would put a second
// Redis round trip on the one goroutine every message waits for.
const pauseFresh = 50 * time.Millisecond

// ticket is one request for a global token or, with prio, for up to n
// priority tokens (see reserve.go).
type ticket struct {
	prio    bool
	key     string           // the chat's limit key (prio)
	limit   redis_rate.Limit // the chat's limit (prio)
	n       int              // tokens wanted (prio)
	granted chan grant       // buffered: the pump never blocks on a requester gone

	applies []storage.ConversationApply // to apply with the tokens (prio; pump only once sent)
	applied bool
}

// errRedisRetry is how long the pump waits after Redis failed.
const errRedisRetry = 500 * time.Millisecond

func newLimiter(rdb *redis.Client, log *slog.Logger, cfg Config) *limiter {
	slack := 1 / (1 - cfg.Headroom)
	return &limiter{
		rl:  redis_rate.NewLimiter(rdb),
		rdb: rdb,
		log: log,
		// GCRA spaced at Rate×(1-Headroom)/s. The small burst (10 ms worth)
		// makes up for the pump's own latency without crowding a window.
		global: redis_rate.Limit{
			Rate:   cfg.Rate,
			Burst:  max(1, cfg.Rate/100),
			Period: time.Duration(float64(time.Second) * slack),
		},
		chat: redis_rate.Limit{
			Rate:   1,
			Burst:  1,
			Period: time.Duration(float64(cfg.ChatInterval) * slack),
		},
		// Replies in a conversation come in bursts (an answer and the next
		// question, a user tapping quickly); Telegram tolerates bursts in
		// one chat, so only the sustained rate is held to one per second.
		// The per-user flood limit of the runtime bounds bursts anyway.
		reply: redis_rate.Limit{Rate: cfg.ReplyPerMinute, Burst: cfg.ReplyBurst, Period: time.Minute},
		paid: redis_rate.Limit{
			Rate:   cfg.PaidRate,
			Burst:  max(1, cfg.PaidRate/100),
			Period: time.Duration(float64(time.Second) * slack),
		},
		globalKey: cfg.KeyPrefix + "send:global",
		paidKey:   cfg.KeyPrefix + "send:paid",
		pauseKey:  cfg.KeyPrefix + "send:pause",
		chatKey:   cfg.KeyPrefix + storage.ChatSendLimitKey,
		replyKey:  cfg.KeyPrefix + storage.ChatReplyLimitKey,
		prio:      make(chan *ticket),
		bulk:      make(chan *ticket),
		started:   make(chan struct{}),
		stopped:   make(chan struct{}),
	}
}

// wait blocks until a message may be sent to chatID now.
func (l *limiter) wait(ctx context.Context, chatID int64, prio bool) error {
	return l.waitWith(ctx, chatID, prio, l.chatKey, l.chat)
}

// waitReply blocks until a reply may be sent to chatID now: a priority
// global token and the chat's reply budget.
func (l *limiter) waitReply(ctx context.Context, chatID int64) error {
	_, err := l.reserveReplies(ctx, chatID, 1)
	return err
}

// reserveReplies blocks until between 1 and n replies may be sent to
// chatID now, and says how many.
func (l *limiter) reserveReplies(ctx context.Context, chatID int64, n int) (int, error) {
	return l.reserve(ctx, l.replyKey, chatID, l.reply, n)
}

func (l *limiter) waitWith(ctx context.Context, chatID int64, prio bool, chatKey string, chat redis_rate.Limit) error {
	if prio {
		_, err := l.reserve(ctx, chatKey, chatID, chat, 1)
		return err
	}
	for {
		if err := l.globalToken(ctx); err != nil {
			return err
		}
		res, err := l.rl.Allow(ctx, chatKey+strconv.FormatInt(chatID, 10), chat)
		if err != nil {
			return fmt.Errorf("broadcast: chat limit of %d: %w", chatID, err)
		}
		if res.Allowed > 0 {
			return nil
		}
		// The global token is lost; rare, as one broadcast reaches a chat
		// once.
		if err := sleep(ctx, res.RetryAfter); err != nil {
			return err
		}
	}
}

// globalToken takes a bulk global token through the pump.
func (l *limiter) globalToken(ctx context.Context) error {
	_, err := l.request(ctx, &ticket{})
	return err
}

// request queues t for the pump and waits for its answer.
func (l *limiter) request(ctx context.Context, t *ticket) (grant, error) {
	// Wait for Run rather than fail: it is typically started in a goroutine
	// right before the first SendNow.
	select {
	case <-l.started:
	case <-ctx.Done():
		return grant{}, ctx.Err()
	}
	t.granted = make(chan grant, 1)
	queue := l.bulk
	if t.prio {
		queue = l.prio
	}
	select {
	case queue <- t:
	case <-l.stopped:
		return grant{}, ErrNotRunning
	case <-ctx.Done():
		return grant{}, ctx.Err()
	}
	select {
	case g := <-t.granted:
		return g, g.err
	case <-ctx.Done():
		return grant{}, ctx.Err()
	}
}

// run is the pump: it takes one request at a time, priority first, gets it
// its tokens and grants it. A bulk request that got its token while a
// priority one arrived is granted after it.
func (l *limiter) run(ctx context.Context) {
	close(l.started)
	defer close(l.stopped)
	for {
		var t *ticket
		select {
		case t = <-l.prio:
		default:
			select {
			case t = <-l.prio:
			case t = <-l.bulk:
			case <-ctx.Done():
				return
			}
		}
		if t.prio {
			if err := l.grantPriority(ctx, t); err != nil {
				return
			}
			continue
		}
		if err := l.acquire(ctx); err != nil {
			t.granted <- grant{err: err}
			return
		}
		select {
		case p := <-l.prio:
			// A reply came while this bulk send waited for its token: the
			// reply is served first.
			if err := l.grantPriority(ctx, p); err != nil {
				t.granted <- grant{err: err}
				return
			}
		default:
		}
		t.granted <- grant{n: 1}
	}
}

// acquire waits out any pause and takes one global token for a bulk send.
// It returns only when it has the token or ctx ended; while Redis fails,
// broadcasts wait for it (replies do not, see grantPriority).
func (l *limiter) acquire(ctx context.Context) error {
	for {
		paused, err := l.pausedFor(ctx)
		if err == nil && paused <= 0 {
			var res *redis_rate.Result
			if res, err = l.rl.Allow(ctx, l.globalKey, l.global); err == nil {
				if res.Allowed > 0 {
					return nil
				}
				paused = res.RetryAfter
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.log.Error("broadcast limiter: redis", "err", err)
			paused = errRedisRetry
		}
		if err := sleep(ctx, paused); err != nil {
			return err
		}
	}
}

// pausedFor is how long the flood pause still lasts, from this process's
// knowledge and from the Redis key every process sets.
func (l *limiter) pausedFor(ctx context.Context) (time.Duration, error) {
	local := time.Until(time.Unix(0, l.pausedTill.Load()))
	if since := time.Since(l.pauseReadAt); since < pauseFresh {
		return max(local, l.pauseTTL-since), nil
	}
	ttl, err := l.rdb.PTTL(ctx, l.pauseKey).Result()
	if err != nil {
		return local, fmt.Errorf("pause key: %w", err)
	}
	l.pauseReadAt, l.pauseTTL = time.Now(), ttl
	return max(local, ttl), nil // PTTL is negative when there is no pause
}

// extendPause sets the key to expire after ARGV[1] ms unless it already
// outlives that. A TTL rather than a timestamp: no clock is compared.
var extendPause = redis.NewScript(`
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[1]) then
	redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0`)

// pause stops every process's sends for d, after Telegram answered 429.
func (l *limiter) pause(ctx context.Context, d time.Duration) {
	till := time.Now().Add(d).UnixNano()
	for {
		cur := l.pausedTill.Load()
		if cur >= till || l.pausedTill.CompareAndSwap(cur, till) {
			break
		}
	}
	err := extendPause.Run(ctx, l.rdb, []string{l.pauseKey}, d.Milliseconds()).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		l.log.Error("broadcast limiter: set pause", "pause", d, "err", err)
	}
}

// waitPaid blocks until a paid broadcast message may be sent to chatID now:
// no flood pause, a token of the paid rate and the chat's token. Paid
// sends do not queue at the pump behind free ones, nor take their tokens:
// Telegram counts them apart, up to its 1,000 messages/s.
func (l *limiter) waitPaid(ctx context.Context, chatID int64, _ bool) error {
	for {
		paused := time.Until(time.Unix(0, l.pausedTill.Load()))
		if paused <= 0 {
			ttl, err := l.rdb.PTTL(ctx, l.pauseKey).Result()
			if err != nil {
				return fmt.Errorf("broadcast: pause key: %w", err)
			}
			paused = ttl
		}
		if paused <= 0 {
			res, err := l.rl.Allow(ctx, l.paidKey, l.paid)
			if err != nil {
				return fmt.Errorf("broadcast: paid rate: %w", err)
			}
			if res.Allowed > 0 {
				break
			}
			paused = res.RetryAfter
		}
		if err := sleep(ctx, paused); err != nil {
			return err
		}
	}
	for {
		res, err := l.rl.Allow(ctx, l.chatKey+strconv.FormatInt(chatID, 10), l.chat)
		if err != nil {
			return fmt.Errorf("broadcast: chat limit of %d: %w", chatID, err)
		}
		if res.Allowed > 0 {
			return nil
		}
		if err := sleep(ctx, res.RetryAfter); err != nil {
			return err
		}
	}
}
