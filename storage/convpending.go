package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// A conversation committed in a unit of work reaches Redis only after the
// commit, when its outbox call is applied. A process that dies in between
// leaves Redis older than PostgreSQL, and a unit of work that reads the
// user's conversation must then take it from the outbox. So that the
// common case costs no SQL, every commit that writes a conversation first
// sets a pending marker for its user (the newest such update's id). The
// stored conversation carries the update that wrote it, so a marker no
// newer than it is covered: the script that applies a write leaves the
// marker alone. A unit of work reads the marker with the conversation, in
// one round trip, and consults the outbox only when the marker is newer.
// The marker lives as long as a conversation (convTTL): a write older than
// that would have expired from Redis anyway.

// pendingConvKey is the name, under UserKey, of the pending marker.
const pendingConvKey = "conv:pending"

// markConversationsPending raises each key's marker to the update id
// ARGV[1] (a lower one may be newer than a write still unapplied), with a
// fresh TTL of ARGV[2] ms. It sets first and puts a higher marker back,
// which only an update committed out of order leaves: one command inside
// the script in the common case rather than a GET and a SET.
var markConversationsPending = redis.NewScript(`
for _, key in ipairs(KEYS) do
  local cur = redis.call('SET', key, ARGV[1], 'PX', ARGV[2], 'GET')
  if cur and tonumber(cur) > tonumber(ARGV[1]) then
    redis.call('SET', key, cur, 'PX', ARGV[2])
  end
end
return 0`)

// markPending sets the pending markers of the users whose conversations
// the unit commits as updateID; it must succeed before the commit.
func (s *State) markPending(ctx context.Context, users []int64, updateID int64) error {
	keys := make([]string, len(users))
	for i, u := range users {
		keys[i] = s.UserKey(u, pendingConvKey)
	}
	err := markConversationsPending.Run(ctx, s.rdb, keys, updateID, s.convTTL.Milliseconds()).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("storage: mark conversations of update %d pending: %w", updateID, err)
	}
	return nil
}

// conversationInWork reads the user's conversation for a unit of work
// that has not written it: the committed write not yet applied to Redis,
// if the marker says there may be one, else Redis's.
func (s *State) conversationInWork(ctx context.Context, w *Work, userID int64) (Conversation, bool, error) {
	upTo := int64(math.MaxInt64)
	if _, seen := w.pending[userID]; !seen {
		vals := readAhead(ctx, userID)
		if vals == nil {
			var err error
			vals, err = s.rdb.MGet(ctx, s.UserKey(userID, "conv"), s.UserKey(userID, pendingConvKey)).Result()
			if err != nil {
				return Conversation{}, false, fmt.Errorf("storage: conversation of %d: %w", userID, err)
			}
		}
		raw, found := vals[0].(string)
		sc, err := decodeStored(userID, found, []byte(raw))
		switch {
		case err == nil && covered(vals[1], sc.Upd):
			// No write committed and unapplied: Redis holds the write of
			// the newest marked update, or a newer one, so it is the
			// newest.
			w.pending[userID] = nil
			return sc.Conversation, found && !sc.Ended, nil
		case vals[1] == nil:
			return Conversation{}, false, err // unreadable, and nothing pending
		}
		if m, ok := marker(vals[1]); ok {
			upTo = m
		}
	}
	cw, pending, err := w.pendingConversation(ctx, userID, upTo)
	if err != nil {
		return Conversation{}, false, err
	}
	if pending {
		if cw.Conv == nil {
			return Conversation{}, false, nil
		}
		return *cw.Conv, true, nil
	}
	// Read after the outbox: a write applied meanwhile is in Redis now.
	return s.conversationInRedis(ctx, userID)
}

// conversationInRedis reads the conversation Redis holds.
func (s *State) conversationInRedis(ctx context.Context, userID int64) (Conversation, bool, error) {
	raw, err := s.rdb.Get(ctx, s.UserKey(userID, "conv")).Bytes()
	if errors.Is(err, redis.Nil) {
		return Conversation{}, false, nil
	}
	if err != nil {
		return Conversation{}, false, fmt.Errorf("storage: conversation of %d: %w", userID, err)
	}
	return decodeConversation(userID, true, raw)
}

// covered reports whether a pending marker (nil when there is none) is
// no newer than the update whose write Redis holds.
func covered(pending any, upd int64) bool {
	if pending == nil {
		return true
	}
	m, ok := marker(pending)
	return ok && m <= upd
}

// marker reads a pending marker as MGET returns it; ok is false when
// there is none, or it is unreadable.
func marker(v any) (int64, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	m, err := strconv.ParseInt(s, 10, 64)
	return m, err == nil
}

// decodeConversation decodes a stored conversation; an ended one is none.
func decodeConversation(userID int64, found bool, raw []byte) (Conversation, bool, error) {
	sc, err := decodeStored(userID, found, raw)
	if err != nil || !found || sc.Ended {
		return Conversation{}, false, err
	}
	return sc.Conversation, true, nil
}

// decodeStored decodes a stored conversation, with the update that wrote
// it; none is the zero value.
func decodeStored(userID int64, found bool, raw []byte) (storedConversation, error) {
	var sc storedConversation
	if !found {
		return sc, nil
	}
	if err := json.Unmarshal(raw, &sc); err != nil {
		return sc, fmt.Errorf("storage: conversation of %d: %w", userID, err)
	}
	return sc, nil
}
