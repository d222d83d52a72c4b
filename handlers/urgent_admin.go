package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tg "github.com/go-telegram/bot"

	"donorbot/blood"
	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/textbound"
	"donorbot/urgent"
)

// closeByAdmin closes a need from its status: "fill" closes it at once
// when nobody or everybody needed accepted; closed short, it first asks
// whether those who accepted still go ("keep": closed, they are still
// expected) or not ("cancel": called off, they are told not to come).
func (h *Handlers) closeByAdmin(ctx context.Context, t *turn, n storage.Need, action string) error {
	if action == "fill" && n.Open() && n.Accepted > 0 {
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return t.reply(ctx, t.textf("urgent_close_short_ask", map[string]any{"ID": n.ID, "Accepted": n.Accepted, "Units": n.UnitsNeeded}),
			rows(1,
				botapi.Button{Text: t.textf("btn_urgent_close_keep", map[string]any{"Accepted": n.Accepted}),
					CallbackData: encodeCallback("urgadm", id(n.ID), "keep")},
				botapi.Button{Text: t.text("btn_urgent_cancel"), CallbackData: encodeCallback("urgadm", id(n.ID), "cancel")}))
	}
	var closed bool
	var err error
	notice := "urgent_closed_notice"
	if action == "cancel" {
		closed, err = h.d.Store.CancelNeed(ctx, n.ID, h.d.Now())
		notice = "urgent_cancelled_notice"
	} else {
		closed, err = h.d.Store.CloseNeed(ctx, n.ID, h.d.Now())
	}
	if err != nil {
		return err
	}
	if !closed {
		return t.answer(ctx, t.text("button_stale"))
	}
	if action != "fill" {
		// The question is answered: its buttons go.
		if err := t.closeButtons(ctx); err != nil {
			return err
		}
	}
	if err := t.answer(ctx, t.text(notice)); err != nil {
		return err
	}
	if n, err = h.d.Store.Need(ctx, n.ID); err != nil {
		return err
	}
	return h.closeNeed(ctx, n, 0)
}

// explainNobodyMore tells the admin why widening alerted nobody: either
// only the patient's own group can give this component (an O- patient
// needing red cells), so no group is added, or every compatible donor in
// reach was alerted already, is off call or is not eligible yet.
func (h *Handlers) explainNobodyMore(ctx context.Context, t *turn, n storage.Need) error {
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	groups := urgent.Groups(n.BloodGroup, n.Component, n.Audience)
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = string(g)
	}
	data := map[string]any{"Group": string(n.BloodGroup), "Component": t.text("component_" + string(n.Component)),
		"Groups": strings.Join(names, ", ")}
	msg := "urgent_widen_none"
	if onlyOwnGroup(n.BloodGroup, n.Component) {
		msg = "urgent_widen_only_own"
	}
	return t.reply(ctx, t.textf(msg, data), nil)
}

// onlyOwnGroup reports whether a patient of group g can receive component c
// from their own group only.
func onlyOwnGroup(g profile.BloodGroup, c blood.Component) bool {
	donors := blood.Donors(g, c)
	return len(donors) == 1 && donors[0] == g
}

// retireStatus edits need n's former live status message (if any, and not
// msgID) to say the status moved below, without buttons: an admin reading
// up the chat sees no stale counts and taps no stale buttons.
func (h *Handlers) retireStatus(ctx context.Context, n storage.Need, msgID int) error {
	if n.AdminMessageID == 0 || n.AdminMessageID == msgID {
		return nil
	}
	text := h.textIn(n.AdminLang, "urgent_status_moved", map[string]any{"ID": n.ID})
	err := h.d.Broadcaster.EditNow(ctx, n.AdminChatID, n.AdminMessageID, text, botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}})
	if errors.Is(err, broadcast.ErrBlocked) || errors.Is(err, tg.ErrorBadRequest) {
		h.d.Log.Warn("retire need status", "need_id", n.ID, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("retire status of need %d: %w", n.ID, err)
	}
	return nil
}

// reachedNames bounds each list of names in a need's status: the rest is
// counted ("and 12 more"), so a need sent to hundreds still fits.
const reachedNames = 25

// reachedList lists, by answer, the names of the donors reached who did not
// accept. Names only: a donor's phone is the admin's to see once they
// accept (renderNeedStatus).
func reachedList(lt *turn, views []storage.AlertView) string {
	lists := []struct {
		label string
		names []string
	}{{label: "urgent_reached_declined"}, {label: "urgent_reached_noanswer"}, {label: "urgent_reached_withdrawn"}, {label: "urgent_reached_late"}}
	for _, v := range views {
		i := -1
		switch {
		case v.Answer == storage.AnswerDeclined:
			i = 0
		case v.Answer == "" && (v.Delivery == "sent" || v.Delivery == "pending"):
			i = 1
		case v.Answer == storage.AnswerWithdrawn:
			i = 2
		case v.Answer == storage.AnswerLate:
			i = 3
		}
		if i >= 0 {
			lists[i].names = append(lists[i].names, textbound.Truncate(v.Name, statusNameLen))
		}
	}
	var b strings.Builder
	for _, l := range lists {
		if len(l.names) == 0 {
			continue
		}
		shown := l.names[:min(len(l.names), reachedNames)]
		line := strings.Join(shown, ", ")
		if rest := len(l.names) - len(shown); rest > 0 {
			line += " " + lt.textf("urgent_reached_more", map[string]any{"Count": rest})
		}
		b.WriteString("\n" + lt.textf(l.label, map[string]any{"Names": line}))
	}
	if b.Len() == 0 {
		return ""
	}
	return "\n\n" + lt.text("urgent_reached_title") + b.String()
}
