package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// State is the Redis side of storage: conversation state, one-off marks and
// rate-limit counters. Losing it loses no record; every key is under prefix so
// several deployments or test packages can share one Redis.
type State struct {
	rdb     *redis.Client
	prefix  string
	convTTL time.Duration
}

// Keys of the broadcast engine's per-chat rate limits, between the key
// prefix and the chat id. They are declared here, where ForgetUser must find
// them, and package broadcast, which imports storage, uses these.
const (
	ChatSendLimitKey  = "send:chat:"
	ChatReplyLimitKey = "send:chat:reply:"
)

// rateLimitPrefix is what redis_rate puts before every key it is given.
const rateLimitPrefix = "rate:"

// NewState returns State over rdb with keys under prefix.
func NewState(rdb *redis.Client, prefix string, convTTL time.Duration) *State {
	return &State{rdb: rdb, prefix: prefix, convTTL: convTTL}
}

// Redis exposes the client, for the rate limiter that shares it.
func (s *State) Redis() *redis.Client { return s.rdb }

// Ping reports whether Redis answers.
func (s *State) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("storage: ping redis: %w", err)
	}
	return nil
}

// UserKey is the key of one piece of a user's state. Every per-user key goes
// through it, so /forget can find them all with one SCAN pattern.
func (s *State) UserKey(userID int64, name string) string {
	return s.prefix + "user:" + strconv.FormatInt(userID, 10) + ":" + name
}

// Conversation is where a user is in a guided journey (see handlers/flow.go,
// the engine that runs every flow on it).
type Conversation struct {
	// Version is the layout of this record (ConversationVersion); a record
	// of another layout, left by an earlier release, is restarted.
	Version int    `json:"v,omitempty"`
	Flow    string `json:"flow"`
	// FlowVersion is the version of the flow's own State; a flow whose
	// answers changed shape bumps it.
	FlowVersion int    `json:"fv,omitempty"`
	Step        string `json:"step"`
	// Trail is the steps answered before Step, in order: Back returns to
	// the last of them.
	Trail []string `json:"trail,omitempty"`
	// Reviewing is set while one answer is changed from the review step,
	// which the flow returns to once it is answered.
	Reviewing bool `json:"reviewing,omitempty"`
	// State is the flow's typed answers, as JSON.
	State json.RawMessage `json:"state,omitempty"`
	// Data is the pre-engine layout's answers; only an old record has it.
	Data map[string]string `json:"data,omitempty"`
}

// ConversationVersion is the layout of Conversation this release writes.
const ConversationVersion = 2

// storedConversation is a conversation as Redis holds it: Upd is the
// update whose unit of work wrote it (0 outside one), and Ended marks a
// conversation ended by that update, kept so that an older write applied
// late cannot bring it back.
type storedConversation struct {
	Conversation
	Upd   int64 `json:"upd,omitempty"`
	Ended bool  `json:"ended,omitempty"`
}

// Conversation returns the user's conversation; ok is false when there is none
// (never started, ended, expired, or lost with Redis). In a unit of work it
// is the one written in that unit, else one committed but not yet applied
// to Redis, else Redis's.
func (s *State) Conversation(ctx context.Context, userID int64) (c Conversation, ok bool, err error) {
	if w := workFrom(ctx); w != nil {
		if c, written := w.conv[userID]; written {
			if c == nil {
				return Conversation{}, false, nil
			}
			return c.clone(), true, nil
		}
		return s.conversationInWork(ctx, w, userID)
	}
	return s.conversationInRedis(ctx, userID)
}

func (c *Conversation) clone() Conversation {
	out := *c
	out.Data = maps.Clone(c.Data)
	return out
}

// SaveConversation stores the user's conversation with a fresh TTL; in a
// unit of work, once it commits.
func (s *State) SaveConversation(ctx context.Context, userID int64, c Conversation) error {
	if w := workFrom(ctx); w != nil {
		w.writeConversation(s, userID, &c)
		return nil
	}
	dropReadAhead(ctx, userID)
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("storage: save conversation of %d: %w", userID, err)
	}
	if err := s.rdb.Set(ctx, s.UserKey(userID, "conv"), raw, s.convTTL).Err(); err != nil {
		return fmt.Errorf("storage: save conversation of %d: %w", userID, err)
	}
	return nil
}

// EndConversation deletes the user's conversation; in a unit of work, once
// it commits.
func (s *State) EndConversation(ctx context.Context, userID int64) error {
	if w := workFrom(ctx); w != nil {
		w.writeConversation(s, userID, nil)
		return nil
	}
	dropReadAhead(ctx, userID)
	if err := s.rdb.Del(ctx, s.UserKey(userID, "conv")).Err(); err != nil {
		return fmt.Errorf("storage: end conversation of %d: %w", userID, err)
	}
	return nil
}

func (w *Work) writeConversation(s *State, userID int64, c *Conversation) {
	w.state = s
	if _, seen := w.conv[userID]; !seen {
		w.convOrder = append(w.convOrder, userID)
	}
	if c != nil {
		cc := c.clone()
		c = &cc
	}
	w.conv[userID] = c
}

