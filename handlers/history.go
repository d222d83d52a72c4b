package handlers

import (
	"context"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"donorbot/botapi"
	"donorbot/datefmt"
	"donorbot/drive"
	"donorbot/history"
)

// historyShown is how many donations /history lists, newest first: a
// lifetime of donations (a hundred and more) would take several messages
// that nobody reads; the count covers the rest.
const historyShown = 20

// placeLen bounds a drive's title and venue in a line of the list.
const placeLen = 80

// history answers /history: the donor's donations, where each was
// recorded, the total and the next milestone, and friends who joined
// through their link.
func (h *Handlers) history(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return t.reply(ctx, t.text("consent_needed"), nil)
	}
	entries, err := h.donations(ctx, t.userID)
	if err != nil {
		return err
	}
	friends, err := h.d.Store.ReferralCount(ctx, t.userID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(t.text("history_title"))
	b.WriteString("\n")
	count := len(entries)
	if count == 0 {
		b.WriteString(t.text("history_empty"))
	} else {
		b.WriteString(t.plural("history_total", count, nil))
		if recorded, self := history.Tally(entries); recorded > 0 && self > 0 {
			b.WriteString(" ")
			b.WriteString(t.textf("history_split", map[string]any{"Recorded": recorded, "Self": self}))
		}
	}
	b.WriteString("\n")
	if drive.Milestone(count) {
		b.WriteString(t.plural("history_milestone_reached", count, nil))
		b.WriteString(" ")
	}
	next := drive.NextMilestone(count)
	b.WriteString(t.plural("history_next_milestone", next-count, map[string]any{"Next": next}))
	b.WriteString("\n")
	for i, e := range entries[:min(len(entries), historyShown)] {
		b.WriteString("\n")
		b.WriteString(strconv.Itoa(i+1) + ". " + t.historyLine(e))
	}
	if more := count - historyShown; more > 0 {
		b.WriteString("\n")
		b.WriteString(t.plural("history_more", more, nil))
	}
	b.WriteString("\n\n")
	b.WriteString(t.plural("history_friends", friends, nil))
	return t.reply(ctx, b.String(), historyButtons(t))
}

// historyLine is one donation: when, what, where and who recorded it.
func (t *turn) historyLine(e history.Entry) string {
	when := t.text("history_date_unknown")
	switch {
	case e.On.IsZero():
	case e.MonthOnly:
		when = t.textf("history_month", map[string]any{"Date": datefmt.Month(t.lang, e.On)})
	default:
		when = t.day(e.On)
	}
	what := t.text("kind_" + string(e.Kind))
	if e.VolumeML > 0 {
		what += ", " + strconv.Itoa(e.VolumeML) + " ml"
	}
	place := shorten(e.Place, placeLen)
	by := "history_by_" + e.Source
	switch {
	case e.Answered:
		by = "history_by_screening"
	case place == "" && e.Source == history.SourceUrgent:
		place = t.text("history_place_urgent")
	}
	if place == "" {
		place = t.text("history_place_unknown")
	}
	return t.textf("history_line", map[string]any{"When": when, "What": what, "Place": place, "By": t.text(by)})
}

// historyButtons end /history: the card, the eligibility, the drives and
// the invitation.
func historyButtons(t *turn) botapi.InlineKeyboard {
	return rows(2,
		botapi.Button{Text: t.text("btn_history_card"), CallbackData: encodeCallback("hist", "card")},
		botapi.Button{Text: t.text("btn_history_eligibility"), CallbackData: encodeCallback("hist", "elig")},
		botapi.Button{Text: t.text("btn_history_drives"), CallbackData: encodeCallback("hist", "drives")},
		botapi.Button{Text: t.text("btn_history_invite"), CallbackData: encodeCallback("hist", "invite")})
}

// onHistoryButton handles the buttons under /history and the card.
func (h *Handlers) onHistoryButton(ctx context.Context, t *turn) error {
	next := map[string]handlerFunc{"open": h.history, "card": h.card, "elig": h.eligibility, "drives": h.drives, "invite": h.inviteFriend}[t.cb.arg(0)]
	if next == nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	return next(ctx, t)
}

// plural renders a message with plural forms (one/other) for n, which the
// template reads as .Count.
func (t *turn) plural(id string, n int, data map[string]any) string {
	l, ok := t.h.texts.localizers[t.lang]
	if !ok {
		l = t.h.texts.localizers[languages[0]]
	}
	d := map[string]any{"Count": n}
	for k, v := range data {
		d[k] = v
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d, PluralCount: n})
	if err != nil {
		return id
	}
	return s
}
