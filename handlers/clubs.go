package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/storage"
)

// clubPayloadPrefix starts the /start parameter of a club's invite link:
// t.me/<bot>?start=c_<invite code>. Drives use "d_".
const clubPayloadPrefix = "c_"

// clubInviteLink is the deep link that makes whoever opens it a member.
func clubInviteLink(botUsername, code string) string {
	return "https://t.me/" + url.PathEscape(botUsername) + "?start=" + clubPayloadPrefix + code
}

// parseClubPayload returns the invite code of a club deep-link payload. The
// code has the form the units table allows: 4-32 of A-Z a-z 0-9 _ -.
func parseClubPayload(s string) (string, bool) {
	code, ok := strings.CutPrefix(s, clubPayloadPrefix)
	if !ok || len(code) < 4 || len(code) > 32 {
		return "", false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return "", false
		}
	}
	return code, true
}

// clubAdminOnly refuses fn to users who administer no club.
func (h *Handlers) clubAdminOnly(fn handlerFunc) handlerFunc {
	return func(ctx context.Context, t *turn) error {
		clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
		if err != nil {
			return err
		}
		if len(clubs) == 0 {
			return t.refuse(ctx, "club_admin_only")
		}
		return fn(ctx, t)
	}
}

// joinClubFromLink handles /start c_<code>: an onboarded donor joins at
// once; a new user onboards first and joins when done.
func (h *Handlers) joinClubFromLink(ctx context.Context, t *turn, code string) error {
	club, err := h.d.Store.UnitByInviteCode(ctx, code)
	if errors.Is(err, storage.ErrNotFound) || err == nil && club.Kind != "club" {
		if err := t.reply(ctx, t.text("club_link_gone"), nil); err != nil {
			return err
		}
		return h.start(ctx, t)
	}
	if err != nil {
		return err
	}
	if t.donor != nil && t.donor.Onboarded() {
		return h.joinClub(ctx, t, club.ID)
	}
	if err := h.d.State.Remember(ctx, t.userID, "pending_club", id(club.ID), 72*time.Hour); err != nil {
		return err
	}
	return h.start(ctx, t)
}

// joinPendingClub joins the club whose link brought a new donor, once
// onboarding is done.
func (h *Handlers) joinPendingClub(ctx context.Context, t *turn) error {
	pending, err := h.d.State.Recall(ctx, t.userID, "pending_club")
	if err != nil || pending == "" {
		return err
	}
	clubID, err := strconv.ParseInt(pending, 10, 64)
	if err != nil {
		return nil // not written by us: ignore
	}
	return h.joinClub(ctx, t, clubID)
}

func (h *Handlers) joinClub(ctx context.Context, t *turn, clubID int64) error {
	club, err := h.d.Store.Unit(ctx, clubID)
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply(ctx, t.text("club_link_gone"), nil)
	}
	if err != nil {
		return err
	}
	if err := h.d.Store.JoinUnit(ctx, t.userID, club.ID); err != nil {
		return err
	}
	return h.joinedClub(ctx, t, club.Name)
}

// joinedClub welcomes a new member and, unless they are on call already,
// asks at once whether they take urgent calls: a member off call gets no
// urgent alert from the club they just joined.
func (h *Handlers) joinedClub(ctx context.Context, t *turn, clubName string) error {
	joined := t.textf("club_joined", map[string]any{"Club": clubName})
	a, err := h.d.Store.Availability(ctx, t.userID)
	if err != nil {
		return err
	}
	if a.OnCallOn(h.today()) {
		return h.showAvailability(ctx, t, joined)
	}
	return t.reply(ctx, joined+"\n\n"+t.text("club_joined_ask"), rows(1,
		botapi.Button{Text: t.text("btn_avail_on"), CallbackData: encodeCallback("avail", "on")},
		botapi.Button{Text: t.text("btn_avail_until"), CallbackData: encodeCallback("avail", "until")},
		botapi.Button{Text: t.text("btn_avail_not_now"), CallbackData: encodeCallback("avail", "off")}))
}

// chosenClub picks the club a club admin acts for: their only one, or the
// one named by id or invite code in arg. ok is false when the admin was
// asked to name it.
func (h *Handlers) chosenClub(ctx context.Context, t *turn, arg, usage string) (storage.Unit, bool, error) {
	clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
	if err != nil {
		return storage.Unit{}, false, err
	}
	for _, c := range clubs {
		if arg == "" && len(clubs) == 1 || arg != "" && (arg == c.InviteCode || arg == id(c.ID)) {
			return c, true, nil
		}
	}
	var names []string
	for _, c := range clubs {
		names = append(names, fmt.Sprintf("%s (%s)", c.Name, c.InviteCode))
	}
	return storage.Unit{}, false, t.reply(ctx, t.textf(usage, map[string]any{"Clubs": joinNames(names)}), nil)
}

// invite shows the invite link of the admin's club(s) and its member count.
func (h *Handlers) invite(ctx context.Context, t *turn) error {
	clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, c := range clubs {
		n, err := h.d.Store.CountMembers(ctx, c.ID)
		if err != nil {
			return err
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(t.textf("club_invite", map[string]any{
			"Club": c.Name, "Members": n, "Count": n, "Link": clubInviteLink(h.d.BotUsername, c.InviteCode)}))
	}
	return t.reply(ctx, b.String(), nil)
}

// unitByArg finds a unit by its number or its invite code.
func (h *Handlers) unitByArg(ctx context.Context, arg string) (storage.Unit, error) {
	if n, err := strconv.ParseInt(arg, 10, 64); err == nil {
		return h.d.Store.Unit(ctx, n)
	}
	if _, ok := parseClubPayload(clubPayloadPrefix + arg); !ok {
		return storage.Unit{}, storage.ErrNotFound
	}
	return h.d.Store.UnitByInviteCode(ctx, arg)
}
