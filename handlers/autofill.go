package handlers

import (
	"context"
	"time"

	"donorbot/drive"
	"donorbot/mobilize"
	"donorbot/screening"
	"donorbot/storage"
)

// wavePlan is what an invitation wave for a drive would do now: the dry
// run shows it, the scheduler's wave sends it. One function makes both,
// so the organizer's preview is what the wave does.
type wavePlan struct {
	Forecast mobilize.Forecast
	// Gap is the donations the wave tries to add: the forecast's gap plus
	// the safety margin (mobilize.Forecast.WaveGap).
	Gap int
	// ResponseRate is the share of invitees expected to donate, learned
	// from the unit's past invitations and the answers to this drive's
	// earlier waves (mobilize.Response, WithDrive).
	ResponseRate float64
	// SeatsLeft is the free seats of the drive's slots still ahead.
	SeatsLeft int
	// Candidates is how many donors a wave could reach now; Invitees the
	// first of them by rank that this wave takes.
	Candidates int
	Invitees   []mobilize.Candidate
	// Expected is how many of the invitees are expected to donate.
	Expected int
	// Outcome says why nobody would be invited (storage.Wave*), or "".
	Outcome string
	// Day is the drive's calendar date, the day eligibility is judged on.
	Day time.Time
}

// planWave plans a wave for d now. The gap to close is the forecast's
// plus a safety margin (mobilize.Margin: the target is reached nine times
// in ten, not half the time), bounded by the free seats: inviting beyond
// them only fills the waitlist, which is used first. Candidates are judged by statusOn, the eligibility
// every screen shows, on the drive's date.
func (h *Handlers) planWave(ctx context.Context, d drive.Drive) (wavePlan, error) {
	now := h.d.Now()
	var p wavePlan
	f, err := h.d.Store.DriveForecast(ctx, d.ID, d.AudienceUnitID, now)
	if err != nil {
		return p, err
	}
	p.Forecast, p.Gap = f, f.WaveGap()
	resp, err := h.d.Store.InvitationResponse(ctx, d.AudienceUnitID, now)
	if err != nil {
		return p, err
	}
	invited, registered, err := h.d.Store.DriveInvitationAnswers(ctx, d.ID, now.Add(-mobilize.AnswerWait))
	if err != nil {
		return p, err
	}
	p.ResponseRate = resp.WithDrive(invited, registered, f.Rate).Rate()
	slots, err := h.d.Store.DriveSlots(ctx, d.ID)
	if err != nil {
		return p, err
	}
	for _, s := range slots {
		if s.Start.After(now) {
			p.SeatsLeft += s.SeatsLeft()
		}
	}
	switch {
	case p.Gap == 0:
		p.Outcome = storage.WaveNoGap
		return p, nil
	case p.SeatsLeft == 0:
		p.Outcome = storage.WaveFull
		return p, nil
	}
	eligible := func(sd screening.Donor, on time.Time) bool {
		return h.statusOn(donorFacts{donor: sd}, on, nil).Status == screening.Eligible
	}
	cands, day, err := h.d.Store.InviteeCandidates(ctx, d.ID, screening.DefaultConfig(), eligible)
	if err != nil {
		return p, err
	}
	p.Day, p.Candidates = day, len(cands)
	p.Invitees = mobilize.Plan(mobilize.Rank(cands, day), min(p.Gap, p.SeatsLeft), p.ResponseRate)
	p.Expected = mobilize.Expected(len(p.Invitees), p.ResponseRate)
	if len(p.Invitees) == 0 {
		p.Outcome = storage.WaveNoCandidates
	}
	return p, nil
}
