package handlers

import (
	"context"
	"fmt"
	"slices"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/storage"
)

// Command menus shown by Telegram, by role.
var (
	donorCommands     = []string{"start", "drives", "mydrives", "profile", "eligibility", "mycode", "available", "lang", "cancel", "forget", "help"}
	adminCommands     = []string{"newdrive", "editdrive", "qr", "canceldrive", "export", "checkin", "stats", "campaign", "donors", "newunit", "grant", "revoke", "audit", "hospitals", "hospital", "unitprovince"}
	clubAdminCommands = []string{"urgent", "needs", "invite", "addmember"}
)

// SetCommands publishes the command menus: donor commands in every private
// chat, donor and admin commands in each admin's chat, club admin commands
// in each club admin's, in both languages.
func (h *Handlers) SetCommands(ctx context.Context, b *tg.Bot, adminIDs []int64) error {
	clubAdmins, err := h.d.Store.RoleHolders(ctx, storage.RoleClubAdmin)
	if err != nil {
		return err
	}
	isAdmin := map[int64]bool{}
	for _, id := range adminIDs {
		isAdmin[id] = true
	}
	for _, lang := range append(languages, "") {
		text := lang
		if text == "" {
			text = languages[0] // users whose language has no menu of its own
		}
		if err := h.setCommands(ctx, b, &models.BotCommandScopeAllPrivateChats{}, lang, text, donorCommands); err != nil {
			return err
		}
		for _, id := range adminIDs {
			scope := &models.BotCommandScopeChat{ChatID: id}
			if err := h.setCommands(ctx, b, scope, lang, text, slices.Concat(donorCommands, adminCommands)); err != nil {
				return err
			}
		}
		for _, id := range clubAdmins {
			menu := slices.Concat(donorCommands, clubAdminCommands)
			if isAdmin[id] {
				menu = slices.Concat(donorCommands, adminCommands, clubAdminCommands)
			}
			scope := &models.BotCommandScopeChat{ChatID: id}
			if err := h.setCommands(ctx, b, scope, lang, text, menu); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *Handlers) setCommands(ctx context.Context, b *tg.Bot, scope models.BotCommandScope, langCode, lang string, names []string) error {
	cmds := make([]models.BotCommand, 0, len(names))
	for _, n := range names {
		cmds = append(cmds, models.BotCommand{Command: n, Description: h.texts.text(lang, "cmd_"+n, nil)})
	}
	_, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: scope, LanguageCode: langCode})
	if err != nil {
		return fmt.Errorf("setMyCommands %q: %w", langCode, err)
	}
	return nil
}

// Admins lists the admins to publish admin menus for.
func (h *Handlers) Admins(ctx context.Context, configured []int64) ([]int64, error) {
	granted, err := h.d.Store.RoleHolders(ctx, storage.RoleAdmin)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var all []int64
	for _, id := range append(configured, granted...) {
		if !seen[id] {
			seen[id] = true
			all = append(all, id)
		}
	}
	return all, nil
}
