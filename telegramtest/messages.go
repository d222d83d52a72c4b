package telegramtest

import (
	"encoding/json"
	"strconv"
	"time"
)

// Message is the current state of one message in a chat: an edit replaces
// its text, caption or keyboard, a deletion removes it.
type Message struct {
	ID      int
	ChatID  int64
	FromBot bool // false for messages the test sent as a user
	Date    time.Time
	// Kind is "text", "document", "photo", "contact", or the media or
	// content kind of other sends ("video", "location", ...).
	Kind      string
	Text      string // as sent, markup included (parse_mode is kept apart)
	Caption   string
	ParseMode string
	// InlineKeyboard is the inline keyboard attached to the message.
	InlineKeyboard [][]Button
	// ReplyKeyboard, RemoveKeyboard and ForceReply record the reply_markup
	// the message was sent with; they change the user's keyboard, not the
	// message.
	ReplyKeyboard    [][]KeyboardButton
	RemoveKeyboard   bool
	ForceReply       bool
	Document         *File
	Photo            *File
	Attachment       *File // any other media (video, audio, voice, sticker ...)
	ReplyToMessageID int
	Edited           bool
}

// HasButton reports whether the inline keyboard has a button with this
// callback_data.
func (m Message) HasButton(data string) bool {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

// Buttons lists the inline keyboard's button texts row by row, handy in
// assertions and failure messages.
func (m Message) Buttons() [][]string {
	var out [][]string
	for _, row := range m.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, b.Text)
		}
		out = append(out, r)
	}
	return out
}

type storedMsg struct {
	Message
	from      map[string]any
	entities  json.RawMessage // entities or caption_entities, canonical
	markupRaw json.RawMessage // inline keyboard markup, canonical
	extra     map[string]any  // content fields: document, photo, contact ...
	date      int64
	editDate  int64
}

// public returns a copy that shares nothing mutable with the server.
func (m *storedMsg) public() Message {
	out := m.Message
	out.InlineKeyboard = copyInline(m.InlineKeyboard)
	out.ReplyKeyboard = copyReply(m.ReplyKeyboard)
	return out
}

func (m *storedMsg) applyMarkup(mk markup) {
	m.InlineKeyboard, m.markupRaw = mk.inline, mk.inlineRaw
	m.ReplyKeyboard, m.RemoveKeyboard, m.ForceReply = mk.reply, mk.remove, mk.force
}

type chatState struct {
	lastMsgID int
	msgs      []*storedMsg // in message_id order, both directions
}

func (c *chatState) find(id int) (int, *storedMsg) {
	for i, m := range c.msgs {
		if m.ID == id {
			return i, m
		}
	}
	return -1, nil
}

func (s *Server) chatLocked(id int64) *chatState {
	c := s.chats[id]
	if c == nil {
		c = &chatState{}
		s.chats[id] = c
	}
	return c
}

// addMessageLocked gives m the chat's next message_id. Both sides of a
// private chat share one sequence, as on Telegram.
func (s *Server) addMessageLocked(chatID int64, m *storedMsg) {
	c := s.chatLocked(chatID)
	c.lastMsgID++
	m.ID, m.ChatID = c.lastMsgID, chatID
	now := s.now()
	m.Date, m.date = now, now.Unix()
	c.msgs = append(c.msgs, m)
}

func (s *Server) findMessageLocked(chatID int64, id int) *storedMsg {
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	_, m := c.find(id)
	return m
}

// wireLocked renders a message as the Bot API's Message object.
func (s *Server) wireLocked(m *storedMsg) map[string]any {
	w := map[string]any{
		"message_id": m.ID,
		"from":       m.from,
		"chat":       s.chatWireLocked(m.ChatID),
		"date":       m.date,
	}
	if m.editDate != 0 {
		w["edit_date"] = m.editDate
	}
	if m.Text != "" {
		w["text"] = m.Text
		if m.entities != nil {
			w["entities"] = m.entities
		}
	}
	if m.Caption != "" {
		w["caption"] = m.Caption
		if m.entities != nil {
			w["caption_entities"] = m.entities
		}
	}
	if m.markupRaw != nil {
		w["reply_markup"] = m.markupRaw
	}
	if m.ReplyToMessageID != 0 {
		if r := s.findMessageLocked(m.ChatID, m.ReplyToMessageID); r != nil {
			inner := *r
			inner.ReplyToMessageID = 0 // Telegram does not nest replies further
			w["reply_to_message"] = s.wireLocked(&inner)
		}
	}
	for k, v := range m.extra {
		w[k] = v
	}
	return w
}

