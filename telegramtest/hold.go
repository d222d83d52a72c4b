package telegramtest

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Hold is a Bot API call held by HoldNth: it is not answered and has no
// effect until Release. A held call whose client goes away (its process
// was killed) never takes effect: it counts as not delivered, as a call
// Telegram never received.
type Hold struct {
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

type holdRule struct {
	method string
	chatID int64
	skip   int // calls to let through first
	hold   *Hold
}

// HoldNth holds the nth call (counting from 1, from now) of method
// addressed to chatID, after the checks a valid call passes.
func (s *Server) HoldNth(method string, chatID int64, n int) *Hold {
	h := &Hold{arrived: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holds = append(s.holds, &holdRule{method: method, chatID: chatID, skip: n - 1, hold: h})
	return h
}

// Wait fails the test unless the held call arrives within d.
func (h *Hold) Wait(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case <-h.arrived:
	case <-time.After(d):
		t.Fatalf("the call to hold did not arrive within %s", d)
	}
}

// Release lets the held call go on. Its client may be gone without the
// server having noticed yet: then the call takes effect.
func (h *Hold) Release() { h.once.Do(func() { close(h.release) }) }

// holdCall blocks a call matched by a HoldNth rule until it is released;
// false means its client went away meanwhile.
func (s *Server) holdCall(ctx context.Context, method string, req *request) (reply, bool) {
	id, has := parseChatID(req)
	s.mu.Lock()
	var h *Hold
	for i, r := range s.holds {
		if r.method != method || !has || r.chatID != id {
			continue
		}
		if r.skip > 0 {
			r.skip--
			continue
		}
		h = r.hold
		s.holds = append(s.holds[:i:i], s.holds[i+1:]...)
		break
	}
	s.mu.Unlock()
	if h == nil {
		return reply{}, true
	}
	close(h.arrived)
	select {
	case <-h.release:
		return reply{}, true
	case <-ctx.Done():
		return reply{status: http.StatusServiceUnavailable, desc: "client went away"}, false
	}
}
