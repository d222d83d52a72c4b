package handlers

import (
	"context"
	"errors"
	"fmt"

	tg "github.com/go-telegram/bot"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/urgent"
)

// acceptedKeyboard is the alert's keyboard once its donor accepted: the
// way to take the accept back.
func (h *Handlers) acceptedKeyboard(lang string, needID int64) botapi.InlineKeyboard {
	lt := &turn{h: h, lang: lang}
	return rows(1, botapi.Button{Text: lt.text("btn_urgent_withdraw"), CallbackData: encodeCallback("urg", id(needID), "w")})
}

// onWithdrawStep handles "I can no longer go" on an accepted alert
// (urg:v1:<need>:w), its confirmation (wy) and "I'll still go" (wk).
func (h *Handlers) onWithdrawStep(ctx context.Context, t *turn, needID int64, step string) error {
	switch step {
	case "w":
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return t.editButtons(ctx, rows(1,
			botapi.Button{Text: t.text("btn_urgent_withdraw_yes"), CallbackData: encodeCallback("urg", id(needID), "wy")},
			botapi.Button{Text: t.text("btn_urgent_withdraw_keep"), CallbackData: encodeCallback("urg", id(needID), "wk")}))
	case "wk":
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return t.editButtons(ctx, h.acceptedKeyboard(t.lang, needID))
	}
	return h.withdraw(ctx, t, needID)
}

// withdraw takes the donor's accept back: the place is released, the
// admin told, and a need that had filled looks for a donor again.
func (h *Handlers) withdraw(ctx context.Context, t *turn, needID int64) error {
	res, err := h.d.Store.WithdrawAlert(ctx, needID, t.userID, h.d.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return t.answer(ctx, t.text("urgent_not_yours"))
	}
	if err != nil {
		return err
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	if !res.Withdrawn {
		if res.Need.Status == storage.NeedCancelled {
			return t.reply(ctx, t.text("urgent_withdraw_cancelled"), nil)
		}
		return t.reply(ctx, t.text("urgent_withdraw_nothing"), nil)
	}
	n := res.Need
	if err := t.reply(ctx, t.text("urgent_withdrawn"), nil); err != nil {
		return err
	}
	h.d.Log.Info("urgent accept withdrawn", "need_id", n.ID, "accepted", n.Accepted, "reopened", res.Reopened)
	if err := h.pushToAdmin(ctx, n, t.userID, "urgent_admin_withdrew"); err != nil {
		return err
	}
	if res.Reopened {
		// WHY reopen: "filled" promised the hospital that many donors; with
		// one gone the patient is a unit short, and a club admin expects
		// the bot to look again rather than to find out at the hospital.
		// The donors who were told "covered" without answering, and those
		// who said yes too late, are the quickest to fill the place: they
		// get the alert again. Nobody else is alerted without the admin.
		count, err := h.realert(ctx, n)
		if err != nil {
			return err
		}
		if err := h.sendTo(ctx, n.AdminChatID, h.textIn(n.AdminLang, "urgent_admin_reopened",
			map[string]any{"ID": n.ID, "Accepted": n.Accepted, "Units": n.UnitsNeeded, "Count": count}), nil); err != nil {
			return err
		}
	}
	return h.refreshNeedStatus(ctx, needID)
}

// realert sends need n's alert again to the donors whose alerts were made
// answerable again (storage.ReopenAlerts), and returns how many.
func (h *Handlers) realert(ctx context.Context, n storage.Need) (int, error) {
	again, err := h.d.Store.ReopenAlerts(ctx, n.ID)
	if err != nil {
		return 0, err
	}
	byLang := map[string][]urgent.Candidate{}
	for _, a := range again {
		byLang[a.Language] = append(byLang[a.Language], urgent.Candidate{TelegramID: a.TelegramID, ChatID: a.ChatID, Language: a.Language})
	}
	for _, lang := range languages {
		if err := h.startAlerts(ctx, n, lang, byLang[lang]); err != nil {
			return 0, err
		}
	}
	return len(again), nil
}

// pushToAdmin tells the need's admin, in a message of its own (so the
// phone buzzes, unlike the edits of the live status), what donor did: msg
// with their name, phone and blood group and the need's count.
func (h *Handlers) pushToAdmin(ctx context.Context, n storage.Need, donorID int64, msg string) error {
	d, err := h.d.Store.Donor(ctx, donorID)
	if err != nil {
		return fmt.Errorf("push to the admin of need %d: %w", n.ID, err)
	}
	text := h.textIn(n.AdminLang, msg, map[string]any{
		"ID": n.ID, "Name": d.FullName, "Phone": profile.LocalPhone(d.Phone), "Group": string(d.BloodGroup),
		"Accepted": n.Accepted, "Units": n.UnitsNeeded, "Hospital": n.Hospital,
	})
	return h.sendTo(ctx, n.AdminChatID, text, nil)
}

// sendTo sends text to another chat once the turn has committed (at once
// outside a turn): a turn that fails tells nobody.
func (h *Handlers) sendTo(ctx context.Context, chatID int64, text string, markup any) error {
	w := storage.WorkOf(ctx)
	if w == nil {
		return h.tell(ctx, chatID, text, markup)
	}
	params := &tg.SendMessageParams{ChatID: chatID, Text: text}
	if markup != nil {
		params.ReplyMarkup = markup
	}
	return w.Call(chatID, broadcast.MethodSendMessage, params)
}

// tellAcceptors tells every donor who stands by their accept of need n,
// which just closed, whether they still go: yes when it filled or the
// admin closed it (they are counted on), no when it was cancelled, whose
// alert then loses its button. except is the donor whose own accept filled
// it: their answer already said where to go.
func (h *Handlers) tellAcceptors(ctx context.Context, n storage.Need, except int64) error {
	acc, err := h.d.Store.AcceptedAlerts(ctx, n.ID)
	if err != nil {
		return err
	}
	msg := map[string]string{storage.NeedFilled: "urgent_acceptor_filled", storage.NeedClosed: "urgent_acceptor_closed",
		storage.NeedCancelled: "urgent_acceptor_cancelled"}[n.Status]
	if msg == "" {
		return nil
	}
	for _, a := range acc {
		if a.TelegramID == except {
			continue
		}
		text := h.textIn(a.Language, msg, map[string]any{"Hospital": n.Hospital, "Accepted": n.Accepted,
			"Units": n.UnitsNeeded, "Deadline": n.Deadline.In(h.d.Location).Format("15:04 02/01/2006")})
		var markup any
		if n.Status != storage.NeedCancelled {
			// Still expected, so still able to say they cannot go.
			markup = h.acceptedKeyboard(a.Language, n.ID)
		}
		if err := h.sendTo(ctx, a.ChatID, text, markup); err != nil {
			return err
		}
		if n.Status != storage.NeedCancelled || a.MessageID == 0 {
			continue
		}
		err := h.d.Broadcaster.EditNow(ctx, a.ChatID, a.MessageID, h.textIn(a.Language, "urgent_alert_cancelled", nil),
			botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}})
		switch {
		case errors.Is(err, broadcast.ErrBlocked) || errors.Is(err, tg.ErrorBadRequest):
			h.d.Log.Warn("stale accepted urgent alert", "need_id", n.ID, "chat_id", a.ChatID, "err", err)
		case err != nil:
			return fmt.Errorf("stale accepted alert of need %d in chat %d: %w", n.ID, a.ChatID, err)
		}
	}
	return nil
}
