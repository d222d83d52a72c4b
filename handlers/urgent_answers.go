package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tg "github.com/go-telegram/bot"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/textbound"
	"donorbot/urgent"
)

// urgentPriority puts urgent alerts ahead of announcements (0) and drive
// changes (1) in the broadcast queue.
const urgentPriority = 10

// urgentKind is the broadcast kind of urgent alerts.
const urgentKind = "urgent"

// startAlerts broadcasts need n's alert to cands, who read lang, in their
// order, and links their alerts to the broadcast so they can be edited later.
func (h *Handlers) startAlerts(ctx context.Context, n storage.Need, lang string, cands []urgent.Candidate) error {
	if len(cands) == 0 {
		return nil
	}
	lt := &turn{h: h, lang: lang}
	chats := make([]int64, len(cands))
	ids := make([]int64, len(cands))
	for i, c := range cands {
		chats[i], ids[i] = c.ChatID, c.TelegramID
	}
	card, err := h.alertCard(ctx, lang, n)
	if err != nil {
		return err
	}
	yes := botapi.Button{Text: lt.text("btn_urgent_yes"), CallbackData: encodeCallback("urg", id(n.ID), "y")}
	no := botapi.Button{Text: lt.text("btn_urgent_no"), CallbackData: encodeCallback("urg", id(n.ID), "n")}
	paid, err := h.paidAlerts(ctx, n.ID)
	if err != nil {
		return err
	}
	bid, err := h.d.Broadcaster.Start(ctx, broadcast.Spec{
		Kind: urgentKind, Text: lt.textf("urgent_alert", map[string]any{"Card": card}),
		Buttons: [][]botapi.Button{{yes, no}}, Priority: urgentPriority, CreatedBy: n.CreatedBy,
		Lang: lang, Recipients: chats, Paid: paid,
	})
	if err != nil {
		return err
	}
	return h.d.Store.SetAlertsBroadcast(ctx, n.ID, bid, ids)
}

// onAlertAnswer handles "I can go" / "I can't" on an alert, and taking an
// accept back: urg:v1:<need>:y|n|w|wy|wk. Storage answers only the tapping
// user's own alert.
func (h *Handlers) onAlertAnswer(ctx context.Context, t *turn) error {
	needID, err := strconv.ParseInt(t.cb.arg(0), 10, 64)
	step := t.cb.arg(1)
	yes, no := step == "y", step == "n"
	if err == nil && (step == "w" || step == "wy" || step == "wk") {
		return h.onWithdrawStep(ctx, t, needID, step)
	}
	if err != nil || !yes && !no {
		return t.answer(ctx, t.text("button_stale"))
	}
	res, err := h.d.Store.AnswerAlert(ctx, needID, t.userID, yes)
	if errors.Is(err, storage.ErrNotFound) {
		return t.answer(ctx, t.text("urgent_not_yours"))
	}
	if err != nil {
		return err
	}
	n := res.Need
	accepted := res.Outcome == storage.Counted || res.Outcome == storage.AlreadyAccepted
	if accepted && n.Status != storage.NeedCancelled {
		// The alert keeps one button: "I can no longer go".
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		if err := t.editButtons(ctx, h.acceptedKeyboard(t.lang, needID)); err != nil {
			return err
		}
	} else if err := t.finishTap(ctx); err != nil {
		return err
	}
	var text string
	switch {
	case accepted && n.Status == storage.NeedCancelled:
		text = t.text("urgent_withdraw_cancelled")
	case accepted:
		text = t.textf("urgent_accepted", map[string]any{
			"Hospital": n.Hospital, "Address": n.Address, "Contact": n.ContactName, "Phone": profile.LocalPhone(n.ContactPhone),
			"Deadline": h.clock(n.Deadline) + " " + t.date(n.Deadline),
		})
	case res.Outcome == storage.Declined:
		text = t.text("urgent_declined")
	case n.Status == storage.NeedFilled:
		text = t.text("urgent_late")
	default:
		text = t.text("urgent_late_closed")
	}
	if err := t.reply(ctx, text, nil); err != nil {
		return err
	}
	if res.Outcome == storage.Counted {
		if err := h.pushToAdmin(ctx, n, t.userID, "urgent_admin_accepted"); err != nil {
			return err
		}
	}
	if res.Filled {
		if err := h.closeNeed(ctx, n, t.userID); err != nil {
			return err
		}
	}
	return h.refreshNeedStatus(ctx, needID)
}

