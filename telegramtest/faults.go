package telegramtest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

type fault struct{ code, retryAfter int }

type sendRecord struct {
	at   time.Time
	chat int64
}

// Block makes every call addressed to chatID (by chat_id) answer 403
// "Forbidden: bot was blocked by the user", as after the user blocked the
// bot.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

// ChatNotFound makes every call addressed to chatID (by chat_id) answer 400
// "Bad Request: chat not found", as for a user who deleted their account:
// a failure no retry cures, and not a block.
func (s *Server) ChatNotFound(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notFound[chatID] = true
}

// FailNext makes the next n valid calls of method answer code. A 429 carries
// parameters.retry_after = retryAfter (go-telegram/bot turns it into a
// *bot.TooManyRequestsError). Calls queue behind earlier FailNext calls of
// the same method.
func (s *Server) FailNext(method string, n, code, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext[method] = append(s.failNext[method], fault{code: code, retryAfter: retryAfter})
	}
}

// SetLatency delays every later answer by d; 0 removes the delay. A client
// that gives up meanwhile gets nothing.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Latency is the delay set by SetLatency or WithLatency.
func (s *Server) Latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latency
}

// SetRateLimit changes the limits of WithRateLimit at run time.
func (s *Server) SetRateLimit(globalPerSecond, perChatPerSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.globalRate, s.chatRate = globalPerSecond, perChatPerSecond
}

// faultText is Telegram's description for an injected error code.
func faultText(code, retryAfter int) string {
	switch code {
	case http.StatusTooManyRequests:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	case http.StatusForbidden:
		return "Forbidden: bot was blocked by the user"
	case http.StatusBadRequest:
		return "Bad Request: injected failure"
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusConflict:
		return conflictPoll
	}
	if t := http.StatusText(code); t != "" {
		return t
	}
	return fmt.Sprintf("Error %d", code)
}

// injectedFault applies FailNext, Block and ChatNotFound, in that order.
func (s *Server) injectedFault(method string, req *request) (reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.failNext[method]; len(q) > 0 {
		f := q[0]
		s.failNext[method] = q[1:]
		r := reply{status: f.code, desc: faultText(f.code, f.retryAfter)}
		if f.code == http.StatusTooManyRequests {
			r.retryAfter = f.retryAfter
		}
		return r, true
	}
	if id, has := parseChatID(req); has && s.blocked[id] {
		desc := "Forbidden: bot was blocked by the user"
		if id < 0 {
			desc = "Forbidden: bot was kicked from the group chat"
		}
		return reply{status: http.StatusForbidden, desc: desc}, true
	}
	if id, has := parseChatID(req); has && s.notFound[id] {
		return reply{status: http.StatusBadRequest, desc: "Bad Request: chat not found"}, true
	}
	return reply{}, false
}

// isSendMethod reports whether a call creates messages and therefore counts
// against Telegram's broadcast limits. Chat actions and drafts do not.
func (s *Server) isSendMethod(method string) bool {
	m := s.spec.methods[method]
	if m == nil {
		return false
	}
	if !strings.HasPrefix(method, "send") && !strings.HasPrefix(method, "copy") && !strings.HasPrefix(method, "forward") {
		return false
	}
	return m.returns("Message") || m.returns("Array of Message") || m.returns("MessageId") || m.returns("Array of MessageId")
}

// reserveSend counts a send in its one-second window, or answers 429 when
// a limit is reached. Counting happens before the send is handled, so
// concurrent sends cannot overshoot; a send that then fails is un-counted.
func (s *Server) reserveSend(method string, req *request) (window, chatID int64, reserved bool, r *reply) {
	if !s.isSendMethod(method) {
		return 0, 0, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, has := parseChatID(req)
	if !has {
		chatID = s.channels[strings.TrimSpace(req.params["chat_id"])] // @username; 0 if new
	}
	now := s.now()
	window = now.Unix()
	cw := s.chatWindows[chatID]
	if (s.globalRate > 0 && s.windows[window] >= s.globalRate) || (s.chatRate > 0 && cw[window] >= s.chatRate) {
		return 0, 0, false, &reply{status: http.StatusTooManyRequests, desc: faultText(http.StatusTooManyRequests, 1), retryAfter: 1}
	}
	if cw == nil {
		cw = map[int64]int{}
		s.chatWindows[chatID] = cw
	}
	s.windows[window]++
	cw[window]++
	s.sendLog = append(s.sendLog, sendRecord{at: now, chat: chatID})
	return window, chatID, true, nil
}

func (s *Server) unreserveSend(window, chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.windows[window]--
	s.chatWindows[chatID][window]--
	for i := len(s.sendLog) - 1; i >= 0; i-- {
		if r := s.sendLog[i]; r.chat == chatID && r.at.Unix() == window {
			s.sendLog = append(s.sendLog[:i], s.sendLog[i+1:]...)
			break
		}
	}
}

// SendWindows counts successful message sends (sendMessage, sendPhoto,
// copyMessage, ...; not sendChatAction) per wall-clock second: the key is
// the Unix second. A benchmark asserts its limit with it, e.g. that no value
// exceeds 30.
func (s *Server) SendWindows() map[int64]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return nonZero(s.windows)
}

// ChatSendWindows is SendWindows for one chat.
func (s *Server) ChatSendWindows(chatID int64) map[int64]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return nonZero(s.chatWindows[chatID])
}

// MaxSendsIn is the largest number of successful sends within any sliding
// interval of length window (to chatID, or to all chats if chatID is 0).
// Unlike SendWindows it also catches bursts that straddle a second boundary.
func (s *Server) MaxSendsIn(window time.Duration, chatID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var times []time.Time
	for _, r := range s.sendLog {
		if chatID == 0 || r.chat == chatID {
			times = append(times, r.at)
		}
	}
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

func nonZero(m map[int64]int) map[int64]int {
	out := map[int64]int{}
	for k, v := range m {
		if v > 0 {
			out[k] = v
		}
	}
	return out
}
