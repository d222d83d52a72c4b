package telegramtest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// User is a phone user the test plays. In a private chat the chat id is the
// user id.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

func userJSON(u User) map[string]any {
	w := map[string]any{"id": u.ID, "is_bot": false, "first_name": firstName(u, u.ID)}
	if u.LastName != "" {
		w["last_name"] = u.LastName
	}
	if u.Username != "" {
		w["username"] = u.Username
	}
	if u.LanguageCode != "" {
		w["language_code"] = u.LanguageCode
	}
	return w
}

type updateEntry struct {
	id   int64
	kind string // the update's one field besides update_id
	raw  json.RawMessage
	// redelivered marks an update put back by Redeliver: it survives one
	// offset confirmation, as if Telegram had lost the confirmation.
	redelivered bool
}

// AddUser makes a user known (names in chat objects) without sending
// anything. Sending as a user does this too.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// validUser rejects users that cannot exist, which would otherwise create a
// chat with id 0.
func (s *Server) validUser(u User) bool {
	if u.ID <= 0 {
		s.reportf("user id must be positive, got %d", u.ID)
		return false
	}
	return true
}

// userMessageLocked stores a message from u in u's private chat and queues
// it as a "message" update.
func (s *Server) userMessageLocked(u User, fill func(*storedMsg)) int64 {
	s.users[u.ID] = u
	m := &storedMsg{Message: Message{Kind: "text"}, from: userJSON(u), extra: map[string]any{}}
	fill(m)
	s.addMessageLocked(u.ID, m)
	return s.enqueueLocked("message", map[string]any{"message": s.wireLocked(m)})
}

