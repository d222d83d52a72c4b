package telegramtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// New starts a Server for a test or benchmark. At cleanup it closes the
// server and fails t once per Bot API violation not taken with
// TakeViolations; TapButton and SendUpdate misuse fails t at once. It stops
// the test if the server cannot start (spec not found).
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatalf("telegramtest: %v", err)
	}
	s.mu.Lock()
	s.reporter = t
	s.mu.Unlock()
	t.Cleanup(func() {
		s.Close()
		for _, v := range s.TakeViolations() {
			t.Errorf("telegramtest: Bot API violation: %s", v)
		}
	})
	return s
}

func (s *Server) waitContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.cfg.waitTimeout)
}

// WaitMessage waits until the bot has a message in the chat that satisfies
// match (nil matches any) and returns the newest one; after the wait timeout
// (WithWaitTimeout, default 5s) it fails the test, listing the chat.
func (s *Server) WaitMessage(t testing.TB, chatID int64, match func(Message) bool) Message {
	t.Helper()
	ctx, cancel := s.waitContext()
	defer cancel()
	m, err := s.AwaitMessage(ctx, chatID, match)
	if err != nil {
		t.Fatalf("telegramtest: no matching bot message in chat %d after %v; messages:\n%s",
			chatID, s.cfg.waitTimeout, describeMessages(s.Messages(chatID)))
	}
	return m
}

// WaitText waits for a bot message in the chat whose text or caption
// contains substr.
func (s *Server) WaitText(t testing.TB, chatID int64, substr string) Message {
	t.Helper()
	return s.WaitMessage(t, chatID, func(m Message) bool {
		return strings.Contains(m.Text, substr) || strings.Contains(m.Caption, substr)
	})
}

// WaitCalls waits until at least n calls of method were answered (failed
// ones included) and returns them; after the wait timeout it fails the test.
func (s *Server) WaitCalls(t testing.TB, method string, n int) []Call {
	t.Helper()
	ctx, cancel := s.waitContext()
	defer cancel()
	calls, err := s.AwaitCalls(ctx, method, n)
	if err != nil {
		t.Fatalf("telegramtest: %d of %d %s calls after %v; calls so far: %s",
			len(calls), n, method, s.cfg.waitTimeout, describeCalls(s.Calls()))
	}
	return calls
}

// WaitUntil waits until cond is true, re-checking it on every state change;
// after the wait timeout it fails the test with what.
func (s *Server) WaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := s.waitContext()
	defer cancel()
	if err := s.Await(ctx, cond); err != nil {
		t.Fatalf("telegramtest: timed out after %v waiting for %s", s.cfg.waitTimeout, what)
	}
}

// WaitIdle waits until every queued update has been confirmed by the bot
// (getUpdates offset) or accepted by its webhook.
func (s *Server) WaitIdle(t testing.TB) {
	t.Helper()
	s.WaitUntil(t, "all updates to be consumed", func() bool { return s.PendingUpdates() == 0 })
}

func describeMessages(msgs []Message) string {
	if len(msgs) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "  #%d %s %q", m.ID, m.Kind, m.Text+m.Caption)
		if m.InlineKeyboard != nil {
			fmt.Fprintf(&b, " buttons=%v", m.Buttons())
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func describeCalls(calls []Call) string {
	counts := map[string]int{}
	var order []string
	for _, c := range calls {
		if counts[c.Method] == 0 {
			order = append(order, c.Method)
		}
		counts[c.Method]++
	}
	var parts []string
	for _, m := range order {
		parts = append(parts, fmt.Sprintf("%s×%d", m, counts[m]))
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}
