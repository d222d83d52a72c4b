package handlers

import (
	"context"
	"time"

	"donorbot/profile"
	"donorbot/screening"
)

// donorFacts is everything eligibility is judged from (screeningDonor):
// the profile, the last donation, open deferrals and the latest
// screening's answer about the last donation. Deferrals found by a
// screening are kept as deferrals; the donation as answered is not (the
// history does not know it), hence the answer.
type donorFacts struct {
	donor screening.Donor
}

// donorFacts gathers the facts about d; load them once per screen.
func (h *Handlers) donorFacts(ctx context.Context, d *profile.Donor) (donorFacts, error) {
	sd, err := h.screeningDonor(ctx, d)
	return donorFacts{donor: sd}, err
}

// statusOn is the one eligibility every screen shows: the donor's status
// on day, from the facts and, during a screening, its fresh answers (nil
// elsewhere). Urgent matching judges its candidates by the same
// screening.Evaluate, from the same facts loaded in bulk.
func (h *Handlers) statusOn(f donorFacts, day time.Time, fresh []screening.Answer) screening.Result {
	return screening.Evaluate(screening.DefaultConfig(), f.donor, fresh, day, h.today())
}

// donorStatus is statusOn for one day, loading the facts.
func (h *Handlers) donorStatus(ctx context.Context, d *profile.Donor, day time.Time, fresh []screening.Answer) (screening.Result, error) {
	f, err := h.donorFacts(ctx, d)
	if err != nil {
		return screening.Result{}, err
	}
	return h.statusOn(f, day, fresh), nil
}

// firstDay is the first day from day on that the status allows: day when
// eligible, the end of the deferral, or zero when none can be given (not
// eligible, or a deferral of unknown end).
func firstDay(res screening.Result, day time.Time) time.Time {
	switch {
	case res.Status == screening.Eligible:
		return day
	case res.Status == screening.Deferred:
		return res.Until
	}
	return time.Time{}
}

// driveMarker loads the donor's facts once and returns what to add under a
// drive starting at a given time: whether they can donate on its day, or
// from which day. Nothing for a user without a profile.
func (h *Handlers) driveMarker(ctx context.Context, t *turn) (func(start time.Time) string, error) {
	if t.donor == nil || !t.donor.Onboarded() {
		return func(time.Time) string { return "" }, nil
	}
	f, err := h.donorFacts(ctx, t.donor)
	if err != nil {
		return nil, err
	}
	return func(start time.Time) string {
		day := h.calendarDay(start)
		switch from := firstDay(h.statusOn(f, day, nil), day); {
		case from.IsZero():
			return "\n" + t.text("drive_mark_not_now")
		case !from.After(day):
			return "\n" + t.text("drive_mark_eligible")
		default:
			return "\n" + t.textf("drive_mark_from", map[string]any{"Date": t.day(from)})
		}
	}, nil
}
