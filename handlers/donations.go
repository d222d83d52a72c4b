package handlers

import (
	"context"
	"strings"

	"donorbot/history"
	"donorbot/screening"
)

// donations is the donor's history as every screen shows it: the records
// merged with the donations reported at screenings (history.Merge). Its
// length is the one donation count of the bot.
func (h *Handlers) donations(ctx context.Context, telegramID int64) ([]history.Entry, error) {
	recs, err := h.d.Store.DonationHistory(ctx, telegramID)
	if err != nil {
		return nil, err
	}
	answers, err := h.d.Store.ReportedDonations(ctx, telegramID)
	if err != nil {
		return nil, err
	}
	entries := make([]history.Entry, 0, len(recs))
	for _, r := range recs {
		e := history.Entry{On: r.On, Kind: screening.DonationKind(r.Kind), Source: r.Source}
		if r.VolumeML != nil {
			e.VolumeML = *r.VolumeML
		}
		var place []string
		for _, s := range []string{r.DriveTitle, r.Venue} {
			if s != "" {
				place = append(place, s)
			}
		}
		e.Place = strings.Join(place, " — ")
		entries = append(entries, e)
	}
	return history.Merge(entries, answers), nil
}

// donationCount is len(h.donations): the count /eligibility, /history, the
// donor card and the thank-you after a donation show.
func (h *Handlers) donationCount(ctx context.Context, telegramID int64) (int, error) {
	entries, err := h.donations(ctx, telegramID)
	return len(entries), err
}
