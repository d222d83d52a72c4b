package telegramtest

import (
	"encoding/json"
	"strings"
)

// MenuButton is a chat's menu button as its user sees it: Type is
// "commands", "web_app" or "default" (the command list).
type MenuButton struct {
	Type      string `json:"type"`
	Text      string `json:"text,omitempty"`
	WebAppURL string `json:"-"`
}

type menuButtonWire struct {
	Type   string `json:"type"`
	Text   string `json:"text,omitempty"`
	WebApp *struct {
		URL string `json:"url"`
	} `json:"web_app,omitempty"`
}

// chatMenuButton keeps setChatMenuButton's buttons per chat (0: the
// bot's default for every private chat) and answers getChatMenuButton.
// Like setWebhook, it accepts an http web_app URL, which Telegram would
// refuse, so that the playground's console opens offline.
func (s *Server) chatMenuButton(method string, req *request) reply {
	var chatID int64
	if strings.TrimSpace(req.params["chat_id"]) != "" {
		var ok bool
		if chatID, ok = parseChatID(req); !ok {
			return badRequest("chat not found")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if method == "getChatMenuButton" {
		b := s.menuButtonLocked(chatID)
		w := menuButtonWire{Type: b.Type, Text: b.Text}
		if b.WebAppURL != "" {
			w.WebApp = &struct {
				URL string `json:"url"`
			}{b.WebAppURL}
		}
		return ok(w)
	}
	var w menuButtonWire
	if raw := req.params["menu_button"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &w); err != nil {
			return badRequest("can't parse menu button: %v", err)
		}
	} else {
		w.Type = "default"
	}
	b := MenuButton{Type: w.Type, Text: w.Text}
	switch w.Type {
	case "web_app":
		if w.Text == "" || w.WebApp == nil || w.WebApp.URL == "" {
			return badRequest("can't parse menu button: text and web_app.url are required")
		}
		b.WebAppURL = w.WebApp.URL
	case "commands", "default":
	default:
		return badRequest("can't parse menu button: unsupported type %q", w.Type)
	}
	s.menuButtons[chatID] = b
	return ok(true)
}

func (s *Server) menuButtonLocked(chatID int64) MenuButton {
	if b, ok := s.menuButtons[chatID]; ok && b.Type != "default" {
		return b
	}
	if b, ok := s.menuButtons[0]; ok && chatID != 0 && b.Type != "default" {
		return b
	}
	return MenuButton{Type: "commands"}
}

// MenuButton is the menu button chatID's user sees (0: the bot's default):
// the one set for the chat, else the default, else the command list.
func (s *Server) MenuButton(chatID int64) MenuButton {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.menuButtonLocked(chatID)
}
