package handlers_test

import (
	"testing"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/telegramtest"
)

// consoleButtons are the web_app buttons of the bot's messages in a chat.
func consoleButtons(b *bottest.Bot, chatID int64) []telegramtest.Button {
	var out []telegramtest.Button
	for _, m := range b.API.Messages(chatID) {
		for _, row := range m.InlineKeyboard {
			for _, btn := range row {
				if btn.WebAppURL != "" {
					out = append(out, btn)
				}
			}
		}
	}
	return out
}

// TestConsoleMenuButtonFollowsRoles: with PUBLIC_URL set, an admin's chat
// gets the console as its menu button at start, in their language; a
// /grant organizer gives the grantee's chat one in theirs (English), and
// their /help an "Open console" button; a donor sees neither; /revoke
// puts the organizer's menu button back to Telegram's default.
func TestConsoleMenuButtonFollowsRoles(t *testing.T) {
	const consoleURL = "https://console.example.org/console/"
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID),
		bottest.Config(func(c *bot.Config) { c.PublicURL = "https://console.example.org/" }))
	b.API.WaitUntil(t, "the admin's console button", func() bool { return b.API.MenuButton(adminID).Type == "web_app" })
	if got := b.API.MenuButton(adminID); got.Text != "Bảng điều khiển" || got.WebAppURL != consoleURL {
		t.Errorf("admin's menu button: %+v", got)
	}

	organizer := b.NewPhone("en")
	onboardIn(t, b, organizer, "Mai Organizer")
	donor := b.NewPhone("vi")
	onboardIn(t, b, donor, "Nguyễn Thị Lan")
	admin := b.Phone(adminID, "vi")
	admin.Send("/grant " + itoa(organizer.User.ID) + " organizer")
	admin.Expect("Giao quyền ban tổ chức cho người này?")
	admin.Tap("✅ Có")
	b.API.WaitUntil(t, "the organizer's console button", func() bool {
		return b.API.MenuButton(organizer.User.ID).Type == "web_app"
	})
	if got := b.API.MenuButton(organizer.User.ID); got.Text != "Console" || got.WebAppURL != consoleURL {
		t.Errorf("organizer's menu button: %+v", got)
	}

	organizer.Send("/help")
	organizer.Expect("The console:")
	open := consoleButtons(b, organizer.User.ID)
	if len(open) != 1 || open[0].Text != "Open console" || open[0].WebAppURL != consoleURL {
		t.Errorf("organizer's /help console buttons: %+v", open)
	}

	donor.Send("/help")
	donor.Expect("/mycode")
	donor.Settle()
	if got := b.API.MenuButton(donor.User.ID); got.Type != "commands" {
		t.Errorf("donor's menu button: %+v", got)
	}
	if open := consoleButtons(b, donor.User.ID); len(open) != 0 {
		t.Errorf("donor was offered the console: %+v", open)
	}

	admin.Send("/revoke " + itoa(organizer.User.ID) + " organizer")
	admin.Expect("Thu hồi quyền ban tổ chức của người này?")
	admin.Tap("✅ Có")
	b.API.WaitUntil(t, "the organizer's menu button back to the commands", func() bool {
		return b.API.MenuButton(organizer.User.ID).Type == "commands"
	})
	organizer.Send("/help")
	organizer.Expect("/mycode")
	organizer.Settle()
	if open := consoleButtons(b, organizer.User.ID); len(open) != 1 {
		t.Errorf("a revoked organizer's /help still offers the console: %+v", open)
	}
	if v := b.API.Violations(); len(v) > 0 {
		t.Errorf("requests the Bot API would refuse: %v", v)
	}
}

// TestConsoleButtonsNeedAnAddress: with neither PUBLIC_URL nor an https
// webhook (polling on a laptop), no menu button is set and /help offers
// no console, the chat's tools remain; once an address is configured, the
// next start gives the admin both.
func TestConsoleButtonsNeedAnAddress(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	admin := b.Phone(adminID, "en")
	admin.Send("/help")
	admin.Expect("/newdrive")
	admin.Settle()
	if calls := b.API.CallsOf("setChatMenuButton"); len(calls) != 0 {
		t.Errorf("menu buttons set without a console address: %d", len(calls))
	}
	if open := consoleButtons(b, adminID); len(open) != 0 {
		t.Errorf("console offered without an address: %+v", open)
	}

	b.Cfg.PublicURL = "https://donorbot.example.org/bot"
	b.Restart()
	b.API.WaitUntil(t, "the admin's console button", func() bool { return b.API.MenuButton(adminID).Type == "web_app" })
	admin.Send("/help")
	admin.Expect("The console:")
	if open := consoleButtons(b, adminID); len(open) != 1 || open[0].WebAppURL != "https://donorbot.example.org/bot/console/" {
		t.Errorf("console buttons once PUBLIC_URL is set: %+v", open)
	}
}
