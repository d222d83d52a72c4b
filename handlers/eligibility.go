package handlers

import (
	"context"
	"errors"
	"strings"

	"donorbot/profile"
	"donorbot/screening"
	"donorbot/storage"
)

// screeningDonor gathers what the eligibility rules need about the donor:
// profile, last donation, open deferrals, and what their latest screening
// said about the last donation.
func (h *Handlers) screeningDonor(ctx context.Context, d *profile.Donor) (screening.Donor, error) {
	sd := screening.Donor{BirthDate: d.BirthDate, Female: d.Sex == profile.SexFemale, WeightKg: d.WeightKg}
	last, err := h.d.Store.LastDonation(ctx, d.TelegramID)
	switch {
	case err == nil:
		sd.LastDonation = &screening.Donation{Date: last.On, Kind: screening.DonationKind(last.Kind)}
	case !errors.Is(err, storage.ErrNotFound):
		return screening.Donor{}, err
	}
	deferrals, err := h.d.Store.OpenDeferrals(ctx, d.TelegramID, h.today())
	if err != nil {
		return screening.Donor{}, err
	}
	for _, f := range deferrals {
		sd.Deferrals = append(sd.Deferrals, screening.Deferral{Code: screening.Code(f.Code), Until: f.Until, Permanent: f.Permanent})
	}
	answered, err := h.d.Store.LastDonationAnswers(ctx, []int64{d.TelegramID})
	if err != nil {
		return screening.Donor{}, err
	}
	if a, ok := answered[d.TelegramID]; ok {
		sd.Answered = &a
	}
	return sd, nil
}

// eligibility answers "when may I donate next, and why" from the donor's
// profile, history, deferrals and latest screening (statusOn, as every
// screen): no drive needs to be booked for it.
func (h *Handlers) eligibility(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return h.needConsent(ctx, t)
	}
	f, err := h.donorFacts(ctx, t.donor)
	if err != nil {
		return err
	}
	count, err := h.donationCount(ctx, t.userID)
	if err != nil {
		return err
	}
	today := h.today()
	res := h.statusOn(f, today, nil)
	var b strings.Builder
	switch day := firstDay(res, today); {
	case day.IsZero():
		b.WriteString(t.text("eligibility_not_now"))
	case !day.After(today):
		b.WriteString(t.textf("eligibility_now", map[string]any{"Volume": res.MaxVolumeML}))
		if res.Apheresis {
			b.WriteString("\n")
			b.WriteString(t.text("result_apheresis"))
		}
	default:
		b.WriteString(t.textf("eligibility_from", map[string]any{"Date": t.day(day)}))
	}
	b.WriteString(t.reasonLines(res.Reasons))
	b.WriteString("\n\n")
	b.WriteString(t.textf("eligibility_history", map[string]any{"Count": count}))
	if last := f.donor.LastDonation; last != nil {
		b.WriteString(" ")
		b.WriteString(t.textf("eligibility_last", map[string]any{
			"Date": t.day(last.Date), "Kind": t.text("kind_" + string(last.Kind))}))
	}
	// The staff notice closes the message; the others (a last donation
	// nobody can date) come before it.
	for _, n := range res.Notices {
		if n == screening.NoticeLastDonationUnknown {
			b.WriteString("\n")
			b.WriteString(t.text("notice_" + string(n)))
		}
	}
	b.WriteString("\n")
	b.WriteString(t.text("notice_" + string(screening.NoticeFinalDecisionByStaff)))
	return t.reply(ctx, b.String(), rows(1, t.drivesButton()))
}

// reasonLines renders reasons one per line, each with its own date when it
// has one, and marks dates that are estimates.
func (t *turn) reasonLines(reasons []screening.Reason) string {
	var b strings.Builder
	for _, r := range reasons {
		b.WriteString("\n• ")
		b.WriteString(t.text("reason_" + string(r.Code)))
		if !r.Until.IsZero() {
			b.WriteString(" — ")
			b.WriteString(t.textf("until_date", map[string]any{"Date": t.day(r.Until)}))
			if r.Basis != screening.BasisExact {
				b.WriteString(" ")
				b.WriteString(t.text("basis_estimate"))
			}
		}
	}
	return b.String()
}