// closeNeed stops a need that is no longer open: unsent alerts are
// cancelled, sent ones nobody answered are edited to "covered" (or
// "closed"), and the donors who accepted are told whether they still go
// (except, whose own accept filled it). The reminder loop covers alerts
// whose send was under way (coverAlerts).
func (h *Handlers) closeNeed(ctx context.Context, n storage.Need, except int64) error {
	bids, err := h.d.Store.NeedBroadcasts(ctx, n.ID)
	if err != nil {
		return err
	}
	for _, bid := range bids {
		if _, err := h.d.Broadcaster.Cancel(ctx, bid); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	h.d.Log.Info("urgent need closed", "need_id", n.ID, "status", n.Status, "accepted", n.Accepted)
	if _, err := h.coverAlerts(ctx, n.ID); err != nil {
		return err
	}
	if err := h.tellAcceptors(ctx, n, except); err != nil {
		return err
	}
	if n.Status == storage.NeedFilled {
		return h.tell(ctx, n.AdminChatID, h.textIn(n.AdminLang, "urgent_filled_notice", map[string]any{"ID": n.ID}), nil)
	}
	return nil
}

// coverAlerts edits the unanswered alerts of closed needs (of needID, or all
// when 0) to "covered, thank you" (or, when the need was closed short or
// cancelled, "no longer needed") without buttons, and returns the needs
// whose alerts it edited.
func (h *Handlers) coverAlerts(ctx context.Context, needID int64) (map[int64]bool, error) {
	touched := map[int64]bool{}
	for {
		alerts, err := h.d.Store.UncoveredAlerts(ctx, needID, 100)
		if err != nil || len(alerts) == 0 {
			return touched, err
		}
		for _, a := range alerts {
			touched[a.NeedID] = true
			text := h.textIn(a.Language, "urgent_covered", nil)
			if a.NeedStatus != storage.NeedFilled {
				text = h.textIn(a.Language, "urgent_alert_closed", nil)
			}
			err := h.d.Broadcaster.EditNow(ctx, a.ChatID, a.MessageID, text, botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}})
			switch {
			case errors.Is(err, broadcast.ErrBlocked) || errors.Is(err, tg.ErrorBadRequest):
				h.d.Log.Warn("cover urgent alert", "need_id", a.NeedID, "chat_id", a.ChatID, "err", err)
			case err != nil:
				return touched, fmt.Errorf("cover alert of need %d in chat %d: %w", a.NeedID, a.ChatID, err)
			}
			if err := h.d.Store.MarkAlertCovered(ctx, a.NeedID, a.TelegramID); err != nil {
				return touched, err
			}
		}
	}
}

// showNeedStatus sends the live status of a need to an admin of its club;
// from then on that message is the one kept up to date, and the one before
// it says it moved (one live status at a time).
func (h *Handlers) showNeedStatus(ctx context.Context, needID, chatID int64, lang string) error {
	n, err := h.d.Store.Need(ctx, needID)
	if err != nil {
		return err
	}
	text, kb, err := h.renderNeedStatus(ctx, n, lang)
	if err != nil {
		return err
	}
	msgID, err := h.d.Broadcaster.SendNow(ctx, chatID, text, kb)
	if err != nil {
		return fmt.Errorf("show need %d: %w", needID, err)
	}
	if err := h.d.Store.SetNeedAdminMessage(ctx, needID, chatID, msgID, lang); err != nil {
		return err
	}
	// Retired once the new message is committed as the live one: a refresh
	// reading the former one until then would edit it back after the
	// retirement, and find nothing moved when it checks.
	retire := func(ctx context.Context) error { return h.retireStatus(ctx, n, msgID) }
	if w := storage.WorkOf(ctx); w != nil {
		w.After(retire)
		return nil
	}
	return retire(ctx)
}

