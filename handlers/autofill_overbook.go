package handlers

import (
	"context"
	"errors"
	"math"
	"time"

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
	promoted, err := h.overbook(ctx, *v, a.Seats, t.userID)
	switch {
	case errors.Is(err, errOverbookChanged):
		return t.text("autofill_overbook_changed"), nil
	case errors.Is(err, storage.ErrDriveNotOpen):
		return t.text("autofill_overbook_closed"), nil
	case err != nil:
		return "", err
	}
	fresh, err := h.autofillView(ctx, v.Drive)
	*v = fresh
	return t.textf("autofill_overbooked", map[string]any{"Count": a.Seats, "Promoted": promoted}), err
}

// errOverbookChanged is an overbook asked for seats the drive no longer
// offers.
var errOverbookChanged = errors.New("overbook: the offer changed")

// overbook adds seats to v's drive if that is what v offers, and tells
// each waitlisted donor it seats; it returns how many it seated.
func (h *Handlers) overbook(ctx context.Context, v autofillView, seats int, by int64) (int, error) {
	if v.Overbook.Seats != seats {
		return 0, errOverbookChanged
	}
	promoted, err := h.d.Store.AddSeats(ctx, v.Drive.ID, seats, h.d.Now())
	if err != nil {
		return 0, err
	}
	h.d.Log.Info("drive overbooked", "drive_id", v.Drive.ID, "by", by, "seats", seats, "promoted", len(promoted))
	for i := range promoted {
		if err := h.announcePromotion(ctx, &promoted[i]); err != nil {
			return 0, err
		}
	}
	return len(promoted), nil
}

// dayEnd is the end of the drive's day in the bot's time zone: an added
// slot stays on the day donors registered for.
func (h *Handlers) dayEnd(d drive.Drive) time.Time {
	s := d.Start.In(h.d.Location)
	return time.Date(s.Year(), s.Month(), s.Day()+1, 0, 0, 0, 0, h.d.Location)
}

// nextSlot is the slot AddSlot would append to a published drive: after
// its last, of the same length and seats; nil when it would leave the
// drive's day.
func (h *Handlers) nextSlot(ctx context.Context, d drive.Drive) (*drive.Slot, error) {
	if d.Status != drive.StatusPublished {
		return nil, nil
	}
	slots, err := h.d.Store.DriveSlots(ctx, d.ID)
	if err != nil || len(slots) == 0 {
		return nil, err
	}
	last := slots[0]
	for _, s := range slots[1:] {
		if s.End.After(last.End) {
			last = s
		}
	}
	next := drive.Slot{Start: last.End, End: last.End.Add(last.End.Sub(last.Start)), Capacity: last.Capacity}
	if next.End.After(h.dayEnd(d)) || !next.Start.After(h.d.Now()) {
		return nil, nil
	}
	return &next, nil
}

// applyAddSlot appends the slot the screen offered. Waitlisted donors keep
// the time they chose; the new slot takes new registrations.
func (h *Handlers) applyAddSlot(ctx context.Context, t *turn, v *autofillView) (string, error) {
	s, err := h.addSlot(ctx, v.Drive, t.userID)
	if errors.Is(err, storage.ErrDriveNotOpen) {
		return t.text("autofill_slot_no_room"), nil
	}
	if err != nil {
		return "", err
	}
	fresh, err := h.autofillView(ctx, v.Drive)
	*v = fresh
	return t.textf("autofill_slot_added", map[string]any{"From": t.clock(s.Start), "To": t.clock(s.End), "Count": s.Capacity}), err
}

// addSlot appends a slot to d within its day.
func (h *Handlers) addSlot(ctx context.Context, d drive.Drive, by int64) (drive.Slot, error) {
	s, err := h.d.Store.AddSlot(ctx, d.ID, h.d.Now(), h.dayEnd(d))
	if err != nil {
		return s, err
	}
	h.d.Log.Info("drive slot added", "drive_id", d.ID, "by", by, "slot_id", s.ID)
	return s, nil
}
