package handlers

import (
	"context"
	"fmt"
	"maps"
	"slices"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/storage"
)

// Command menus shown by Telegram, by role. Admins are organizers too.
var (
	donorCommands     = []string{"start", "drives", "mydrives", "profile", "eligibility", "history", "card", "mycode", "available", "settings", "lang", "cancel", "forget", "help"}
	organizerCommands = []string{"newdrive", "editdrive", "qr", "canceldrive", "export", "checkin", "stats", "campaign"}
	adminCommands     = []string{"donors", "newunit", "grant", "revoke", "audit", "hospitals", "hospital", "unitprovince"}
	clubAdminCommands = []string{"urgent", "needs", "invite", "addmember"}
)

// chatRoles are the roles that give a chat a menu of its own.
type chatRoles struct{ admin, organizer, clubAdmin bool }

// menu is the chat's command menu; nil for a plain donor, whom the menu of
// all private chats serves.
func (r chatRoles) menu() []string {
	var staff []string
	if r.admin || r.organizer {
		staff = append(staff, organizerCommands...)
	}
	if r.admin {
		staff = append(staff, adminCommands...)
	}
	if r.clubAdmin {
		staff = append(staff, clubAdminCommands...)
	}
	if staff == nil {
		return nil
	}
	return slices.Concat(donorCommands, staff)
}

// SetCommands publishes the command menus, in both languages: donor
// commands in every private chat, and in the chat of each admin, organizer
// and club admin the donor commands with those of their roles.
func (h *Handlers) SetCommands(ctx context.Context, b *tg.Bot, adminIDs []int64) error {
	roles := map[int64]*chatRoles{}
	role := func(id int64) *chatRoles {
		if roles[id] == nil {
			roles[id] = &chatRoles{}
		}
		return roles[id]
	}
	for _, id := range adminIDs {
		role(id).admin = true
	}
	organizers, err := h.d.Store.RoleHolders(ctx, storage.RoleOrganizer)
	if err != nil {
		return err
	}
	for _, id := range organizers {
		role(id).organizer = true
	}
	clubAdmins, err := h.d.Store.RoleHolders(ctx, storage.RoleClubAdmin)
	if err != nil {
		return err
	}
	for _, id := range clubAdmins {
		role(id).clubAdmin = true
	}
	for _, lang := range append(languages, "") {
		if err := h.setCommands(ctx, b, &models.BotCommandScopeAllPrivateChats{}, lang, donorCommands); err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(roles)) {
			if err := h.setCommands(ctx, b, &models.BotCommandScopeChat{ChatID: id}, lang, roles[id].menu()); err != nil {
				return err
			}
		}
	}
	var staff []int64
	for _, id := range slices.Sorted(maps.Keys(roles)) {
		if roles[id].console() {
			staff = append(staff, id)
		}
	}
	return h.setConsoleButtons(ctx, b, staff)
}

// console reports whether the chat reaches the organizer console.
func (r chatRoles) console() bool { return r.admin || r.organizer }

// refreshCommands publishes one chat's menu after its roles changed (a
// grant or a revoke): the menu of the roles it now holds, or none of its
// own, so the donors' menu applies again.
func (h *Handlers) refreshCommands(ctx context.Context, b *tg.Bot, userID int64) error {
	var r chatRoles
	var err error
	if r.admin, err = h.d.IsAdmin(ctx, userID); err != nil {
		return fmt.Errorf("commands of %d: %w", userID, err)
	}
	if r.organizer, err = h.d.Store.HasRole(ctx, userID, storage.RoleOrganizer); err != nil {
		return err
	}
	if r.clubAdmin, err = h.d.Store.HasRole(ctx, userID, storage.RoleClubAdmin); err != nil {
		return err
	}
	scope := &models.BotCommandScopeChat{ChatID: userID}
	for _, lang := range append(languages, "") {
		if menu := r.menu(); menu != nil {
			if err := h.setCommands(ctx, b, scope, lang, menu); err != nil {
				return err
			}
			continue
		}
		if _, err := b.DeleteMyCommands(ctx, &tg.DeleteMyCommandsParams{Scope: scope, LanguageCode: lang}); err != nil {
			return fmt.Errorf("deleteMyCommands of %d %q: %w", userID, lang, err)
		}
	}
	if h.d.ConsoleURL == "" {
		return nil // no console button was set
	}
	return h.setMenuButton(ctx, b, userID, r.console())
}

// afterRolesChange refreshes userID's command menu once the turn that
// changed their roles has committed.
func (h *Handlers) afterRolesChange(ctx context.Context, t *turn, userID int64) {
	if w := storage.WorkOf(ctx); w != nil && t.bot != nil {
		b := t.bot
		w.After(func(ctx context.Context) error {
			// The role is granted either way: a menu left stale is only
			// cosmetic, and the next start publishes it again, so the
			// admin is not told that the grant failed.
			if err := h.refreshCommands(ctx, b, userID); err != nil {
				h.d.Log.Warn("command menu not refreshed", "user_id", userID, "err", err)
			}
			return nil
		})
	}
}

// setCommands publishes names as the menu of scope in langCode ("" for
// users whose language has no menu of its own, who get the default's).
func (h *Handlers) setCommands(ctx context.Context, b *tg.Bot, scope models.BotCommandScope, langCode string, names []string) error {
	lang := langCode
	if lang == "" {
		lang = languages[0]
	}
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