// refreshNeedStatus edits the admin's status message to the need's state.
// Answers, covers and late sends are handled in parallel, so an edit may
// land after a newer one and show an older state. Each refresh renders
// again after its edit and edits once more if the state moved; it stops
// only when a render matches what it showed, so the refresh whose edit
// landed last has confirmed it. (A cap of three edits once left a stale
// count: when eight alerts under way at the close turned from cancelled
// to sent, a refresh ran out of edits with an older count landing last.)
func (h *Handlers) refreshNeedStatus(ctx context.Context, needID int64) error {
	if w := storage.WorkOf(ctx); w != nil {
		// Rendered from committed state only, or a concurrent refresh
		// could not see this turn's change, nor this one theirs.
		w.After(func(ctx context.Context) error { return h.refreshNeedStatus(ctx, needID) })
		return nil
	}
	shown := ""
	var edited storage.Need // as it was when this refresh last edited its status
	for range maxStatusEdits {
		n, err := h.d.Store.Need(ctx, needID)
		if err != nil || n.AdminMessageID == 0 {
			return err
		}
		if edited.AdminMessageID != 0 && (n.AdminChatID != edited.AdminChatID || n.AdminMessageID != edited.AdminMessageID) {
			// /needs moved the status (maybe to another admin's chat) while
			// this refresh was editing the former message: that edit may
			// have landed after the move's "moved below" and undone it, so
			// say it there again.
			if err := h.retireStatus(ctx, edited, 0); err != nil {
				return err
			}
			edited = storage.Need{}
		}
		text, state, kb, err := h.renderNeedStatusState(ctx, n, n.AdminLang)
		if err != nil {
			return err
		}
		// The sending line moves with every alert sent: the engine's
		// progress reports refresh it (BroadcastProgress), not this loop.
		state += fmt.Sprint(kb)
		if state == shown {
			return nil
		}
		err = h.d.Broadcaster.EditNow(ctx, n.AdminChatID, n.AdminMessageID, text, kb)
		if errors.Is(err, broadcast.ErrBlocked) || errors.Is(err, tg.ErrorBadRequest) {
			h.d.Log.Warn("refresh need status", "need_id", needID, "err", err)
			return nil
		}
		if err != nil {
			return fmt.Errorf("refresh need %d: %w", needID, err)
		}
		shown, edited = state, n
	}
	h.d.Log.Warn("refresh need status: the state kept moving; the next change refreshes it again",
		"need_id", needID, "edits", maxStatusEdits)
	return nil
}

// maxStatusEdits bounds one refresh: the state moves a bounded number of
// times (every answer, every late send), but a bound keeps a bug from
// looping forever on the admin's chat.
const maxStatusEdits = 50

// renderNeedStatus is the club admin's view of a need: counts by answer,
// the donors who accepted with their phones (shown to club admins only),
// the names of the others reached, by answer, with
// the buttons that close, widen and record donations.
func (h *Handlers) renderNeedStatus(ctx context.Context, n storage.Need, lang string) (string, botapi.InlineKeyboard, error) {
	text, _, kb, err := h.renderNeedStatusState(ctx, n, lang)
	return text, kb, err
}

