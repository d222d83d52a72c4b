package handlers

import (
	"context"
	"errors"

	"donorbot/botapi"
	"donorbot/datefmt"
	"donorbot/drive"
	"donorbot/history"
	"donorbot/picture"
)

// card sends the donor card: a picture to show at a drive with the name,
// blood group, donation count, last donation and the next eligible day
// (statusOn, as every screen), and the QR of the check-in code (/mycode).
func (h *Handlers) card(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return t.reply(ctx, t.text("consent_needed"), nil)
	}
	if len(h.d.CheckinSecret) == 0 {
		return errors.New("card: no check-in secret configured")
	}
	entries, err := h.donations(ctx, t.userID)
	if err != nil {
		return err
	}
	f, err := h.donorFacts(ctx, t.donor)
	if err != nil {
		return err
	}
	today := h.today()
	var nextText string
	switch next := firstDay(h.statusOn(f, today, nil), today); {
	case next.IsZero():
		nextText = t.text("card_next_ask_staff")
	case !next.After(today):
		nextText = t.text("card_next_today")
	default:
		nextText = t.day(next)
	}
	lastText := t.text("card_last_none")
	if last, ok := history.Last(entries); ok {
		lastText = t.day(last.On)
		if last.MonthOnly {
			lastText = t.textf("history_month", map[string]any{"Date": datefmt.Month(t.lang, last.On)})
		}
	}
	blood := string(t.donor.BloodGroup)
	if !t.donor.BloodGroup.Known() {
		blood = t.text("card_blood_unknown")
	}
	until := h.d.Now().Add(drive.CheckinValidity)
	code := drive.CheckinCode(h.d.CheckinSecret, t.userID, until)
	png, err := picture.DrawCard(picture.Card{
		Title: t.text("card_title"), Name: t.donor.FullName, BloodLabel: t.text("card_blood"), Blood: blood,
		Lines: [][2]string{
			{t.text("card_count"), t.plural("card_count_value", len(entries), nil)},
			{t.text("card_last"), lastText},
			{t.text("card_next"), nextText},
		},
		QR: code, QRLabel: code,
	})
	if err != nil {
		return err
	}
	caption := t.textf("card_caption", map[string]any{"Until": t.date(until) + " " + h.clock(until)})
	if err := t.sendPhoto(ctx, "donor-card.png", png, caption); err != nil {
		return err
	}
	return t.reply(ctx, t.text("card_next_step"), rows(2,
		botapi.Button{Text: t.text("btn_history_eligibility"), CallbackData: encodeCallback("hist", "elig")},
		botapi.Button{Text: t.text("btn_history_drives"), CallbackData: encodeCallback("hist", "drives")}))
}
