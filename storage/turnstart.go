package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Every turn begins with its user's flood check, and most then read the
// user's conversation with its pending marker (convpending.go). One script
// does both: the flood limit's GCRA reads its bucket in the same MGET as
// the conversation and the marker, so the conversation read costs the turn
// neither a round trip nor a command of its own. The bucket keeps
// redis_rate's key and arithmetic, so the limit is the one every process
// shares, as before.

// FloodLimit is a GCRA limit: Rate per Period on average, Burst at once.
type FloodLimit struct {
	Rate, Burst int
	Period      time.Duration
}

// floodCheck takes one token from the bucket KEYS[1] (burst ARGV[1], rate
// ARGV[2] per ARGV[3] s) and returns {allowed (1 or 0), KEYS[2], KEYS[3]}
// as they stand: the conversation and its pending marker.
var floodCheck = redis.NewScript(`
redis.replicate_commands()
local vals = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])
local t = redis.call('TIME')
local now = (t[1] - 1483228800) + (t[2] / 1000000)
local ei = tonumber(ARGV[3]) / tonumber(ARGV[2])
local tat = math.max(tonumber(vals[1] or now), now)
local nt = tat + ei
if now - (nt - tonumber(ARGV[1]) * ei) < 0 then
  return {0, vals[2], vals[3]}
end
if nt - now > 0 then
  redis.call('SET', KEYS[1], nt, 'EX', math.ceil(nt - now))
end
return {1, vals[2], vals[3]}`)

// AllowTurn takes one token of the user's flood limit. When it is granted,
// the returned context carries the user's conversation and pending marker
// as Redis held them, for the turn's first read of that conversation in a
// unit of work: the turn's updates of the chat before it have committed,
// so the pair is as good as one read later.
func (s *State) AllowTurn(ctx context.Context, userID int64, limit FloodLimit) (context.Context, bool, error) {
	keys := []string{rateLimitPrefix + s.UserKey(userID, "flood"), s.UserKey(userID, "conv"), s.UserKey(userID, pendingConvKey)}
	vals, err := floodCheck.Run(ctx, s.rdb, keys, limit.Burst, limit.Rate, limit.Period.Seconds()).Slice()
	if err != nil {
		return ctx, false, fmt.Errorf("storage: flood limit of %d: %w", userID, err)
	}
	if len(vals) != 3 {
		return ctx, false, fmt.Errorf("storage: flood limit of %d: %d values", userID, len(vals))
	}
	if allowed, _ := vals[0].(int64); allowed != 1 {
		return ctx, false, nil
	}
	return context.WithValue(ctx, convReadKey{}, &convRead{userID: userID, vals: vals[1:]}), true, nil
}

// convRead is a conversation and its marker read ahead of the turn's unit
// of work; it serves one read, and none once the turn changed them outside
// a unit of work.
type convRead struct {
	userID int64
	vals   []any
	used   bool
}

type convReadKey struct{}

// readAhead returns the conversation and marker read ahead for userID,
// once; nil if there are none.
func readAhead(ctx context.Context, userID int64) []any {
	r, _ := ctx.Value(convReadKey{}).(*convRead)
	if r == nil || r.used || r.userID != userID {
		return nil
	}
	r.used = true
	return r.vals
}

// dropReadAhead forgets what was read ahead for userID: the turn changed
// it in Redis.
func dropReadAhead(ctx context.Context, userID int64) {
	if r, _ := ctx.Value(convReadKey{}).(*convRead); r != nil && r.userID == userID {
		r.used = true
	}
}
