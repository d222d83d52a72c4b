package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"donorbot/profile"
	"donorbot/screening"
)

// donorFacts is everything eligibility is judged from: the profile, the last
// donation and open deferrals (screeningDonor), and the answer to question 1
// of the donor's latest screening. Deferrals found by a screening are kept
// as deferrals; the last donation as answered is not (the history does not
// know it), so it is read back from the answers, for /eligibility to agree
// with the screening that heard it.
type donorFacts struct {
	donor   screening.Donor
	donated []screening.Answer
}

// donorFacts gathers the facts about d; load them once per screen.
func (h *Handlers) donorFacts(ctx context.Context, d *profile.Donor) (donorFacts, error) {
	sd, err := h.screeningDonor(ctx, d)
	if err != nil {
		return donorFacts{}, err
	}
	f := donorFacts{donor: sd}
	raw, err := h.d.Store.LatestScreeningAnswers(ctx, d.TelegramID)
	if err != nil || len(raw) == 0 {
		return f, err
	}
	var answers []screening.Answer
	if err := json.Unmarshal(raw, &answers); err != nil {
		return donorFacts{}, fmt.Errorf("latest screening answers of donor %d: %w", d.TelegramID, err)
	}
	f.donated = slices.DeleteFunc(answers, func(a screening.Answer) bool { return a.Question != screening.QDonatedBefore })
	return f, nil
}

// statusOn is the one eligibility every screen shows: the donor's status
// on day, from the facts and, during a screening, its fresh answers (nil
// elsewhere: the latest screening's answer about the last donation is used).
func (h *Handlers) statusOn(f donorFacts, day time.Time, fresh []screening.Answer) screening.Result {
	answers := f.donated
	if fresh != nil {
		answers = fresh
	}
	return screening.Evaluate(screening.DefaultConfig(), f.donor, answers, day, h.today())
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
			return "\n" + t.textf("drive_mark_from", map[string]any{"Date": displayDate(from)})
		}
	}, nil
}