// ApplyConversationLua defines the Lua function apply_conversation(key,
// upd, raw, ttl ms), which writes a conversation to Redis unless Redis
// holds one written by a later update: a write applied late (its process
// died after commit) must not undo a newer one, which it puts back.
// Setting first costs one command in the common case rather than a GET
// and a SET. The pending marker needs nothing: the write's update id,
// stored with it, covers it (see convpending.go). Package broadcast's
// reply-token script runs it too, to apply a flush's conversations in the
// round trip that takes its tokens.
const ApplyConversationLua = `
local function apply_conversation(key, upd, raw, ttl)
  local cur = redis.call('SET', key, raw, 'PX', ttl, 'GET')
  if cur then
    local ok, v = pcall(cjson.decode, cur)
    if ok and type(v) == 'table' and tonumber(v.upd or 0) > tonumber(upd) then
      redis.call('SET', key, cur, 'PX', ttl)
      return 0
    end
  end
  return 1
end
`

var applyConversation = redis.NewScript(ApplyConversationLua +
	`return apply_conversation(KEYS[1], ARGV[1], ARGV[2], ARGV[3])`)

// ConversationApply is a committed conversation write ready to apply:
// apply_conversation(Key, Args...).
type ConversationApply struct {
	Key  string
	Args [3]any // update id, stored conversation, TTL in ms
}

// PrepareApply reads a committed conversation write (an outbox call of
// method MethodConversation) for apply_conversation. The turn of ctx no
// longer uses the conversation it read ahead (AllowTurn).
func (s *State) PrepareApply(ctx context.Context, row OutboxRow) (ConversationApply, error) {
	var cw conversationWrite
	if err := json.Unmarshal(row.Params, &cw); err != nil {
		return ConversationApply{}, fmt.Errorf("storage: apply conversation of update %d: %w", row.UpdateID, err)
	}
	sc := storedConversation{Upd: row.UpdateID, Ended: cw.Conv == nil}
	if cw.Conv != nil {
		sc.Conversation = *cw.Conv
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		return ConversationApply{}, fmt.Errorf("storage: apply conversation of %d: %w", cw.UserID, err)
	}
	dropReadAhead(ctx, cw.UserID)
	return ConversationApply{Key: s.UserKey(cw.UserID, "conv"), Args: [3]any{row.UpdateID, raw, s.convTTL.Milliseconds()}}, nil
}

// ApplyConversation applies a committed conversation write (an outbox row
// of method MethodConversation) to Redis.
func (s *State) ApplyConversation(ctx context.Context, row OutboxRow) error {
	a, err := s.PrepareApply(ctx, row)
	if err != nil {
		return err
	}
	if err := applyConversation.Run(ctx, s.rdb, []string{a.Key}, a.Args[:]...).Err(); err != nil {
		return fmt.Errorf("storage: apply conversation of update %d: %w", row.UpdateID, err)
	}
	return nil
}

// Language returns the language a user without a donor record chose; "" if none.
func (s *State) Language(ctx context.Context, userID int64) (string, error) {
	lang, err := s.rdb.Get(ctx, s.UserKey(userID, "lang")).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("storage: language of %d: %w", userID, err)
	}
	return lang, nil
}

// SetLanguage remembers a language choice made before consent, when there is
// no donor row to keep it in.
func (s *State) SetLanguage(ctx context.Context, userID int64, lang string) error {
	if err := s.rdb.Set(ctx, s.UserKey(userID, "lang"), lang, 30*24*time.Hour).Err(); err != nil {
		return fmt.Errorf("storage: set language of %d: %w", userID, err)
	}
	return nil
}

// Once reports true the first time it is called for key within ttl; used to
// send a warning once instead of at every offending message.
func (s *State) Once(ctx context.Context, userID int64, name string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.UserKey(userID, name), 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("storage: once %s for %d: %w", name, userID, err)
	}
	return ok, nil
}

// ForgetUser deletes every Redis key of the user, including the rate
// limiters', which redis_rate stores under "rate:" + its key: the flood
// limit's and the broadcast engine's per-chat limits (a private chat's id is
// the user's id).
func (s *State) ForgetUser(ctx context.Context, userID int64) error {
	if w := workFrom(ctx); w != nil {
		// Nothing of theirs is to be written back after commit.
		delete(w.conv, userID)
		w.convOrder = slices.DeleteFunc(w.convOrder, func(id int64) bool { return id == userID })
	}
	dropReadAhead(ctx, userID)
	own := s.UserKey(userID, "*")
	chat := strconv.FormatInt(userID, 10)
	patterns := []string{own, rateLimitPrefix + own,
		rateLimitPrefix + s.prefix + ChatSendLimitKey + chat, rateLimitPrefix + s.prefix + ChatReplyLimitKey + chat}
	for _, pattern := range patterns {
		iter := s.rdb.Scan(ctx, 0, pattern, 100).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			return fmt.Errorf("storage: forget user %d: scan: %w", userID, err)
		}
		if len(keys) > 0 {
			if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
				return fmt.Errorf("storage: forget user %d: %w", userID, err)
			}
		}
	}
	return nil
}

// Remember keeps a small value for the user, e.g. the drive of a deep link
// to open once onboarding is over.
func (s *State) Remember(ctx context.Context, userID int64, name, value string, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, s.UserKey(userID, name), value, ttl).Err(); err != nil {
		return fmt.Errorf("storage: remember %s for %d: %w", name, userID, err)
	}
	return nil
}

// Recall returns and forgets a value kept with Remember; "" if none.
func (s *State) Recall(ctx context.Context, userID int64, name string) (string, error) {
	v, err := s.rdb.GetDel(ctx, s.UserKey(userID, name)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("storage: recall %s for %d: %w", name, userID, err)
	}
	return v, nil
}
