package handlers

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/profile"
	"donorbot/storage"
)

const (
	// invitationTTL is how long a donor may answer a club's invitation.
	invitationTTL = 7 * 24 * time.Hour
	// declineCooldown keeps a club from inviting again a donor who said no.
	declineCooldown = 30 * 24 * time.Hour
)

// addMember invites a donor to the admin's club by phone:
// /addmember <phone> [club]. The donor joins only by accepting, and the
// admin learns who they are only then. The admin's answer is the same
// whether or not the number is a donor's, a member's or already invited,
// so the command cannot tell anyone whose number it is.
func (h *Handlers) addMember(ctx context.Context, t *turn) error {
	f := strings.Fields(t.args)
	if len(f) == 0 || len(f) > 2 {
		return t.reply(ctx, t.text("addmember_usage"), nil)
	}
	phone, err := profile.ParsePhone(f[0])
	if err != nil {
		return t.reply(ctx, t.text("addmember_usage"), nil)
	}
	clubArg := ""
	if len(f) == 2 {
		clubArg = f[1]
	}
	club, ok, err := h.chosenClub(ctx, t, clubArg, "club_choose")
	if !ok || err != nil {
		return err
	}
	inv, sent, err := h.d.Store.InviteToClub(ctx, storage.NewInvitation{
		ClubID: club.ID, Phone: phone, InvitedBy: t.userID, AdminChatID: t.chatID, AdminLang: t.lang,
		Now: h.d.Now(), TTL: invitationTTL, Cooldown: declineCooldown,
	})
	if err != nil {
		return err
	}
	err = t.reply(ctx, t.textf("addmember_invited", map[string]any{
		"Club": club.Name, "Link": clubInviteLink(h.d.BotUsername, club.InviteCode)}), nil)
	if err != nil || !sent {
		return err
	}
	text := h.textIn(inv.DonorLang, "invitation_received", map[string]any{
		"Club": club.Name, "Until": h.date(inv.DonorLang, inv.ExpiresAt) + " " + h.clock(inv.ExpiresAt)})
	kb := rows(2,
		botapi.Button{Text: h.textIn(inv.DonorLang, "btn_invitation_accept", nil), CallbackData: encodeCallback("cinv", id(inv.ID), "y")},
		botapi.Button{Text: h.textIn(inv.DonorLang, "btn_invitation_decline", nil), CallbackData: encodeCallback("cinv", id(inv.ID), "n")})
	if err := h.tell(ctx, inv.DonorChatID, text, kb); err != nil {
		// Returning it would apologize to the admin, and an apology only
		// after a donor's number would tell them whose it is. The
		// invitation stays pending until it expires.
		h.d.Log.Error("send club invitation", "invitation_id", inv.ID, "club_id", club.ID, "err", err)
		if h.d.OnError != nil {
			h.d.OnError()
		}
	}
	return nil
}

// onInvitationAnswer takes the donor's answer to a club invitation:
// cinv:v1:<invitation>:y|n. Storage answers only the tapping user's own
// invitation; the admin is told the donor's name on an accept only, since
// a decline would tell them the number is a donor's.
func (h *Handlers) onInvitationAnswer(ctx context.Context, t *turn) error {
	invID, err := strconv.ParseInt(t.cb.arg(0), 10, 64)
	yes, no := t.cb.arg(1) == "y", t.cb.arg(1) == "n"
	if err != nil || !yes && !no {
		return t.answer(ctx, t.text("button_stale"))
	}
	a, err := h.d.Store.AnswerInvitation(ctx, invID, t.userID, yes, h.d.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return t.answer(ctx, t.text("invitation_not_yours"))
	}
	if err != nil {
		return err
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	club := map[string]any{"Club": a.ClubName}
	switch {
	case !a.Changed:
		return t.reply(ctx, t.text("invitation_already"), nil)
	case a.Status == storage.InvitationExpired:
		return t.reply(ctx, t.textf("invitation_expired", club), nil)
	case a.Status == storage.InvitationDeclined:
		return t.reply(ctx, t.textf("invitation_declined", club), nil)
	}
	if err := h.joinedClub(ctx, t, a.ClubName); err != nil {
		return err
	}
	// An admin who lost the club since inviting is not told who joined it.
	still, err := h.d.Store.IsClubAdmin(ctx, a.InvitedBy, a.ClubID)
	if err != nil || !still {
		return err
	}
	return h.tell(ctx, a.AdminChatID, h.textIn(a.AdminLang, "addmember_accepted",
		map[string]any{"Name": shorten(a.DonorName, profile.MaxNameLen), "Club": a.ClubName}), nil)
}
