package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Call is one request the server answered. Params and Files must be treated
// as read-only.
type Call struct {
	Method string
	// Params holds every parameter as the real server sees it: strings,
	// with JSON-serialized objects (reply_markup, entities ...) as JSON
	// text; decode them with DecodeParam.
	Params      map[string]string
	Files       map[string]File
	Status      int             // HTTP status = error_code; 200 on success
	Description string          // error description, or "" on success
	Result      json.RawMessage // the result on success
	At          time.Time       // arrival
	Duration    time.Duration
	ContentType string // of the body: multipart/form-data, application/json, ...
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Status == 200 }

// DecodeParam JSON-decodes a JSON-serialized parameter into v.
func (c Call) DecodeParam(name string, v any) error {
	raw, has := c.Params[name]
	if !has {
		return fmt.Errorf("telegramtest: %s has no parameter %q", c.Method, name)
	}
	return json.Unmarshal([]byte(raw), v)
}

// Calls lists every call in the order the answers were sent.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsOf lists the calls of one method, failed ones included.
func (s *Server) CallsOf(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsOfLocked(method)
}

func (s *Server) callsOfLocked(method string) []Call {
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages is the current state of the bot's messages in a chat, oldest
// first: edits applied, deleted messages gone. Messages the test sent as a
// user are left out (see Conversation).
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, true)
}

// Conversation is like Messages but includes the user's messages.
func (s *Server) Conversation(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID, false)
}

func (s *Server) messagesLocked(chatID int64, botOnly bool) []Message {
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if !botOnly || m.FromBot {
			out = append(out, m.public())
		}
	}
	return out
}

// LastMessage is the bot's newest message in a chat; its ID is 0 if there
// is none.
func (s *Server) LastMessage(chatID int64) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		for i := len(c.msgs) - 1; i >= 0; i-- {
			if c.msgs[i].FromBot {
				return c.msgs[i].public()
			}
		}
	}
	return Message{}
}

// Message returns one message (bot's or user's) in its current state.
func (s *Server) Message(chatID int64, messageID int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findMessageLocked(chatID, messageID); m != nil {
		return m.public(), true
	}
	return Message{}, false
}

// ReplyKeyboard is the reply keyboard the user currently sees in a chat:
// the one sent last, unless a later message removed it (nil then).
func (s *Server) ReplyKeyboard(chatID int64) [][]KeyboardButton {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	for i := len(c.msgs) - 1; i >= 0; i-- {
		m := c.msgs[i]
		switch {
		case !m.FromBot:
		case m.RemoveKeyboard:
			return nil
		case m.ReplyKeyboard != nil:
			return copyReply(m.ReplyKeyboard)
		}
	}
	return nil
}

// Violations lists every spec violation so far, each as
// "<method>: <Telegram's description> (<what exactly was wrong>)".
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// TakeViolations returns the violations so far and forgets them, so that a
// test which provokes violations on purpose can check them and still pass.
func (s *Server) TakeViolations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.violations
	s.violations = nil
	return v
}

// Await blocks until cond returns true or ctx ends. cond is evaluated again
// after every change of the server's state (a call answered, an update
// queued, a webhook delivery), never by polling on a timer. cond may call
// the Server's methods.
func (s *Server) Await(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed // taken before cond runs, so no change is missed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AwaitMessage waits for a bot message in the chat that satisfies match
// (nil matches any) and returns the newest such message.
func (s *Server) AwaitMessage(ctx context.Context, chatID int64, match func(Message) bool) (Message, error) {
	var found Message
	err := s.Await(ctx, func() bool {
		msgs := s.Messages(chatID)
		for i := len(msgs) - 1; i >= 0; i-- {
			if match == nil || match(msgs[i]) {
				found = msgs[i]
				return true
			}
		}
		return false
	})
	return found, err
}

// AwaitCalls waits until at least n calls of method were answered
// (successful or not) and returns them all.
func (s *Server) AwaitCalls(ctx context.Context, method string, n int) ([]Call, error) {
	var calls []Call
	err := s.Await(ctx, func() bool {
		calls = s.CallsOf(method)
		return len(calls) >= n
	})
	return calls, err
}
