package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// reply is a handler's answer before it is written.
type reply struct {
	status     int
	result     any
	desc       string
	retryAfter int
	violation  string // non-empty: also record as a spec violation
}

func ok(result any) reply { return reply{status: http.StatusOK, result: result} }

func badRequest(format string, args ...any) reply {
	return reply{status: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

// ServeHTTP answers Bot API requests (/bot<token>/<method>) and file
// downloads (/file/bot<token>/<path>). The Server serves itself on URL();
// ServeHTTP also lets it be mounted elsewhere, e.g. in a playground.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/file/bot") {
		s.serveFile(w, r)
		return
	}
	rest, found := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, hasMethod := strings.Cut(rest, "/")
	if !found || !hasMethod {
		writeReply(w, reply{status: http.StatusNotFound, desc: "Not Found"})
		return
	}
	s.mu.Lock()
	s.inflight++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight--
		s.notifyLocked()
		s.mu.Unlock()
	}()
	call := Call{Method: method, At: time.Now()}
	call.ContentType, _, _ = mime.ParseMediaType(r.Header.Get("Content-Type")) // "" without a body
	req, perr := parseRequest(w, r)
	if errors.Is(perr, errClientGone) {
		return
	}
	call.Params, call.Files = req.params, req.files
	rep := s.handle(r.Context(), token, method, req, perr)

	var result json.RawMessage
	if rep.status == http.StatusOK {
		var err error
		if result, err = json.Marshal(rep.result); err != nil {
			rep = reply{status: http.StatusInternalServerError, desc: "Internal Server Error: " + err.Error()}
		}
	}
	call.Status, call.Description, call.Result = rep.status, rep.desc, result
	call.Duration = time.Since(call.At)
	// Record before answering: once the client has its answer, a test
	// inspecting Calls or Messages must already see this call.
	s.mu.Lock()
	if rep.violation != "" {
		s.violations = append(s.violations, method+": "+rep.violation)
	}
	s.calls = append(s.calls, call)
	s.notifyLocked()
	s.mu.Unlock()
	if s.cfg.onCall != nil {
		s.cfg.onCall(call)
	}
	writeReply(w, rep)
}

// handle runs the checks in the order the real server effectively applies
// them (authorisation, method, parameters) and then the injected faults.
func (s *Server) handle(ctx context.Context, token, method string, req *request, perr error) reply {
	if token != s.cfg.token {
		return reply{status: http.StatusUnauthorized, desc: "Unauthorized"}
	}
	if perr != nil {
		r := badRequest("can't parse request: %v", perr)
		r.violation = r.desc
		return r
	}
	m := s.spec.methods[method]
	if m == nil {
		return reply{status: http.StatusNotFound, desc: "Not Found",
			violation: fmt.Sprintf("Not Found: no method %q in %s (names are matched exactly)", method, s.spec.version)}
	}
	if d := s.Latency(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return reply{status: http.StatusServiceUnavailable, desc: "client went away"}
		}
	}
	if probs := s.spec.check(m, req); len(probs) > 0 {
		s.mu.Lock()
		for _, p := range probs {
			s.violations = append(s.violations, method+": "+p.String())
		}
		s.mu.Unlock()
		return reply{status: http.StatusBadRequest, desc: probs[0].desc}
	}
	if r, ok := s.holdCall(ctx, method, req); !ok {
		return r
	}
	if r, hit := s.injectedFault(method, req); hit {
		return r
	}
	window, chatID, reserved, r := s.reserveSend(method, req)
	if r != nil {
		return *r
	}
	rep := s.dispatch(ctx, m, req)
	if reserved && rep.status != http.StatusOK {
		s.unreserveSend(window, chatID)
	}
	return rep
}

func (s *Server) dispatch(ctx context.Context, m *specMethod, req *request) reply {
	switch m.Name {
	case "getMe":
		return ok(s.botUserJSON(true))
	case "getUpdates":
		return s.getUpdates(ctx, req)
	case "setWebhook":
		return s.handleSetWebhook(req)
	case "deleteWebhook":
		return s.handleDeleteWebhook(req)
	case "getWebhookInfo":
		return s.handleWebhookInfo()
	case "sendMessage":
		return s.sendMessage(req)
	case "sendMediaGroup":
		return s.sendMediaGroup(req)
	case "editMessageText", "editMessageCaption", "editMessageReplyMarkup":
		return s.editMessage(m.Name, req)
	case "deleteMessage":
		return s.deleteMessage(req)
	case "deleteMessages":
		return s.deleteMessages(req)
	case "answerCallbackQuery":
		return s.answerCallbackQuery(req)
	case "setMyCommands", "deleteMyCommands", "getMyCommands":
		return s.myCommands(m.Name, req)
	case "setChatMenuButton", "getChatMenuButton":
		return s.chatMenuButton(m.Name, req)
	case "getFile":
		return s.getFile(req)
	case "copyMessage", "forwardMessage":
		return s.copyMessage(m.Name, req)
	case "getChat":
		return s.getChat(req)
	case "getChatMember":
		return s.getChatMember(req)
	}
	if strings.HasPrefix(m.Name, "send") && m.returns("Message") {
		return s.sendGeneric(m, req)
	}
	return s.genericResult(m, req)
}

// writeReply writes Telegram's envelope; the HTTP status equals error_code
// as on the real server.
func writeReply(w http.ResponseWriter, r reply) {
	body := map[string]any{"ok": r.status == http.StatusOK}
	if r.status == http.StatusOK {
		body["result"] = r.result
		if r.desc != "" {
			body["description"] = r.desc
		}
	} else {
		body["error_code"] = r.status
		body["description"] = r.desc
		if r.retryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": r.retryAfter}
		}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		raw = []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
		r.status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	_, _ = w.Write(raw)
}
