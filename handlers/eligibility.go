package handlers

import (
	"context"
	"strings"

	"donorbot/profile"
	"donorbot/screening"
	"donorbot/storage"
)

// screeningDonor gathers what the eligibility rules need about the donor:
// profile, last donation, open deferrals, and what their latest screening
// said about the last donation.
func (h *Handlers) screeningDonor(ctx context.Context, d *profile.Donor) (screening.Donor, error) {
	return h.screeningDonorWith(ctx, d, func(storage.Deferral) bool { return true })
}

// screeningDonorWith is screeningDonor with only the open deferrals keep
// accepts: the donor's records in one read.
func (h *Handlers) screeningDonorWith(ctx context.Context, d *profile.Donor, keep func(storage.Deferral) bool) (screening.Donor, error) {
	sd := screening.Donor{BirthDate: d.BirthDate, Female: d.Sex == profile.SexFemale, WeightKg: d.WeightKg}
	rec, err := h.d.Store.EligibilityRecord(ctx, d.TelegramID, h.today())
	if err != nil {
		return screening.Donor{}, err
	}
	if last := rec.Last; last != nil {
		sd.LastDonation = &screening.Donation{Date: last.On, Kind: screening.DonationKind(last.Kind)}
	}
	for _, f := range rec.Deferrals {
		if keep(f) {
			sd.Deferrals = append(sd.Deferrals, screening.Deferral{Code: screening.Code(f.Code), Until: f.Until, Permanent: f.Permanent})
		}
	}
	sd.Answered = rec.Answered
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
