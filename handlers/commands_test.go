package handlers_test

import (
	"context"
	"slices"
	"testing"

	"github.com/go-telegram/bot/models"

	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
)

// commandNames are the commands of a menu.
func commandNames(cmds []models.BotCommand) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Command)
	}
	return out
}

// TestCommandMenusFollowRoles: granting organizer gives that chat, in
// Vietnamese and English, the donor commands with the organizer's (and not
// the admin's), described in its language, while a donor's chat has no menu
// of its own; granting club admin adds the club commands; revoking both
// takes the chat's own menu away, back to the donors' one.
func TestCommandMenusFollowRoles(t *testing.T) {
	adminID := testenv.TelegramID()
	b := bottest.Start(t, bottest.Admins(adminID))
	ctx := context.Background()
	admin := b.Phone(adminID, "vi")
	organizer, donor := testenv.TelegramID(), testenv.TelegramID()
	scope := func(id int64) map[string]any { return map[string]any{"type": "chat", "chat_id": id} }
	menus := func(id int64) map[string][]models.BotCommand {
		return map[string][]models.BotCommand{"vi": b.API.MyCommands(scope(id), "vi"), "en": b.API.MyCommands(scope(id), "en")}
	}

	admin.Send("/grant " + itoa(organizer) + " organizer")
	admin.Tap("✅ Có")
	admin.Expect("Đã giao quyền ban tổ chức")
	b.API.WaitUntil(t, "the organizer's menus", func() bool {
		m := menus(organizer)
		return len(m["vi"]) > 0 && len(m["en"]) > 0
	})
	got := menus(organizer)
	for lang, cmds := range got {
		names := commandNames(cmds)
		if !slices.Contains(names, "newdrive") || !slices.Contains(names, "checkin") || !slices.Contains(names, "mydrives") ||
			slices.Contains(names, "grant") || slices.Contains(names, "urgent") {
			t.Errorf("organizer's menu (%s): %v", lang, names)
		}
	}
	if got["vi"][0].Description == got["en"][0].Description {
		t.Errorf("the organizer's English menu is not in English: %v", got["en"])
	}
	for lang, cmds := range menus(donor) {
		if len(cmds) != 0 {
			t.Errorf("a donor's chat has a menu of its own (%s): %v", lang, commandNames(cmds))
		}
	}
	for _, lang := range []string{"vi", "en"} {
		if names := commandNames(b.API.MyCommands(map[string]any{"type": "all_private_chats"}, lang)); slices.Contains(names, "newdrive") {
			t.Errorf("the donors' menu (%s) offers organizer commands: %v", lang, names)
		}
	}

	club, err := b.Store.CreateUnit(ctx, "club", "CLB Menu lệnh", "menu77"+itoa(organizer%1000))
	if err != nil {
		t.Fatal(err)
	}
	admin.Send("/grant " + itoa(organizer) + " club_admin " + club.InviteCode)
	admin.Tap("✅ Có")
	admin.Expect("Đã giao quyền quản trị câu lạc bộ CLB Menu lệnh")
	b.API.WaitUntil(t, "the club commands", func() bool {
		return slices.Contains(commandNames(menus(organizer)["en"]), "urgent")
	})

	admin.Send("/revoke " + itoa(organizer) + " organizer")
	admin.Tap("✅ Có")
	admin.Expect("Đã thu hồi quyền ban tổ chức")
	b.API.WaitUntil(t, "the organizer commands gone", func() bool {
		names := commandNames(menus(organizer)["vi"])
		return slices.Contains(names, "urgent") && !slices.Contains(names, "newdrive")
	})
	admin.Send("/revoke " + itoa(organizer) + " club_admin")
	admin.Tap("✅ Có")
	admin.Expect("Đã thu hồi quyền quản trị câu lạc bộ")
	b.API.WaitUntil(t, "the chat's own menu gone", func() bool {
		m := menus(organizer)
		return len(m["vi"]) == 0 && len(m["en"]) == 0
	})

	// At start, an organizer granted while the bot was down gets theirs.
	if err := b.Store.GrantRole(ctx, donor, "organizer", 0, adminID); err != nil {
		t.Fatal(err)
	}
	b.Restart()
	b.API.WaitUntil(t, "the menus published at start", func() bool {
		return slices.Contains(commandNames(b.API.MyCommands(scope(donor), "en")), "newdrive")
	})
}
