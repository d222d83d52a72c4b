package handlers

import (
	"context"
	"errors"
	"slices"
	"strings"

	"donorbot/storage"
)

// help lists the commands for the user's role.
func (h *Handlers) help(ctx context.Context, t *turn) error {
	text := t.text("help_donor") + "\n" + t.text("help_mycode") + "\n" + t.text("help_available")
	admin, err := h.d.IsAdmin(ctx, t.userID)
	if err != nil {
		return err
	}
	organizer, err := h.isOrganizer(ctx, t.userID)
	if err != nil {
		return err
	}
	if organizer {
		text += "\n\n" + t.text("help_organizer") + "\n" + t.text("help_results")
	}
	if admin {
		text += "\n\n" + t.text("help_admin") + "\n" + t.text("help_results_admin") + "\n" + t.text("help_admin_clubs")
	}
	clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
	if err != nil {
		return err
	}
	if len(clubs) > 0 {
		text += "\n\n" + t.text("help_club_admin")
	}
	return t.reply(ctx, text, nil)
}

// cancel ends whatever conversation is under way. An unfinished onboarding
// is paused, not lost: its answers are stored and /start resumes it.
func (h *Handlers) cancel(ctx context.Context, t *turn) error {
	conv, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return err
	}
	if !ok || conv.Flow == flowIdle {
		return t.reply(ctx, t.text("cancel_nothing"), removeKeyboard{RemoveKeyboard: true})
	}
	if conv.Flow == flowOnboarding {
		err = h.d.State.SaveConversation(ctx, t.userID, storage.Conversation{Flow: flowIdle})
	} else {
		err = h.d.State.EndConversation(ctx, t.userID)
	}
	if err != nil {
		return err
	}
	return t.reply(ctx, t.text("cancel_done"), removeKeyboard{RemoveKeyboard: true})
}

// forget asks for confirmation before deleting the donor's data.
func (h *Handlers) forget(ctx context.Context, t *turn) error {
	if t.donor == nil {
		if err := t.reply(ctx, t.text("forget_nothing"), nil); err != nil {
			return err
		}
		return h.d.State.ForgetUser(ctx, t.userID) // e.g. a language chosen before consent
	}
	kb := rows(1,
		button{Text: t.text("btn_forget_yes"), CallbackData: encodeCallback("forget", "yes")},
		button{Text: t.text("btn_forget_no"), CallbackData: encodeCallback("forget", "no")})
	return t.reply(ctx, t.text("forget_confirm"), kb)
}

// onForgetReply deletes the donor's personal data from PostgreSQL and every
// Redis key of theirs, or keeps it.
func (h *Handlers) onForgetReply(ctx context.Context, t *turn) error {
	choice := t.cb.arg(0)
	if (choice != "yes" && choice != "no") || t.donor == nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	if choice == "no" {
		return t.reply(ctx, t.text("forget_kept"), nil)
	}
	if err := h.releaseSeats(ctx, t); err != nil {
		return err
	}
	if err := h.d.Store.DeleteDonor(ctx, t.userID); err != nil {
		return err
	}
	if err := t.reply(ctx, t.text("forget_done"), removeKeyboard{RemoveKeyboard: true}); err != nil {
		return err
	}
	// Last, so that the keys this very update created (flood and reply
	// limits) go too.
	if err := h.d.State.ForgetUser(ctx, t.userID); err != nil {
		return err
	}
	h.d.Log.Info("donor forgotten", "user_id", t.userID)
	return nil
}

// chooseLanguage offers the languages.
func (h *Handlers) chooseLanguage(ctx context.Context, t *turn) error {
	kb := rows(2,
		button{Text: "Tiếng Việt", CallbackData: encodeCallback("lang", "vi")},
		button{Text: "English", CallbackData: encodeCallback("lang", "en")})
	return t.reply(ctx, t.text("lang_choose"), kb)
}

// onLanguage stores the chosen language: in the donor row after consent, in
// Redis before (no personal record exists yet).
func (h *Handlers) onLanguage(ctx context.Context, t *turn) error {
	lang := t.cb.arg(0)
	if !slices.Contains(languages, lang) {
		return t.answer(ctx, t.text("button_stale"))
	}
	var err error
	if t.donor != nil {
		err = h.d.Store.SetDonorLanguage(ctx, t.userID, lang)
	} else {
		err = h.d.State.SetLanguage(ctx, t.userID, lang)
	}
	if err != nil {
		return err
	}
	t.lang = lang
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	return t.reply(ctx, t.text("lang_set"), nil)
}

// joinNames lists names for a message.
func joinNames(names []string) string { return strings.Join(names, ", ") }

// releaseSeats cancels the donor's live registrations before their data
// goes, so each freed seat is offered to the first of its waitlist.
func (h *Handlers) releaseSeats(ctx context.Context, t *turn) error {
	regs, err := h.d.Store.MyRegistrations(ctx, t.userID)
	if err != nil {
		return err
	}
	for _, r := range regs {
		if !r.Registration.Status.Live() {
			continue
		}
		promoted, err := h.d.Store.Cancel(ctx, t.userID, r.Registration.ID)
		if err != nil && !errors.Is(err, storage.ErrNotLive) {
			return err
		}
		if err := h.announcePromotion(ctx, promoted); err != nil {
			return err
		}
	}
	return nil
}