// renderNeedStatusState is renderNeedStatus with the status's state: its
// text without the sending line, which moves with every alert sent.
func (h *Handlers) renderNeedStatusState(ctx context.Context, n storage.Need, lang string) (string, string, botapi.InlineKeyboard, error) {
	views, err := h.d.Store.NeedAlerts(ctx, n.ID)
	if err != nil {
		return "", "", botapi.InlineKeyboard{}, err
	}
	lt := &turn{h: h, lang: lang}
	c := storage.CountAlerts(views)
	var b strings.Builder
	b.WriteString(lt.textf("urgent_status", map[string]any{
		"ID": n.ID, "Card": h.needCard(lang, n), "Status": lt.text("need_" + n.Status),
		"Audience": lt.text("aud_" + string(n.Audience)), "Accepted": n.Accepted, "Units": n.UnitsNeeded,
		"Declined": c.Declined, "NoAnswer": c.NoAnswer, "Late": c.Late, "Alerted": c.Alerted, "Unreached": c.Unreached,
		"Withdrawn": c.Withdrawn,
	}))
	sending, err := h.sendingLine(ctx, lt, n.ID)
	if err != nil {
		return "", "", botapi.InlineKeyboard{}, err
	}
	head := b.Len()
	kb := rows(1)
	for _, v := range views {
		if v.Answer != storage.AnswerAccepted {
			continue
		}
		// Up to 50 donors in one edited message: names are cut so the
		// list fits, and Fit below guards the total.
		line := lt.textf("urgent_status_donor", map[string]any{"Name": textbound.Truncate(v.Name, statusNameLen),
			"Group": string(v.Group), "Phone": profile.LocalPhone(v.Phone)})
		if v.Donated {
			line += " " + lt.text("urgent_status_donated")
		} else if len(kb.InlineKeyboard) < 20 {
			kb = kb.With(botapi.Button{Text: lt.textf("btn_urgent_donated", map[string]any{"Name": shorten(v.Name, 40)}),
				CallbackData: encodeCallback("urgadm", id(n.ID), "don", id(v.TelegramID))})
		}
		b.WriteString("\n" + line)
	}
	b.WriteString(reachedList(lt, views))
	if n.Open() {
		for _, a := range []urgent.Audience{urgent.Compatible, urgent.All} {
			if a.Wider(n.Audience) {
				kb = kb.With(botapi.Button{Text: lt.text("btn_widen_" + string(a)), CallbackData: encodeCallback("urgadm", id(n.ID), string(a))})
			}
		}
		if b := provinceWidenButton(lt, n); b != nil {
			kb = kb.With(b...)
		}
		kb = kb.With(botapi.Button{Text: lt.text("btn_urgent_filled"), CallbackData: encodeCallback("urgadm", id(n.ID), "fill")})
	}
	state := b.String()
	text := state[:head] + sending + state[head:]
	return textbound.Fit(text, textbound.MaxMessage), state, kb, nil
}

// statusNameLen bounds a donor's name in a need's live status: 50 lines of
// it, with group and phone, stay under Telegram's 4,096 characters.
const statusNameLen = 40

// onNeedAdmin handles the club admin's buttons on a need:
// urgadm:v1:<need>:fill|compatible|all|prov|show|don[:<donor>]. The tapping user
// must be an admin of the need's club, whatever the button says.
func (h *Handlers) onNeedAdmin(ctx context.Context, t *turn) error {
	needID, err := strconv.ParseInt(t.cb.arg(0), 10, 64)
	if err != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	n, err := h.d.Store.Need(ctx, needID)
	if errors.Is(err, storage.ErrNotFound) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return err
	}
	if ok, err := h.d.Store.IsClubAdmin(ctx, t.userID, n.ClubID); err != nil || !ok {
		if err != nil {
			return err
		}
		return t.refuse(ctx, "need_not_yours")
	}
	switch action := t.cb.arg(1); action {
	case "fill", "keep", "cancel":
		if err := h.closeByAdmin(ctx, t, n, action); err != nil {
			return err
		}
	case string(urgent.Compatible), string(urgent.All):
		a := urgent.Audience(action)
		widened, err := h.d.Store.WidenNeed(ctx, needID, a)
		if err != nil || !widened {
			if err != nil {
				return err
			}
			return t.answer(ctx, t.text("button_stale"))
		}
		n.Audience = a
		count, err := h.alertNeed(ctx, n, a)
		if err != nil {
			return err
		}
		if count == 0 {
			if err := h.explainNobodyMore(ctx, t, n); err != nil {
				return err
			}
			break
		}
		if err := t.answer(ctx, t.textf("urgent_widened", map[string]any{"Count": count})); err != nil {
			return err
		}
	case urgadmProvinces:
		if err := h.widenProvinces(ctx, t, n); err != nil {
			return err
		}
	case "don":
		if err := h.markDonated(ctx, t, n); err != nil {
			return err
		}
	case "show":
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return h.showNeedStatus(ctx, needID, t.chatID, t.lang)
	default:
		return t.answer(ctx, t.text("button_stale"))
	}
	return h.refreshNeedStatus(ctx, needID)
}

