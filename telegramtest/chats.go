package telegramtest

import (
	"strconv"
	"strings"
)

// chatWireLocked renders the Chat object of a chat id: private chats carry
// the user's names, negative ids are groups, @usernames channels.
func (s *Server) chatWireLocked(id int64) map[string]any {
	if id > 0 {
		u := s.users[id]
		w := map[string]any{"id": id, "type": "private", "first_name": firstName(u, id)}
		if u.LastName != "" {
			w["last_name"] = u.LastName
		}
		if u.Username != "" {
			w["username"] = u.Username
		}
		return w
	}
	for name, cid := range s.channels {
		if cid == id {
			return map[string]any{"id": id, "type": "channel", "title": "Test channel " + name, "username": strings.TrimPrefix(name, "@")}
		}
	}
	if id < -1_000_000_000_000 {
		return map[string]any{"id": id, "type": "supergroup", "title": "Test supergroup"}
	}
	return map[string]any{"id": id, "type": "group", "title": "Test group"}
}

// botUserJSON is the bot's User object; full adds the getMe-only fields.
func (s *Server) botUserJSON(full bool) map[string]any {
	u := map[string]any{"id": s.botID, "is_bot": true, "first_name": s.cfg.botFirstName, "username": s.cfg.botUsername}
	if full {
		u["can_join_groups"] = true
		u["can_read_all_group_messages"] = false
		u["supports_inline_queries"] = false
		u["can_connect_to_business"] = false
		u["has_main_web_app"] = false
	}
	return u
}

// chatParam resolves a chat_id-like parameter. Numeric ids are accepted for
// any chat (the fake does not insist that the user started the bot);
// @username gets a stable channel id.
func (s *Server) chatParamLocked(req *request, name string) (int64, *reply) {
	v := strings.TrimSpace(req.params[name])
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id != 0 {
		return id, nil
	}
	if strings.HasPrefix(v, "@") && len(v) > 1 {
		id := s.channels[v]
		if id == 0 {
			id = -1_001_000_000_000 - int64(len(s.channels)) - 1
			s.channels[v] = id
		}
		return id, nil
	}
	r := badRequest("chat not found")
	return 0, &r
}

// parseChatID is the numeric chat id of a request, if it has one.
func parseChatID(req *request) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(req.params["chat_id"]), 10, 64)
	return id, err == nil && id != 0
}

// firstName never leaves first_name empty: Telegram requires it.
func firstName(u User, id int64) string {
	if u.FirstName != "" {
		return u.FirstName
	}
	return "User" + strconv.FormatInt(id, 10)
}
