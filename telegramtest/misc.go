package telegramtest

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// CallbackAnswer is what the bot answered to a callback query.
type CallbackAnswer struct {
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
}

type callbackState struct {
	updateID int64
	answered bool
	answer   CallbackAnswer
}

// answerCallbackQuery accepts one answer per query; Telegram rejects a
// second answer and unknown ids with the same error.
func (s *Server) answerCallbackQuery(req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[req.params["callback_query_id"]]
	if cb == nil || cb.answered {
		return badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	cb.answered = true
	cb.answer = CallbackAnswer{
		Text:      req.params["text"],
		ShowAlert: req.params["show_alert"] == "true",
		URL:       req.params["url"],
	}
	cb.answer.CacheTime, _ = strconv.Atoi(req.params["cache_time"])
	return ok(true)
}

// CallbackAnswer returns the bot's answer to the callback query of the given
// update (from TapButton or SendUpdate), if it answered.
func (s *Server) CallbackAnswer(updateID int64) (CallbackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cb := range s.callbacks {
		if cb.updateID == updateID && cb.answered {
			return cb.answer, true
		}
	}
	return CallbackAnswer{}, false
}

// commandKey identifies a command list: the canonical scope JSON (default
// scope when absent) and the language code.
func commandKey(scope, lang string) string {
	if strings.TrimSpace(scope) == "" {
		scope = `{"type":"default"}`
	}
	return string(canonicalJSON(scope)) + "|" + lang
}

func (s *Server) myCommands(method string, req *request) reply {
	key := commandKey(req.params["scope"], req.params["language_code"])
	s.mu.Lock()
	defer s.mu.Unlock()
	switch method {
	case "setMyCommands":
		var cmds []models.BotCommand
		_ = json.Unmarshal([]byte(req.params["commands"]), &cmds)
		if len(cmds) == 0 {
			delete(s.commands, key) // an empty list deletes, as documented
		} else {
			s.commands[key] = cmds
		}
		return ok(true)
	case "deleteMyCommands":
		delete(s.commands, key)
		return ok(true)
	default:
		cmds := s.commands[key]
		if cmds == nil {
			cmds = []models.BotCommand{}
		}
		return ok(cmds)
	}
}

// MyCommands returns the commands set for a scope and language. scope is a
// models.BotCommandScope value, any JSON-marshalable value, or nil for the
// default scope.
func (s *Server) MyCommands(scope any, languageCode string) []models.BotCommand {
	var raw []byte
	switch sc := scope.(type) {
	case nil:
	case models.BotCommandScope:
		raw, _ = sc.MarshalCustom()
	default:
		raw, _ = json.Marshal(sc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands[commandKey(string(raw), languageCode)]...)
}

func (s *Server) getChat(req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, r := s.chatParamLocked(req, "chat_id")
	if r != nil {
		return *r
	}
	w := s.chatWireLocked(chatID)
	w["accent_color_id"] = 0
	w["max_reaction_count"] = 11
	w["accepted_gift_types"] = map[string]any{"unlimited_gifts": true, "limited_gifts": true,
		"unique_gifts": true, "premium_subscription": true, "gifts_from_channels": true}
	return ok(w)
}

// getChatMember reports every user as a plain member, and the bot itself
// as an administrator.
func (s *Server) getChatMember(req *request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, r := s.chatParamLocked(req, "chat_id"); r != nil {
		return *r
	}
	uid, _ := strconv.ParseInt(req.params["user_id"], 10, 64)
	if uid == s.botID {
		return ok(map[string]any{"status": "administrator", "user": s.botUserJSON(false), "can_be_edited": false,
			"is_anonymous": false, "can_manage_chat": true, "can_delete_messages": true, "can_manage_video_chats": false,
			"can_restrict_members": true, "can_promote_members": false, "can_change_info": false,
			"can_invite_users": true, "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false})
	}
	return ok(map[string]any{"status": "member", "user": userJSON(s.userLocked(uid))})
}

func (s *Server) userLocked(id int64) User {
	if u, known := s.users[id]; known {
		return u
	}
	return User{ID: id, FirstName: firstName(User{}, id)}
}

// genericResult answers spec-valid methods the fake does not model with a
// plausible value of the documented return type, so that clients decoding
// the result do not fail.
func (s *Server) genericResult(m *specMethod, req *request) reply {
	if m.returns("Message") {
		s.mu.Lock()
		defer s.mu.Unlock()
		// Edits of other kinds (live locations, media...) return the message.
		if cid, has := parseChatID(req); has && req.has("message_id") {
			id, _ := strconv.Atoi(req.params["message_id"])
			if msg := s.findMessageLocked(cid, id); msg != nil {
				return ok(s.wireLocked(msg))
			}
			return badRequest("message to edit not found")
		}
		if m.returns("Boolean") {
			return ok(true)
		}
		chatID, r := s.chatParamLocked(req, "chat_id")
		if r != nil {
			return *r
		}
		msg := &storedMsg{Message: Message{FromBot: true, Kind: m.Name}, from: s.botUserJSON(false), extra: map[string]any{}}
		s.addMessageLocked(chatID, msg)
		return ok(s.wireLocked(msg))
	}
	switch ret := m.Returns[0]; {
	case ret == "Boolean":
		return ok(true)
	case ret == "MessageId":
		return ok(map[string]any{"message_id": s.nextMessageID(req)})
	case ret == "Array of MessageId":
		var ids []int
		_ = json.Unmarshal([]byte(req.params["message_ids"]), &ids)
		out := []any{}
		for range ids {
			out = append(out, map[string]any{"message_id": s.nextMessageID(req)})
		}
		return ok(out)
	case ret == "Integer":
		return ok(1)
	case ret == "String":
		return ok("https://t.me/+TEST")
	case ret == "User":
		return ok(s.botUserJSON(true))
	case strings.HasPrefix(ret, "Array of "):
		return ok([]any{})
	default:
		return ok(map[string]any{})
	}
}

// nextMessageID reserves a message_id in the request's chat for methods
// that only report the id (copyMessages, forwardMessages).
func (s *Server) nextMessageID(req *request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := parseChatID(req)
	c := s.chatLocked(id)
	c.lastMsgID++
	return c.lastMsgID
}