// markDonated records that a donor who accepted donated today: their
// history, donation count and next eligible date follow from it.
func (h *Handlers) markDonated(ctx context.Context, t *turn, n storage.Need) error {
	donorID, err := strconv.ParseInt(t.cb.arg(2), 10, 64)
	if err != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	ok, err := h.d.Store.MarkDonated(ctx, n.ID, donorID, h.today(), string(n.Component), t.userID)
	if err != nil || !ok {
		if err != nil {
			return err
		}
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.answer(ctx, t.text("urgent_donation_recorded")); err != nil {
		return err
	}
	d, err := h.d.Store.Donor(ctx, donorID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	f, err := h.donorFacts(ctx, &d)
	if err != nil {
		return err
	}
	next := firstDay(h.statusOn(f, h.today(), nil), h.today())
	text := h.textIn(d.Language, "urgent_thanks_donated", map[string]any{"Date": displayDate(d.Language, next)})
	if next.IsZero() {
		text = h.textIn(d.Language, "urgent_thanks_donated_nodate", nil)
	}
	return h.tell(ctx, d.ChatID, text, nil)
}

// needs lists the open and recent needs of the admin's clubs.
func (h *Handlers) needs(ctx context.Context, t *turn) error {
	clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
	if err != nil {
		return err
	}
	var ids []int64
	for _, c := range clubs {
		ids = append(ids, c.ID)
	}
	list, err := h.d.Store.ClubNeeds(ctx, ids, 10)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return t.reply(ctx, t.text("needs_none"), nil)
	}
	var b strings.Builder
	b.WriteString(t.text("needs_title"))
	var bs []botapi.Button
	for _, n := range list {
		b.WriteString("\n" + t.textf("needs_line", map[string]any{
			"ID": n.ID, "Group": string(n.BloodGroup), "Component": t.text("component_" + string(n.Component)),
			"Accepted": n.Accepted, "Units": n.UnitsNeeded, "Status": t.text("need_" + n.Status),
			"Hospital": n.Hospital, "Date": t.day(h.calendarDay(n.CreatedAt)),
		}))
		bs = append(bs, botapi.Button{Text: "#" + id(n.ID), CallbackData: encodeCallback("urgadm", id(n.ID), "show")})
	}
	return t.reply(ctx, b.String(), rows(4, bs...))
}

// sendUrgentDue offers to widen needs still unfilled at the time their
// admin chose, and covers alerts that went out after their need closed.
func (h *Handlers) sendUrgentDue(ctx context.Context) error {
	if err := h.queueWidenOffers(ctx); err != nil {
		return err
	}
	// Alerts that were on their way when their need closed: cover them, and
	// show the admin the final counts.
	touched, err := h.coverAlerts(ctx, 0)
	if err != nil {
		return err
	}
	for needID := range touched {
		if err := h.refreshNeedStatus(ctx, needID); err != nil {
			return err
		}
	}
	return nil
}

// queueWidenOffers queues, for each need still unfilled at its widen time,
// the offer to its admin to widen it or close it.
func (h *Handlers) queueWidenOffers(ctx context.Context) error {
	return h.queueAll("widen_offers", func() (map[string]int, error) {
		return h.d.Store.QueueDueWidenOffers(ctx, h.d.Now(), 50, h.renderWidenOffer)
	})
}

func (h *Handlers) renderWidenOffer(n storage.Need) (storage.ScheduledMessage, error) {
	lt := &turn{h: h, lang: n.AdminLang}
	kb := rows(1)
	for _, a := range []urgent.Audience{urgent.Compatible, urgent.All} {
		if a.Wider(n.Audience) {
			kb = kb.With(botapi.Button{Text: lt.text("btn_widen_" + string(a)), CallbackData: encodeCallback("urgadm", id(n.ID), string(a))})
		}
	}
	if b := provinceWidenButton(lt, n); b != nil {
		kb = kb.With(b...)
	}
	kb = kb.With(botapi.Button{Text: lt.text("btn_urgent_filled"), CallbackData: encodeCallback("urgadm", id(n.ID), "fill")})
	text := lt.textf("urgent_widen_offer", map[string]any{"ID": n.ID, "Accepted": n.Accepted, "Units": n.UnitsNeeded,
		"Card": h.needCard(n.AdminLang, n)})
	markup, err := json.Marshal(kb)
	if err != nil {
		return storage.ScheduledMessage{}, fmt.Errorf("widen offer keyboard: %w", err)
	}
	return storage.ScheduledMessage{ChatID: n.AdminChatID, Text: text, ReplyMarkup: markup}, nil
}
