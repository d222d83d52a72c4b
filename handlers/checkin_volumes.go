package handlers

import (
	"context"
	"slices"

	"donorbot/profile"
	"donorbot/screening"
	"donorbot/storage"
)

// apheresisKinds are the components collected by apheresis, which needs
// 50 kg (TT26 Điều 4 khoản 2 điểm b).
var apheresisKinds = []string{"red_cells", "platelets", "plasma"}

// donorBags are the results the desk may record for an arrival's donor:
// the whole-blood bags up to the largest their weight allows (TT26 Điều 4
// khoản 2 điểm a; none when underweight), and the apheresis components
// only from 50 kg, by the same rules as every eligibility screen. With no
// weight in the profile every bag and kind is offered: the staff weigh the
// donor at the drive anyway.
func (h *Handlers) donorBags(ctx context.Context, a storage.Arrival) (volumes []int, kinds []string, err error) {
	d, err := h.d.Store.Donor(ctx, a.TelegramID)
	if err != nil {
		return nil, nil, err
	}
	if d.WeightKg <= 0 {
		return donationVolumes, donationKinds, nil
	}
	most := screening.MaxVolumeML(d.Sex == profile.SexFemale, d.WeightKg)
	volumes = slices.DeleteFunc(slices.Clone(donationVolumes), func(v int) bool { return v > most })
	kinds = donationKinds
	if !screening.ApheresisAllowed(d.WeightKg) {
		kinds = slices.DeleteFunc(slices.Clone(donationKinds), func(k string) bool { return slices.Contains(apheresisKinds, k) })
	}
	return volumes, kinds, nil
}

// arrivalStatus tells the desk what the bot knows of the arrival's
// eligibility on the drive's day, by statusOn like every screen: a donor
// deferred since registering (a donation recorded meanwhile, a deferral
// from another drive) is flagged before a bag is taken.
func (h *Handlers) arrivalStatus(ctx context.Context, t *turn, a storage.Arrival) (string, error) {
	d, err := h.d.Store.Donor(ctx, a.TelegramID)
	if err != nil {
		return "", err
	}
	f, err := h.donorFacts(ctx, &d)
	if err != nil {
		return "", err
	}
	day := h.calendarDay(a.SlotStart)
	res := h.statusOn(f, day, nil)
	switch from := firstDay(res, day); {
	case res.Status == screening.Eligible:
		return t.text("checkin_status_ok"), nil
	case from.IsZero():
		return t.text("checkin_status_not_now") + t.reasonLines(res.Reasons), nil
	default:
		return t.textf("checkin_status_from", map[string]any{"Date": t.day(from)}) + t.reasonLines(res.Reasons), nil
	}
}
