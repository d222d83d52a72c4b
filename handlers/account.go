package handlers

import (
	"context"
	"errors"
	"slices"
	"strings"

	"donorbot/botapi"
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
	if err := t.reply(ctx, text, t.menuIfOnboarded()); err != nil {
		return err
	}
	if organizer {
		return h.replyConsoleButton(ctx, t)
	}
	return nil
}

// cancel ends whatever conversation is under way. An unfinished onboarding
// is paused, not lost, as by its Cancel button: its answers are stored and
// Continue or /start resumes it.
func (h *Handlers) cancel(ctx context.Context, t *turn) error {
	conv, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return err
	}
	if !ok || conv.Flow == flowIdle {
		return t.reply(ctx, t.text("cancel_nothing"), t.afterReplyKeyboard())
	}
	if conv.Flow == flowOnboarding && t.donor != nil {
		return h.pauseOnboarding(ctx, t)
	}
	if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
		return err
	}
	return t.reply(ctx, t.text("cancel_done"), t.afterReplyKeyboard())
}

// forget asks for confirmation before deleting the donor's data.
func (h *Handlers) forget(ctx context.Context, t *turn) error {
	if t.donor == nil {
		if err := t.reply(ctx, t.text("forget_nothing"), nil); err != nil {
			return err
		}
		// e.g. a language chosen before consent; the sweep retries it
		// if Redis is away.
		if err := h.d.Store.AddPendingErasure(ctx, t.userID, h.d.Now()); err != nil {
			return err
		}
		return t.eraseKeysAfterSend(ctx)
	}
	kb := rows(1,
		botapi.Button{Text: t.text("btn_forget_yes"), CallbackData: encodeCallback("forget", "yes")},
		botapi.Button{Text: t.text("btn_forget_no"), CallbackData: encodeCallback("forget", "no")})
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
	if err := h.d.Store.DeleteDonor(ctx, t.userID, h.d.Now()); err != nil {
		return err
	}
	// The reply says what is true now: an unfinished conversation in Redis
	// may hold screening answers, and Redis may be away.
	if err := h.d.State.ForgetUser(ctx, t.userID); err != nil {
		h.d.Log.Warn("forget: redis keys left to the erasure sweep", "user_id", t.userID, "err", err)
		return t.reply(ctx, t.text("forget_pending"), botapi.RemoveKeyboard{RemoveKeyboard: true})
	}
	if err := t.reply(ctx, t.text("forget_done"), botapi.RemoveKeyboard{RemoveKeyboard: true}); err != nil {
		return err
	}
	h.d.Log.Info("donor forgotten", "user_id", t.userID)
	return t.eraseKeysAfterSend(ctx)
}

// eraseKeysAfterSend erases the user's Redis keys once the turn's replies
// went out, so that the keys sending them created (reply limits) go too;
// the pending erasure is cleared only then, and the sweep does it if this
// process dies first.
func (t *turn) eraseKeysAfterSend(ctx context.Context) error {
	erase := func(ctx context.Context) error { return t.h.eraseKeys(ctx, t.userID) }
	if w := storage.WorkOf(ctx); w != nil {
		w.After(erase)
		return nil
	}
	return erase(ctx)
}

// eraseKeys erases a user's Redis keys and clears their pending erasure;
// if Redis fails, the erasure stays pending for SweepErasures.
func (h *Handlers) eraseKeys(ctx context.Context, userID int64) error {
	if err := h.d.State.ForgetUser(ctx, userID); err != nil {
		h.d.Log.Warn("forget: redis keys left to the erasure sweep", "user_id", userID, "err", err)
		return h.d.Store.ErasureFailed(ctx, userID, h.d.Now())
	}
	return h.d.Store.ErasureDone(ctx, userID)
}

// SweepErasures retries the pending erasures of Redis keys (users who sent
// /forget while Redis was away). Every process runs it each
// REMINDER_INTERVAL, so keys go within that interval of Redis's return.
func (h *Handlers) SweepErasures(ctx context.Context) error {
	ids, err := h.d.Store.PendingErasures(ctx, 100)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := h.eraseKeys(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// chooseLanguage offers the languages.
func (h *Handlers) chooseLanguage(ctx context.Context, t *turn) error {
	kb := rows(2,
		botapi.Button{Text: "Tiếng Việt", CallbackData: encodeCallback("lang", "vi")},
		botapi.Button{Text: "English", CallbackData: encodeCallback("lang", "en")})
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
	// The menu is re-sent in the new language.
	return t.reply(ctx, t.text("lang_set"), t.menuIfOnboarded())
}

// joinNames lists names for a message.
func joinNames(names []string) string { return strings.Join(names, ", ") }

// releaseSeats cancels the donor's live registrations before their data
// goes, so each freed seat is offered to the first of its waitlist.
func (h *Handlers) releaseSeats(ctx context.Context, t *turn) error {
	regs, err := h.d.Store.MyRegistrations(ctx, t.userID, h.d.Now())
	if err != nil {
		return err
	}
	for _, r := range regs {
		if !r.Registration.Status.Live() {
			continue
		}
		promoted, err := h.d.Store.Cancel(ctx, t.userID, r.Registration.ID, h.d.Now())
		if err != nil && !errors.Is(err, storage.ErrNotLive) {
			return err
		}
		if err := h.announcePromotion(ctx, promoted); err != nil {
			return err
		}
	}
	return nil
}
