package broadcast

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"donorbot/storage"
)

// A priority send (a reply, SendNow) needs three things at once: no flood
// pause, a global token and its chat's tokens. The pump takes them for
// every priority request waiting, in one script: the pause key, the global
// GCRA and each chat's GCRA, the same keys and arithmetic as redis_rate's,
// so bulk sends and other processes share them. The script reads all the
// keys with one MGET, and the pause's TTL only when the key is there:
// every command inside a script costs Redis as much as one sent alone. A request asks for up to n
// tokens (the sends of one flush) and gets as many as both limits allow
// now; a chat out of tokens does not spend global ones. It may also carry
// the flush's conversation writes, applied by the same script
// (storage.ApplyConversationLua) before anything else: they would
// otherwise cost the flush a round trip of their own.

// takePriority's reply: {0, global wait ms, per request: granted (>0),
// -chat wait ms (<0) or 0 (no global token left)}, or {-1, pause ms}.
// ARGV[1] is the number m of conversations to apply: the last m keys, and
// three arguments each at the end of ARGV.
var takePriority = redis.NewScript(`
redis.replicate_commands()
` + storage.ApplyConversationLua + `
local m = tonumber(ARGV[1])
local nk, na = #KEYS - m, #ARGV - 3 * m
for j = 1, m do
  local a = na + (j - 1) * 3
  apply_conversation(KEYS[nk + j], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3])
end
local vals = redis.call('MGET', unpack(KEYS, 1, nk))
if vals[1] then
  local pause = redis.call('PTTL', KEYS[1])
  if pause > 0 then return {-1, pause} end
end
local t = redis.call('TIME')
local now = (t[1] - 1483228800) + (t[2] / 1000000)
-- A chat asked for twice in one batch reads what its first request set.
local set = {}
local function bucket(i, burst, rate, period)
  local ei = period / rate
  local tat = math.max(tonumber(set[KEYS[i]] or vals[i] or '0'), now)
  return ei, tat, math.floor((burst * ei - (tat - now)) / ei + 1e-9), burst * ei
end
local gei, gtat, gavail, goff = bucket(2, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
local out = {0, 0}
local used = 0
for i = 3, nk do
  local a = 5 + (i - 3) * 4
  local n = tonumber(ARGV[a])
  local ei, tat, avail, off = bucket(i, tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]))
  local g = math.min(n, avail, gavail - used)
  if g > 0 then
    local nt = tat + g * ei
    redis.call('SET', KEYS[i], nt, 'EX', math.ceil(nt - now))
    set[KEYS[i]] = nt
    used = used + g
    out[#out + 1] = g
  elseif avail <= 0 then
    out[#out + 1] = -math.max(1, math.ceil((tat - off + ei - now) * 1000))
  else
    out[#out + 1] = 0
  end
end
if used > 0 then
  local nt = gtat + used * gei
  redis.call('SET', KEYS[2], nt, 'EX', math.ceil(nt - now))
end
out[2] = math.max(1, math.ceil((gtat + used * gei - goff + gei - now) * 1000))
return out`)

// maxPrioBatch bounds how many waiting priority requests share one Redis
// round trip.
const maxPrioBatch = 64

// grant answers a ticket: tokens granted, or how long its chat must wait,
// or an error; applied says the ticket's conversations were applied.
type grant struct {
	n       int
	wait    time.Duration
	err     error
	applied bool
}

// reserve blocks until it holds between 1 and n priority tokens for the
// chat's key (under limit) and the global rate, and says how many.
func (l *limiter) reserve(ctx context.Context, key string, chatID int64, limit redis_rate.Limit, n int) (int, error) {
	got, _, err := l.reserveApplying(ctx, key, chatID, limit, n, nil)
	return got, err
}

// reserveApplying is reserve that also applies conversation writes, in
// its first request to Redis; applied says whether they were (not when
// Redis failed, nor when err is set).
func (l *limiter) reserveApplying(ctx context.Context, key string, chatID int64, limit redis_rate.Limit, n int,
	applies []storage.ConversationApply) (got int, applied bool, err error) {
	n = max(1, min(n, limit.Burst))
	for {
		g, err := l.request(ctx, &ticket{prio: true, key: key + strconv.FormatInt(chatID, 10), limit: limit, n: n, applies: applies})
		if err != nil {
			return 0, applied, err
		}
		if g.applied {
			applied, applies = true, nil
		}
		if g.n > 0 {
			return g.n, applied, nil
		}
		if err := sleep(ctx, g.wait); err != nil {
			return 0, applied, err
		}
	}
}

