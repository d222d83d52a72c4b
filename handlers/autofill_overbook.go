package handlers

import (
	"context"
	"errors"
	"math"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/mobilize"
	"donorbot/storage"
)

// overbookOffer is the seats a full drive may add by its unit's learned
// no-show rate; Seats 0 offers nothing.
type overbookOffer struct {
	Seats int
	Rate  float64
}

// RatePercent is the no-show rate as a whole percentage.
func (o overbookOffer) RatePercent() int { return int(math.Round(o.Rate * 100)) }

// overbookOffer offers seats only when the drive is full or has a
// waitlist: a drive with free seats fills them first. The seats are those
// the unit's no-show rate predicts will stay empty among the booked seats
// of the slots still ahead.
func (h *Handlers) overbookOffer(ctx context.Context, d drive.Drive, seatsLeft, waitlisted int) (overbookOffer, error) {
	now := h.d.Now()
	if d.Status != drive.StatusPublished || (seatsLeft > 0 && waitlisted == 0) {
		return overbookOffer{}, nil
	}
	slots, err := h.d.Store.DriveSlots(ctx, d.ID)
	if err != nil {
		return overbookOffer{}, err
	}
	booked := 0
	for _, s := range slots {
		if s.Start.After(now) {
			booked += s.Confirmed
		}
	}
	before := now
	if d.Start.Before(now) {
		before = d.Start
	}
	att, err := h.d.Store.NoShowHistory(ctx, d.AudienceUnitID, before)
	if err != nil {
		return overbookOffer{}, err
	}
	rate := att.NoShowRate()
	return overbookOffer{Seats: mobilize.OverbookSeats(booked, rate), Rate: rate}, nil
}

// overbookButton is "Add N seats (18% no-shows)", or nil.
func (v autofillView) overbookButton(t *turn) *botapi.Button {
	if v.Overbook.Seats == 0 {
		return nil
	}
	return &botapi.Button{
		Text:         t.textf("btn_autofill_overbook", map[string]any{"Count": v.Overbook.Seats, "Rate": v.Overbook.RatePercent()}),
		CallbackData: autofillTap{DriveID: v.Drive.ID, Op: "ob", Seats: v.Overbook.Seats}.data()}
}

// applyOverbook adds the seats the tapped button offered and tells each
// waitlisted donor it seats, as a cancellation's promotion does. The
// offer is computed again first: a button whose figure changed since
// (registrations, a tap from another organizer) only refreshes the screen.
func (h *Handlers) applyOverbook(ctx context.Context, t *turn, a autofillTap, v *autofillView) (string, error) {
	if v.Overbook.Seats != a.Seats {
		return t.text("autofill_overbook_changed"), nil
	}
	promoted, err := h.d.Store.AddSeats(ctx, v.Drive.ID, a.Seats, h.d.Now())
	if errors.Is(err, storage.ErrDriveNotOpen) {
		return t.text("autofill_overbook_closed"), nil
	}
	if err != nil {
		return "", err
	}
	h.d.Log.Info("drive overbooked", "drive_id", v.Drive.ID, "by", t.userID, "seats", a.Seats, "promoted", len(promoted))
	for i := range promoted {
		if err := h.announcePromotion(ctx, &promoted[i]); err != nil {
			return "", err
		}
	}
	fresh, err := h.autofillView(ctx, v.Drive)
	*v = fresh
	return t.textf("autofill_overbooked", map[string]any{"Count": a.Seats, "Promoted": len(promoted)}), err
}
