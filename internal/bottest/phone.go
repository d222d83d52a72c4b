package bottest

import (
	"strings"
	"testing"
	"time"

	"donorbot/telegramtest"
)

// Phone is one Telegram user talking to the bot in a private chat.
type Phone struct {
	b    *Bot
	t    testing.TB
	User telegramtest.User
	seen int // newest bot message id already read by Expect
}

// Phone returns a user with the given Telegram id and language_code.
func (b *Bot) Phone(id int64, lang string) *Phone {
	u := telegramtest.User{ID: id, FirstName: "User", LastName: "Test", LanguageCode: lang}
	return &Phone{b: b, t: b.t, User: u}
}

// Send types text and sends it; returns the update id.
func (p *Phone) Send(text string) int64 { return p.b.API.SendText(p.User, text) }

// ShareContact shares a contact with phone number, owned by ownerID.
func (p *Phone) ShareContact(phone string, ownerID int64) int64 {
	return p.b.API.SendContact(p.User, phone, ownerID)
}

// Expect waits for a bot message newer than the last one expected whose
// text contains every substring, and returns it.
func (p *Phone) Expect(substrs ...string) telegramtest.Message {
	p.t.Helper()
	seen := p.seen
	m := p.b.API.WaitMessage(p.t, p.User.ID, func(m telegramtest.Message) bool {
		if m.ID <= seen {
			return false
		}
		for _, s := range substrs {
			if !strings.Contains(m.Text, s) {
				return false
			}
		}
		return true
	})
	p.seen = m.ID
	return m
}

// ExpectMatch waits for a bot message newer than the last one expected that
// match accepts, and returns it.
func (p *Phone) ExpectMatch(match func(telegramtest.Message) bool) telegramtest.Message {
	p.t.Helper()
	seen := p.seen
	m := p.b.API.WaitMessage(p.t, p.User.ID, func(m telegramtest.Message) bool { return m.ID > seen && match(m) })
	p.seen = m.ID
	return m
}

// Tap waits for a button labelled label (in the newest bot message showing
// it) and taps it.
func (p *Phone) Tap(label string) int64 {
	p.t.Helper()
	var msgID int
	var data string
	p.b.API.WaitUntil(p.t, "button "+label, func() bool {
		msgID, data = p.findButton(label)
		return msgID != 0
	})
	return p.b.API.TapButton(p.User, msgID, data)
}

// TapPrefix waits for a button whose label starts with prefix and taps it.
func (p *Phone) TapPrefix(prefix string) int64 {
	p.t.Helper()
	var msgID int
	var data string
	p.b.API.WaitUntil(p.t, "button "+prefix+"…", func() bool {
		msgID, data = p.findButtonMatching(func(label string) bool { return strings.HasPrefix(label, prefix) })
		return msgID != 0
	})
	return p.b.API.TapButton(p.User, msgID, data)
}

// TapPaging taps the button labelled label in a list that pages (units,
// clubs), tapping more until it shows: the list of a package's shared test
// database grows past one page as its tests create units.
func (p *Phone) TapPaging(label, more string) int64 {
	p.t.Helper()
	for range 100 {
		p.Settle()
		if msgID, data := p.findButton(label); msgID != 0 {
			return p.b.API.TapButton(p.User, msgID, data)
		}
		msgID, data := p.findButton(more)
		if msgID == 0 {
			p.t.Fatalf("bottest: no button %q, and no %q to page on", label, more)
		}
		p.b.API.TapButton(p.User, msgID, data)
	}
	p.t.Fatalf("bottest: no button %q after 100 pages", label)
	return 0
}

func (p *Phone) findButton(label string) (int, string) {
	return p.findButtonMatching(func(l string) bool { return l == label })
}

func (p *Phone) findButtonMatching(match func(string) bool) (int, string) {
	msgs := p.b.API.Messages(p.User.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].InlineKeyboard {
			for _, btn := range row {
				if match(btn.Text) {
					return msgs[i].ID, btn.CallbackData
				}
			}
		}
	}
	return 0, ""
}

// TapData taps the button with callback data in message id, as an old or
// tampered client could.
func (p *Phone) TapData(messageID int, data string) int64 {
	return p.b.API.TapButton(p.User, messageID, data)
}

// Messages are the bot's messages in this chat, current state.
func (p *Phone) Messages() []telegramtest.Message { return p.b.API.Messages(p.User.ID) }

// Settle waits until every update sent so far has been handled.
func (p *Phone) Settle() {
	p.t.Helper()
	p.b.Settle()
}

// TapStale sends a button tap on message id with data, whether or not the
// message still shows that button: a stale or tampered client.
func (p *Phone) TapStale(messageID int, data string) int64 {
	return p.b.API.SendUpdate(map[string]any{
		"callback_query": map[string]any{
			"id":            "stale-" + data,
			"from":          map[string]any{"id": p.User.ID, "is_bot": false, "first_name": p.User.FirstName, "language_code": p.User.LanguageCode},
			"chat_instance": "1",
			"data":          data,
			"message": map[string]any{
				"message_id": messageID, "date": 1, "text": "old",
				"chat": map[string]any{"id": p.User.ID, "type": "private"},
			},
		},
	})
}

// TapIn taps the button labelled label in message id.
func (p *Phone) TapIn(messageID int, label string) int64 {
	p.t.Helper()
	m, ok := p.b.API.Message(p.User.ID, messageID)
	if ok {
		for _, row := range m.InlineKeyboard {
			for _, btn := range row {
				if btn.Text == label {
					return p.b.API.TapButton(p.User, messageID, btn.CallbackData)
				}
			}
		}
	}
	p.t.Fatalf("bottest: no button %q in message %d of user %d", label, messageID, p.User.ID)
	return 0
}

// Now is the bot's clock: the time the user talks to the bot at.
func (p *Phone) Now() time.Time { return p.b.Now() }

// TapEdits taps the button labelled label, like Tap, and waits until the
// message that showed it, edited by the bot, reads every substring.
func (p *Phone) TapEdits(label string, substrs ...string) telegramtest.Message {
	p.t.Helper()
	var msgID int
	var data string
	p.b.API.WaitUntil(p.t, "button "+label, func() bool {
		msgID, data = p.findButton(label)
		return msgID != 0
	})
	p.b.API.TapButton(p.User, msgID, data)
	return p.b.API.WaitMessage(p.t, p.User.ID, func(m telegramtest.Message) bool {
		if m.ID != msgID {
			return false
		}
		for _, s := range substrs {
			if !strings.Contains(m.Text, s) {
				return false
			}
		}
		return true
	})
}