// grantPriority grants first and the priority requests queued behind it,
// taking their tokens together: the pump is one goroutine that every
// reply waits for, so one Redis round trip per request would cap every
// process's replies at one per round trip. The tokens still come from the
// same GCRA limits. A request whose chat has no token is told how long to
// wait and leaves; the others wait here for global tokens, ahead of bulk.
func (l *limiter) grantPriority(ctx context.Context, first *ticket) error {
	batch := []*ticket{first}
collect:
	for len(batch) < maxPrioBatch {
		select {
		case p := <-l.prio:
			batch = append(batch, p)
		default:
			break collect
		}
	}
	fail := func(err error) error {
		for _, t := range batch {
			t.granted <- grant{err: err}
		}
		return err
	}
	for len(batch) > 0 {
		if local := time.Until(time.Unix(0, l.pausedTill.Load())); local > 0 {
			if err := sleep(ctx, local); err != nil {
				return fail(err)
			}
			continue
		}
		res, err := l.takePriority(ctx, batch)
		if err != nil {
			if ctx.Err() != nil {
				return fail(ctx.Err())
			}
			// Redis away: a user waiting for an answer matters more than
			// the shared pacing; this process paces itself at the global
			// rate alone.
			l.log.Error("broadcast limiter: redis", "err", err)
			total := 0
			for _, t := range batch {
				total += t.n
			}
			if err := sleep(ctx, time.Duration(total)*l.global.Period/time.Duration(l.global.Rate)); err != nil {
				return fail(err)
			}
			for _, t := range batch {
				t.granted <- grant{n: t.n, applied: t.applied}
			}
			return nil
		}
		for _, t := range batch {
			if t.applies != nil {
				t.applies, t.applied = nil, true // once, even if paused
			}
		}
		if res[0] < 0 {
			if err := sleep(ctx, time.Duration(res[1])*time.Millisecond); err != nil {
				return fail(err)
			}
			continue
		}
		rest := batch[:0]
		for i, t := range batch {
			switch got := res[2+i]; {
			case got > 0:
				t.granted <- grant{n: int(got), applied: t.applied}
			case got < 0:
				t.granted <- grant{wait: time.Duration(-got) * time.Millisecond, applied: t.applied}
			default:
				rest = append(rest, t)
			}
		}
		batch = rest
		if len(batch) > 0 {
			if err := sleep(ctx, time.Duration(res[1])*time.Millisecond); err != nil {
				return fail(err)
			}
		}
	}
	return nil
}

// takePriority runs takePriority for the batch.
func (l *limiter) takePriority(ctx context.Context, batch []*ticket) ([]int64, error) {
	keys := make([]string, 0, 2+len(batch))
	keys = append(keys, l.pauseKey, rateLimitPrefix+l.globalKey)
	args := make([]any, 0, 4+4*len(batch))
	args = append(args, 0, l.global.Burst, l.global.Rate, l.global.Period.Seconds())
	for _, t := range batch {
		keys = append(keys, rateLimitPrefix+t.key)
		args = append(args, t.n, t.limit.Burst, t.limit.Rate, t.limit.Period.Seconds())
	}
	m := 0
	for _, t := range batch {
		for _, a := range t.applies {
			keys, args = append(keys, a.Key), append(args, a.Args[:]...)
			m++
		}
	}
	args[0] = m
	vals, err := takePriority.Run(ctx, l.rdb, keys, args...).Int64Slice()
	if err != nil {
		return nil, fmt.Errorf("take priority tokens: %w", err)
	}
	if len(vals) != 2+len(batch) && (len(vals) != 2 || vals[0] >= 0) {
		return nil, fmt.Errorf("take priority tokens: %d values for %d requests", len(vals), len(batch))
	}
	return vals, nil
}

// rateLimitPrefix is what redis_rate puts before every key it is given.
const rateLimitPrefix = "rate:"
