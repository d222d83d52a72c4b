package telegramtest

// SendForward forwards to the bot, from u, a text that original wrote: the
// message carries a "user" forward_origin naming them, as Telegram sets it
// when original's privacy settings let forwards link to their account.
func (s *Server) SendForward(u, original User, text string) int64 {
	return s.sendForward(u, text, map[string]any{"type": "user", "sender_user": userJSON(original)})
}

// SendHiddenForward forwards a text from someone who hides their account
// in forwards: Telegram gives only the name they show ("hidden_user").
func (s *Server) SendHiddenForward(u User, senderName, text string) int64 {
	return s.sendForward(u, text, map[string]any{"type": "hidden_user", "sender_user_name": senderName})
}

// SendForwardVoice forwards a voice message original recorded: a forward
// with no text at all.
func (s *Server) SendForwardVoice(u, original User) int64 {
	return s.sendForwardWith(u, map[string]any{"type": "user", "sender_user": userJSON(original)}, func(m *storedMsg) {
		s.attachFileLocked(m, "voice", s.storeFileLocked("voice", File{Name: "voice.ogg", Data: []byte("OggS")}))
	})
}

func (s *Server) sendForward(u User, text string, origin map[string]any) int64 {
	return s.sendForwardWith(u, origin, func(m *storedMsg) { m.Text = text })
}

func (s *Server) sendForwardWith(u User, origin map[string]any, fill func(*storedMsg)) int64 {
	if !s.validUser(u) {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	origin["date"] = s.now().Unix() - 60
	return s.userMessageLocked(u, func(m *storedMsg) {
		fill(m)
		m.extra["forward_origin"] = origin
	})
}
