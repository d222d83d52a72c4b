package handlers

import (
	"context"
	"fmt"
	"slices"

	"donorbot/profile"
	"donorbot/screening"
	"donorbot/storage"
)

// apheresisKinds are the components collected by apheresis, which needs
// 50 kg (TT26 Điều 4 khoản 2 điểm b).
var apheresisKinds = []string{"red_cells", "platelets", "plasma"}

// donorBags are the results the desk may record for an arrival's donor:
// the whole-blood bags of screening.DeskBags (the limit screening gave, as
// the export shows it, and the weight in the profile now), and the
// apheresis components only from 50 kg (TT26 Điều 4 khoản 2 điểm b). The
// chat desk and the console's gate both offer and accept these only.
func (h *Handlers) donorBags(ctx context.Context, a storage.Arrival) (volumes []int, kinds []string, err error) {
	d, err := h.d.Store.Donor(ctx, a.TelegramID)
	if err != nil {
		return nil, nil, fmt.Errorf("bags of registration %d: %w", a.RegistrationID, err)
	}
	volumes = screening.DeskBags(int(a.AllowedVolumeML.Int64), d.Sex == profile.SexFemale, d.WeightKg)
	kinds = donationKinds
	if d.WeightKg > 0 && !screening.ApheresisAllowed(d.WeightKg) {
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
