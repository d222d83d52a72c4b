package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"donorbot/drive"
	"donorbot/mobsim"
	"donorbot/screening"
	"donorbot/storage"
)

// campaign is one strategy's run: the population, the bot and the drives.
type campaign struct {
	pop    *mobsim.Population
	store  *storage.Store
	bot    *simBot
	clock  *clock
	first  time.Time
	drives []campaignDrive
	byID   map[int64]campaignDrive
	// registered is who registered for which drive (drive → donor index).
	registered map[int64]map[int]bool
	answers    answerCounts
}

// answerCounts are what the donors did with the offers they received.
type answerCounts struct {
	Offers   map[string]int // messages that offered a drive, by kind
	Answered map[string]int // taps on them, by kind
	// Refused: the donor tapped but the screening found them not eligible
	// on the drive's date; Full: no seat left, waitlisted.
	Refused, Waitlisted int
}

// simulate runs the campaign day by day: at 09:00 and 18:00 the bot's
// scheduled jobs run (announcements, waves, recalls, reminders,
// no-shows) and the broadcast engine delivers; the donors answer what
// they received half an hour later; at 17:30 on a drive's day the desk
// records who came and what they gave. One more day follows the last
// drive, for its no-shows.
func (c *campaign) simulate(ctx context.Context) error {
	last := c.drives[len(c.drives)-1].Day
	for day := c.first; !day.After(last.AddDate(0, 0, 1)); day = day.AddDate(0, 0, 1) {
		if err := c.tick(ctx, day.Add(9*time.Hour)); err != nil {
			return err
		}
		if err := c.desk(ctx, day, day.Add(17*time.Hour+30*time.Minute)); err != nil {
			return err
		}
		if err := c.tick(ctx, day.Add(18*time.Hour)); err != nil {
			return err
		}
	}
	return nil
}

// tick runs the scheduled jobs at at, waits for the engine to deliver
// what they queued, and lets the donors answer.
func (c *campaign) tick(ctx context.Context, at time.Time) error {
	c.clock.Set(at)
	if err := c.bot.app.Handlers().SendReminders(ctx); err != nil {
		return fmt.Errorf("scheduled jobs at %s: %w", at.Format(time.DateTime), err)
	}
	if err := c.delivered(ctx); err != nil {
		return err
	}
	c.clock.Set(at.Add(30 * time.Minute))
	return c.answer(ctx, at)
}

