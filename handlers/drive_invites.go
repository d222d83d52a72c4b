package handlers

import (
	"context"

	"donorbot/botapi"
)

// The donor's "invitations" setting (/settings, and the button below)
// stops invitations to drives only: messages the bot sends to fill a drive
// the donor has no tie to beyond being a likely donor. Announcements of
// their own units' drives are not stopped by it: the donor asked for those
// by joining the unit, and leaving the unit stops them. Recalls have their
// own setting, and both still count against the contact cap.

// stopDriveInvitesButton is "No more invitations", for the invitation
// messages to carry.
func stopDriveInvitesButton(t *turn) botapi.Button {
	return botapi.Button{Text: t.text("btn_drive_invites_stop"), CallbackData: encodeCallback("dinv", "off")}
}

// onDriveInviteButton answers "No more invitations" under an invitation.
func (h *Handlers) onDriveInviteButton(ctx context.Context, t *turn) error {
	if t.cb.arg(0) != "off" || t.donor == nil || !t.donor.Onboarded() {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := h.d.Store.SetInvitations(ctx, t.userID, false); err != nil {
		return err
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	return t.reply(ctx, t.text("drive_invites_stopped"),
		rows(1, botapi.Button{Text: t.text("btn_settings"), CallbackData: encodeCallback("set", "show")}))
}