// SendText sends text from u to the bot and returns the update_id. A text
// starting with '/' gets a bot_command entity, as Telegram adds one.
func (s *Server) SendText(u User, text string) int64 {
	if !s.validUser(u) {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(u, func(m *storedMsg) {
		m.Text = text
		if strings.HasPrefix(text, "/") {
			cmd, _, _ := strings.Cut(text, " ")
			cmd, _, _ = strings.Cut(cmd, "\n")
			ent := []map[string]any{{"type": "bot_command", "offset": 0, "length": len(utf16.Encode([]rune(cmd)))}}
			raw, _ := json.Marshal(ent)
			m.entities = raw
		}
	})
}

// SendContact shares a contact from u. contactUserID is the contact's
// Telegram user id (u.ID when u shares their own number through a
// request_contact button); 0 leaves user_id out, as for a typed-in contact.
func (s *Server) SendContact(u User, phone string, contactUserID int64) int64 {
	if !s.validUser(u) {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(u, func(m *storedMsg) {
		c := map[string]any{"phone_number": phone, "first_name": firstName(u, u.ID)}
		if u.LastName != "" {
			c["last_name"] = u.LastName
		}
		if contactUserID != 0 {
			c["user_id"] = contactUserID
		}
		m.Kind = "contact"
		m.extra["contact"] = c
	})
}

// SendDocument sends a file from u, stored so that getFile and the download
// URL serve it.
func (s *Server) SendDocument(u User, name string, data []byte, caption string) int64 {
	if !s.validUser(u) {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(u, func(m *storedMsg) {
		m.Caption = caption
		s.attachFileLocked(m, "document", s.storeFileLocked("document", File{Name: name, Data: data}))
	})
}

// TapButton presses the inline button with callback_data data under the
// bot's message messageID in u's chat and returns the update_id. A phone
// user can only tap what is shown: if that message has no such button the
// test fails (or, without a test, a violation is recorded) and 0 is
// returned.
func (s *Server) TapButton(u User, messageID int, data string) int64 {
	id, err := s.TryTapButton(u, messageID, data)
	if err != nil {
		s.reportf("%v", err)
	}
	return id
}

// TryTapButton is TapButton returning the error instead of reporting it.
func (s *Server) TryTapButton(u User, messageID int, data string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findMessageLocked(u.ID, messageID)
	if m == nil || !m.FromBot {
		return 0, fmt.Errorf("TapButton: no bot message %d in chat %d", messageID, u.ID)
	}
	if !m.HasButton(data) {
		return 0, fmt.Errorf("TapButton: message %d in chat %d has no inline button with callback_data %q (keyboard: %+v)",
			messageID, u.ID, data, m.InlineKeyboard)
	}
	s.users[u.ID] = u
	// Query ids are decimal int64s on Telegram; derived from the update id
	// they are unique without a generator.
	qid := strconv.FormatInt(4_000_000_000_000_000_000+s.nextUpd, 10)
	id := s.enqueueLocked("callback_query", map[string]any{"callback_query": map[string]any{
		"id":            qid,
		"from":          userJSON(u),
		"message":       s.wireLocked(m),
		"chat_instance": strconv.FormatInt(-7_000_000_000_000_000_000+u.ID, 10),
		"data":          data,
	}})
	s.callbacks[qid] = &callbackState{updateID: id}
	return id, nil
}

// SendUpdate queues any update: a models.Update (preferably a pointer), a
// map, or JSON text ([]byte, json.RawMessage, string). Its update_id is
// replaced by the next one, which is returned. The update does not change
// the stored chats. Like every update, it is not delivered if its kind is
// not in the bot's allowed_updates (by default chat_member,
// message_reaction and message_reaction_count are left out). On a malformed update the test fails (or a violation is
// recorded) and 0 is returned.
func (s *Server) SendUpdate(raw any) int64 {
	id, err := s.TrySendUpdate(raw)
	if err != nil {
		s.reportf("%v", err)
	}
	return id
}

// TrySendUpdate is SendUpdate returning the error instead of reporting it.
func (s *Server) TrySendUpdate(raw any) (int64, error) {
	var data []byte
	switch v := raw.(type) {
	case []byte:
		data = v
	case json.RawMessage:
		data = v
	case string:
		data = []byte(v)
	default:
		var err error
		if data, err = json.Marshal(raw); err != nil {
			return 0, fmt.Errorf("SendUpdate: %w", err)
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return 0, fmt.Errorf("SendUpdate: not a JSON object: %w", err)
	}
	delete(obj, "update_id")
	if len(obj) != 1 {
		return 0, fmt.Errorf("SendUpdate: an update has exactly one field besides update_id, got %d", len(obj))
	}
	var kind string
	for k := range obj {
		kind = k
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.enqueueLocked(kind, map[string]any{kind: obj[kind]})
	if kind == "callback_query" {
		var cq struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(obj[kind], &cq) == nil && cq.ID != "" {
			s.callbacks[cq.ID] = &callbackState{updateID: id}
		}
	}
	return id, nil
}

func (s *Server) enqueueLocked(kind string, body map[string]any) int64 {
	id := s.nextUpd
	s.nextUpd++
	body["update_id"] = id
	raw, err := json.Marshal(body)
	if err != nil {
		panic("telegramtest: marshal update: " + err.Error()) // only our own maps get here
	}
	e := &updateEntry{id: id, kind: kind, raw: raw}
	s.updates[id] = e
	// allowed_updates applies to updates created after it was set, as
	// documented; Telegram does not keep what the bot did not ask for.
	if s.allowedLocked(kind) {
		s.pending = append(s.pending, e)
	}
	s.notifyLocked()
	return id
}

// Update returns the JSON of an update ever queued, confirmed or not.
func (s *Server) Update(updateID int64) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.updates[updateID]
	if e == nil {
		return nil, false
	}
	return slices.Clone(e.raw), true
}

// PendingUpdates is the number of updates not yet confirmed by getUpdates
// offsets or delivered to the webhook.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Redeliver queues an update again, as Telegram does when it did not get a
// confirmation: a webhook receives it again, and the next getUpdates returns
// it even though its id is below the offset (once).
func (s *Server) Redeliver(updateID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.updates[updateID]
	if e == nil {
		return fmt.Errorf("telegramtest: no update %d", updateID)
	}
	e.redelivered = true
	i, found := slices.BinarySearchFunc(s.pending, updateID, func(p *updateEntry, id int64) int { return cmp.Compare(p.id, id) })
	if !found {
		s.pending = slices.Insert(s.pending, i, e)
	}
	s.notifyLocked()
	return nil
}

// defaultExcluded are the kinds Telegram does not send unless asked for.
var defaultExcluded = map[string]bool{"chat_member": true, "message_reaction": true, "message_reaction_count": true}

func (s *Server) allowedLocked(kind string) bool {
	if s.allowed == nil {
		return !defaultExcluded[kind]
	}
	return slices.Contains(s.allowed, kind)
}

// setAllowedLocked applies an allowed_updates parameter to updates created
// from now on; an empty list restores the default, and an absent one keeps
// the previous setting.
func (s *Server) setAllowedLocked(req *request) {
	if !req.has("allowed_updates") {
		return
	}
	var list []string
	_ = json.Unmarshal([]byte(req.params["allowed_updates"]), &list)
	if len(list) == 0 {
		s.allowed = nil
	} else {
		s.allowed = list
	}
}

// confirmLocked applies getUpdates' offset: updates below a positive offset
// are confirmed and forgotten; a negative offset keeps only the last -offset.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		kept := make([]*updateEntry, 0, len(s.pending))
		for _, e := range s.pending {
			if e.id >= offset || e.redelivered {
				kept = append(kept, e)
			}
		}
		s.pending = kept
	case offset < 0:
		if n := int(-offset); len(s.pending) > n {
			s.pending = slices.Clone(s.pending[len(s.pending)-n:])
		}
	}
}

// collectLocked returns up to limit pending updates without confirming
// them.
func (s *Server) collectLocked(limit int) []json.RawMessage {
	out := []json.RawMessage{}
	for _, e := range s.pending[:min(limit, len(s.pending))] {
		out = append(out, e.raw)
		e.redelivered = false
	}
	return out
}

const (
	conflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictPoll    = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

// getUpdates long-polls: it answers as soon as there is an update, when the
// timeout passes, or when the client goes away. A newer getUpdates ends an
// older one with 409, as Telegram does when two bot instances poll.
func (s *Server) getUpdates(ctx context.Context, req *request) reply {
	offset, _ := strconv.ParseInt(req.params["offset"], 10, 64)
	limit, _ := strconv.Atoi(req.params["limit"])
	if limit < 1 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(req.params["timeout"])
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hookURL != "" {
		return reply{status: 409, desc: conflictWebhook}
	}
	s.setAllowedLocked(req)
	s.pollGen++
	gen := s.pollGen
	s.notifyLocked() // wakes an older poll so that it ends with 409
	s.confirmLocked(offset)
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		expired = t.C
	}
	for {
		batch := s.collectLocked(limit)
		if len(batch) > 0 || expired == nil || s.closed {
			return ok(batch)
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-expired:
			expired = nil // collect once more, then answer
		case <-ctx.Done():
			s.mu.Lock()
			return reply{status: 499, desc: "client went away"}
		}
		s.mu.Lock()
		if s.pollGen != gen {
			return reply{status: 409, desc: conflictPoll}
		}
		if s.hookURL != "" {
			return reply{status: 409, desc: conflictWebhook}
		}
	}
}

var errNoUpdate = errors.New("telegramtest: no such update")