// delivered waits until the broadcast engine has no pending delivery.
func (c *campaign) delivered(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var pending int
		if err := c.store.DB().GetContext(ctx, &pending,
			`SELECT count(*) FROM broadcast_deliveries WHERE status = 'pending'`); err != nil {
			return fmt.Errorf("pending deliveries: %w", err)
		}
		if pending == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d deliveries still pending after 10 minutes", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// answer plays each donor's answer to the offers they received: with their
// chance (mobsim.Population.Responds) they tap, the screening before
// booking (the one eligibility rule, on the drive's date) lets them in or
// not, and they take an offered slot, or one of the drive's slots with a
// free seat, through storage.Register, the call the tap's handler makes.
func (c *campaign) answer(ctx context.Context, sent time.Time) error {
	now := c.clock.Now()
	hour := int64(sent.Sub(c.first).Hours()) // names the tick the offer came in
	for _, o := range c.bot.inbox.take() {
		i := donorIndex(o.chat)
		if i < 0 || i >= len(c.pop.Donors) {
			continue
		}
		c.answers.Offers[o.kind]++
		driveID := o.drives[c.pop.Pick(i, o.drives[0]<<8|hour, len(o.drives))]
		d, ok := c.byID[driveID]
		if !ok {
			continue
		}
		message := hour<<32 | driveID<<2 | int64(len(o.kind))
		if !c.pop.Responds(i, message, o.kind == kindInvitation) {
			continue
		}
		c.answers.Answered[o.kind]++
		if c.registered[driveID][i] {
			continue
		}
		if !c.pop.Donors[i].EligibleOn(d.Day) {
			c.answers.Refused++
			continue
		}
		slot, err := c.pickSlot(ctx, i, driveID, o.slots[driveID], now)
		if err != nil {
			return err
		}
		if slot == 0 {
			continue
		}
		reg, err := c.store.Register(ctx, telegramID(i), slot, now)
		switch {
		case errors.Is(err, storage.ErrAlreadyRegistered), errors.Is(err, storage.ErrDriveNotOpen):
			continue
		case err != nil:
			return err
		}
		c.registered[driveID][i] = true
		if reg.Status == drive.RegWaitlisted {
			c.answers.Waitlisted++
		}
	}
	return nil
}

// pickSlot is the slot donor i books: one of the offered one-tap slots
// that still has a seat, else one of the drive's later slots with a seat
// (the drive's card lists them), else (all full) one to wait for; 0 when
// the drive has no slot ahead.
func (c *campaign) pickSlot(ctx context.Context, i int, driveID int64, offered []int64, now time.Time) (int64, error) {
	slots, err := c.store.DriveSlots(ctx, driveID)
	if err != nil {
		return 0, err
	}
	slots = slices.DeleteFunc(slots, func(s drive.Slot) bool { return !s.Start.After(now) })
	free := slices.DeleteFunc(slices.Clone(slots), func(s drive.Slot) bool { return s.SeatsLeft() == 0 })
	if tapped := slices.DeleteFunc(slices.Clone(free), func(s drive.Slot) bool {
		return !slices.Contains(offered, s.ID)
	}); len(tapped) > 0 {
		free = tapped
	}
	if len(free) > 0 {
		slots = free
	}
	if len(slots) == 0 {
		return 0, nil
	}
	return slots[c.pop.Pick(i, driveID+1, len(slots))].ID, nil
}

// desk records, for each drive of day, the results of its confirmed
// registrations with the desk's storage calls: a donor who comes is
// checked in and then deferred (mobsim's chance) or donates the largest
// bag screening allows. A donor who gave since registering (at an earlier
// drive) does not come.
func (c *campaign) desk(ctx context.Context, day, at time.Time) error {
	c.clock.Set(at)
	for _, d := range c.drives {
		if !d.Day.Equal(day) {
			continue
		}
		var regs []struct {
			ID         int64 `db:"id"`
			TelegramID int64 `db:"telegram_id"`
		}
		if err := c.store.DB().SelectContext(ctx, &regs, `SELECT r.id, dn.telegram_id FROM registrations r
			JOIN donors dn ON dn.id = r.donor_id WHERE r.drive_id = $1 AND r.status = 'confirmed'
			ORDER BY dn.telegram_id`, d.ID); err != nil {
			return fmt.Errorf("registrations of drive %d: %w", d.ID, err)
		}
		for _, r := range regs {
			i := donorIndex(r.TelegramID)
			donor := &c.pop.Donors[i]
			if !c.pop.ShowsUp(i, d.ID) || !donor.EligibleOn(day) {
				continue
			}
			if err := c.store.CheckIn(ctx, d.ID, r.ID, organizerID, at); err != nil {
				return err
			}
			if c.pop.DeferredAtDesk(i, d.ID) {
				until := day.AddDate(0, 0, c.pop.Params.DeskDeferralDays)
				if _, err := c.store.RecordOnSiteDeferral(ctx, r.ID, "low_hb", until); err != nil {
					return err
				}
				c.pop.Defer(i, day)
				continue
			}
			_, err := c.store.RecordDonation(ctx, storage.DonationInput{RegistrationID: r.ID, On: day,
				Kind: string(screening.WholeBlood), VolumeML: screening.MaxVolumeML(donor.Female, donor.WeightKg),
				Source: "drive", RecordedBy: organizerID})
			if err != nil {
				return err
			}
			donor.Donate(day)
		}
	}
	return nil
}