// replyTarget checks reply_parameters like the real server: replying to a
// message that does not exist fails unless allow_sending_without_reply.
func (s *Server) replyTargetLocked(req *request, chatID int64) (int, *reply) {
	if !req.has("reply_parameters") {
		return 0, nil
	}
	var rp struct {
		MessageID                int  `json:"message_id"`
		ChatID                   any  `json:"chat_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	_ = json.Unmarshal([]byte(req.params["reply_parameters"]), &rp)
	if rp.MessageID == 0 {
		r := badRequest("message to be replied not found")
		r.violation = "reply_parameters.message_id is required"
		return 0, &r
	}
	if rp.ChatID == nil && s.findMessageLocked(chatID, rp.MessageID) == nil {
		if rp.AllowSendingWithoutReply {
			return 0, nil
		}
		r := badRequest("message to be replied not found")
		return 0, &r
	}
	return rp.MessageID, nil
}

// newOutgoingLocked builds a bot message from the common send parameters.
func (s *Server) newOutgoingLocked(req *request, chatID int64, kind string) (*storedMsg, *reply) {
	m := &storedMsg{
		Message: Message{FromBot: true, Kind: kind, ParseMode: req.params["parse_mode"]},
		from:    s.botUserJSON(false),
		extra:   map[string]any{},
	}
	m.applyMarkup(parseMarkup(req.params["reply_markup"]))
	if kind == "text" {
		m.Text = req.params["text"]
		if req.has("entities") {
			m.entities = canonicalJSON(req.params["entities"])
		}
	} else {
		m.Caption = req.params["caption"]
		if req.has("caption_entities") {
			m.entities = canonicalJSON(req.params["caption_entities"])
		}
	}
	replyTo, r := s.replyTargetLocked(req, chatID)
	if r != nil {
		return nil, r
	}
	m.ReplyToMessageID = replyTo
	return m, nil
}

func (s *Server) sendMessage(req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, r := s.chatParamLocked(req, "chat_id")
	if r != nil {
		return *r
	}
	m, r := s.newOutgoingLocked(req, chatID, "text")
	if r != nil {
		return *r
	}
	s.addMessageLocked(chatID, m)
	return ok(s.wireLocked(m))
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// editMessage handles editMessageText, editMessageCaption and
// editMessageReplyMarkup. Like Telegram, an edit without reply_markup
// removes the inline keyboard.
func (s *Server) editMessage(method string, req *request) reply {
	if req.has("inline_message_id") {
		return ok(true) // inline messages are not tracked
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !req.has("chat_id") {
		r := badRequest("chat_id is empty")
		r.violation = r.desc + " (chat_id and message_id are required without inline_message_id)"
		return r
	}
	chatID, r := s.chatParamLocked(req, "chat_id")
	if r != nil {
		return *r
	}
	if !req.has("message_id") {
		r := badRequest("message identifier is not specified")
		r.violation = r.desc + " (message_id is required without inline_message_id)"
		return r
	}
	id, _ := strconv.Atoi(req.params["message_id"])
	m := s.findMessageLocked(chatID, id)
	if m == nil {
		return badRequest("message to edit not found")
	}
	if !m.FromBot {
		return badRequest("message can't be edited")
	}
	mk := parseMarkup(req.params["reply_markup"])
	sameMarkup := jsonEqual(m.markupRaw, mk.inlineRaw)
	switch method {
	case "editMessageText":
		if m.Kind != "text" {
			return badRequest("there is no text in the message to edit")
		}
		text, mode := req.params["text"], req.params["parse_mode"]
		var ents json.RawMessage
		if req.has("entities") {
			ents = canonicalJSON(req.params["entities"])
		}
		if text == m.Text && mode == m.ParseMode && jsonEqual(ents, m.entities) && sameMarkup {
			return badRequest(notModified)
		}
		m.Text, m.ParseMode, m.entities = text, mode, ents
	case "editMessageCaption":
		if m.Kind == "text" {
			return badRequest("there is no caption in the message to edit")
		}
		caption, mode := req.params["caption"], req.params["parse_mode"]
		var ents json.RawMessage
		if req.has("caption_entities") {
			ents = canonicalJSON(req.params["caption_entities"])
		}
		if caption == m.Caption && mode == m.ParseMode && jsonEqual(ents, m.entities) && sameMarkup {
			return badRequest(notModified)
		}
		m.Caption, m.ParseMode, m.entities = caption, mode, ents
	case "editMessageReplyMarkup":
		if sameMarkup {
			return badRequest(notModified)
		}
	}
	m.InlineKeyboard, m.markupRaw = mk.inline, mk.inlineRaw
	m.Edited, m.editDate = true, s.now().Unix()
	return ok(s.wireLocked(m))
}

func (s *Server) deleteMessage(req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, r := s.chatParamLocked(req, "chat_id")
	if r != nil {
		return *r
	}
	id, _ := strconv.Atoi(req.params["message_id"])
	c := s.chats[chatID]
	if c == nil {
		return badRequest("message to delete not found")
	}
	i, m := c.find(id)
	if m == nil {
		return badRequest("message to delete not found")
	}
	c.msgs = append(c.msgs[:i:i], c.msgs[i+1:]...)
	return ok(true)
}

// deleteMessages skips messages it cannot find, as documented.
func (s *Server) deleteMessages(req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, r := s.chatParamLocked(req, "chat_id")
	if r != nil {
		return *r
	}
	var ids []int
	if err := json.Unmarshal([]byte(req.params["message_ids"]), &ids); err != nil || len(ids) == 0 || len(ids) > 100 {
		r := badRequest("message_ids must be 1-100 message identifiers")
		r.violation = r.desc
		return r
	}
	if c := s.chats[chatID]; c != nil {
		for _, id := range ids {
			if i, m := c.find(id); m != nil {
				c.msgs = append(c.msgs[:i:i], c.msgs[i+1:]...)
			}
		}
	}
	return ok(true)
}

// HasButtonText reports whether the message shows an inline button labelled text.
func (m Message) HasButtonText(text string) bool {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == text {
				return true
			}
		}
	}
	return false
}
