package telegramtest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// SecretHeader is the header carrying setWebhook's secret_token.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Delivery is one attempt to POST an update to the webhook.
type Delivery struct {
	UpdateID int64
	// Attempt counts the pusher's tries of this update from 1; it is 0 for
	// PushUpdate.
	Attempt int
	Status  int   // HTTP status; 0 when the request failed
	Err     error // network error, if any
	At      time.Time
}

// OK reports whether the webhook accepted the update (2xx).
func (d Delivery) OK() bool { return d.Err == nil && d.Status >= 200 && d.Status < 300 }

type webhookSession struct {
	url, secret string
	cancel      context.CancelFunc
	done        chan struct{}
}

type webhookInfo struct {
	maxConnections   int
	lastErrorDate    int64
	lastErrorMessage string
}

func (s *Server) handleSetWebhook(req *request) reply {
	u := req.params["url"]
	drop := req.params["drop_pending_updates"] == "true"
	if u == "" {
		return s.handleDeleteWebhook(req)
	}
	// Telegram insists on HTTPS; the fake accepts http so that tests can use
	// a plain httptest server.
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
		return badRequest("bad webhook: Failed to resolve host: Name or service not known")
	}
	maxConn, _ := strconv.Atoi(req.params["max_connections"])
	s.configureWebhook(u, req.params["secret_token"], drop, req, maxConn)
	return reply{status: http.StatusOK, result: true, desc: "Webhook was set"}
}

func (s *Server) handleDeleteWebhook(req *request) reply {
	s.mu.Lock()
	was := s.hookURL != ""
	s.mu.Unlock()
	s.configureWebhook("", "", req.params["drop_pending_updates"] == "true", nil, 0)
	if !was {
		return reply{status: http.StatusOK, result: true, desc: "Webhook is already deleted"}
	}
	return reply{status: http.StatusOK, result: true, desc: "Webhook was deleted"}
}

func (s *Server) handleWebhookInfo() reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{"url": s.hookURL, "has_custom_certificate": false, "pending_update_count": len(s.pending)}
	if s.hookURL != "" {
		info["ip_address"] = "127.0.0.1"
		info["max_connections"] = cmp.Or(s.hookInfo.maxConnections, 40)
		if s.allowed != nil {
			info["allowed_updates"] = s.allowed
		}
	}
	if s.hookInfo.lastErrorDate != 0 {
		info["last_error_date"] = s.hookInfo.lastErrorDate
		info["last_error_message"] = s.hookInfo.lastErrorMessage
	}
	return ok(info)
}

// SetWebhook sets the webhook directly (not recorded as a call), for tests
// whose bot does not call setWebhook itself. Queued updates are pushed.
func (s *Server) SetWebhook(url, secretToken string) {
	s.configureWebhook(url, secretToken, false, nil, 0)
}

// DeleteWebhook removes the webhook directly; pushing stops.
func (s *Server) DeleteWebhook(dropPendingUpdates bool) {
	s.configureWebhook("", "", dropPendingUpdates, nil, 0)
}

// WebhookURL is the current webhook URL, "" when none is set.
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hookURL
}

// configureWebhook replaces the webhook session. The old pusher is stopped
// completely before a new one starts, so updates stay strictly ordered.
func (s *Server) configureWebhook(u, secret string, drop bool, req *request, maxConn int) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.mu.Lock()
	old := s.hook
	s.hook = nil
	s.hookURL, s.hookSecret = u, secret
	if req != nil {
		s.setAllowedLocked(req)
	}
	if drop {
		s.pending = nil
	}
	if u == "" {
		s.hookInfo = webhookInfo{}
	} else {
		s.hookInfo.maxConnections = maxConn
	}
	s.notifyLocked() // a long poll in progress ends with 409
	s.mu.Unlock()
	if old != nil {
		old.cancel()
		<-old.done
	}
	if u == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	ctx, cancel := context.WithCancel(s.baseCtx)
	sess := &webhookSession{url: u, secret: secret, cancel: cancel, done: make(chan struct{})}
	s.hook = sess
	s.bg.Add(1)
	go s.pushLoop(ctx, sess)
}

// stopWebhook ends the pusher but keeps the webhook set (for Close).
func (s *Server) stopWebhook() {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.mu.Lock()
	old := s.hook
	s.hook = nil
	s.mu.Unlock()
	if old != nil {
		old.cancel()
		<-old.done
	}
}

// pushLoop delivers pending updates one at a time in update_id order, and
// retries a failed one after the backoff until it succeeds or runs out of
// attempts, like Telegram.
func (s *Server) pushLoop(ctx context.Context, sess *webhookSession) {
	defer s.bg.Done()
	defer close(sess.done)
	attempts := map[int64]int{}
	for {
		e := s.nextPush(ctx)
		if e == nil {
			return
		}
		attempts[e.id]++
		n := attempts[e.id]
		status, err := s.post(ctx, sess.url, sess.secret, e.raw)
		if ctx.Err() != nil {
			return // stopped mid-request: not a delivery attempt
		}
		success := err == nil && status >= 200 && status < 300
		s.mu.Lock()
		s.deliveries = append(s.deliveries, Delivery{UpdateID: e.id, Attempt: n, Status: status, Err: err, At: time.Now()})
		if success || n >= s.cfg.webhookAttempts {
			s.pending = slices.DeleteFunc(s.pending, func(p *updateEntry) bool { return p.id == e.id })
			delete(attempts, e.id)
		}
		if !success {
			s.hookInfo.lastErrorDate = s.now().Unix()
			if err != nil {
				s.hookInfo.lastErrorMessage = "Connection refused"
			} else {
				s.hookInfo.lastErrorMessage = fmt.Sprintf("Wrong response from the webhook: %d %s", status, http.StatusText(status))
			}
		}
		s.notifyLocked()
		s.mu.Unlock()
		if !success && s.cfg.webhookBackoff > 0 {
			t := time.NewTimer(s.cfg.webhookBackoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
	}
}

// nextPush waits for the first pending update.
func (s *Server) nextPush(ctx context.Context) *updateEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if len(s.pending) > 0 {
			e := s.pending[0]
			e.redelivered = false
			return e
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
			s.mu.Lock()
		case <-ctx.Done():
			s.mu.Lock()
			return nil
		}
	}
}

func (s *Server) post(ctx context.Context, u, secret string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	// Drain so the connection is reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// PushUpdate POSTs a stored update (pending or not) to the current webhook
// once, synchronously, with the secret header, and records the Delivery. It
// does not touch the queue, so tests can deliver one update many times, also
// concurrently.
func (s *Server) PushUpdate(ctx context.Context, updateID int64) (status int, err error) {
	s.mu.Lock()
	u, secret := s.hookURL, s.hookSecret
	e := s.updates[updateID]
	s.mu.Unlock()
	if u == "" {
		return 0, errNoWebhook
	}
	if e == nil {
		return 0, fmt.Errorf("%w: %d", errNoUpdate, updateID)
	}
	status, err = s.post(ctx, u, secret, e.raw)
	s.mu.Lock()
	s.deliveries = append(s.deliveries, Delivery{UpdateID: updateID, Status: status, Err: err, At: time.Now()})
	s.notifyLocked()
	s.mu.Unlock()
	return status, err
}

// Deliveries lists every webhook delivery attempt in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}
