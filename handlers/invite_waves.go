package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/mobilize"
	"donorbot/profile"
	"donorbot/storage"
)

const (
	// autofillDrivesPerRun is how many drives one scheduler run looks at;
	// the rest wait for the next run, a minute later.
	autofillDrivesPerRun = 50
	// inviteSlots is how many free slots an invitation offers as buttons.
	inviteSlots = 4
)

// queueInvitationWaves runs, for each upcoming drive with auto-fill on and
// not paused, the wave of the checkpoint it reached (mobilize.DueCheckpoint),
// once: storage.StartWave claims the checkpoint in the transaction that
// queues the invitations. Quiet hours hold every wave until they end.
func (h *Handlers) queueInvitationWaves(ctx context.Context) error {
	if h.quiet() {
		return nil
	}
	drives, err := h.d.Store.DueAutofillDrives(ctx, h.d.Now(), autofillDrivesPerRun)
	if err != nil {
		return err
	}
	today := h.today()
	var errs []error
	for _, ad := range drives {
		daysUntil := int(h.calendarDay(ad.Drive.Start).Sub(today).Hours() / 24)
		k, ok := mobilize.DueCheckpoint(ad.Autofill.Checkpoints, daysUntil, ad.Done)
		if !ok {
			continue
		}
		if _, _, err := h.runWave(ctx, ad.Drive, k); err != nil {
			errs = append(errs, fmt.Errorf("wave of drive %d at %d days: %w", ad.Drive.ID, k, err))
		}
	}
	return errors.Join(errs...)
}

// runWave plans the drive's wave now (planWave, as the dry run shows it)
// and starts it at checkpoint: the wave log gets its row whether or not
// anyone is invited. It reports false when another scheduler ran the
// checkpoint, or auto-fill was turned off or paused meanwhile.
func (h *Handlers) runWave(ctx context.Context, d drive.Drive, checkpoint int) (storage.Wave, bool, error) {
	p, err := h.planWave(ctx, d)
	if err != nil {
		return storage.Wave{}, false, err
	}
	invs := make([]storage.Invitation, 0, len(p.Invitees))
	if len(p.Invitees) > 0 {
		slots, err := h.d.Store.DriveSlots(ctx, d.ID)
		if err != nil {
			return storage.Wave{}, false, err
		}
		cards := h.invitationCards(d, slots)
		for _, c := range p.Invitees {
			msg, err := cards.to(c)
			if err != nil {
				return storage.Wave{}, false, err
			}
			invs = append(invs, storage.Invitation{TelegramID: c.TelegramID, Message: msg})
		}
	}
	f := p.Forecast
	w := storage.Wave{DriveID: d.ID, Checkpoint: checkpoint, Target: f.Target, Registered: f.Registered,
		Expected: f.Expected, Gap: p.Gap, ResponseRate: p.ResponseRate, Candidates: p.Candidates,
		Planned: len(p.Invitees), Outcome: p.Outcome}
	w, started, err := h.d.Store.StartWave(ctx, w, h.d.Now(), h.d.ContactCap, invs)
	if err != nil || !started {
		return w, started, err
	}
	h.reportSkipped("invitation", w.SkippedCap)
	h.reportQueued("invitations", map[string]int{"invitation": w.Invited})
	h.d.Log.Info("invitation wave", "drive_id", d.ID, "checkpoint", checkpoint, "gap", w.Gap,
		"candidates", w.Candidates, "planned", w.Planned, "invited", w.Invited, "skipped_at_cap", w.SkippedCap,
		"outcome", w.Outcome)
	return w, true, nil
}

// invitationCards renders a wave's invitations to d: the drive, that the
// donor may donate on its date (a wave invites only those statusOn finds
// eligible), its free slots still ahead each as a one-tap Register (the
// drive buttons' "slot" path, which screens before it books), and a button
// that stops invitations. A wave may have thousands of invitees: the body
// and buttons are rendered once per language, only the greeting per donor.
func (h *Handlers) invitationCards(d drive.Drive, slots []drive.Slot) *invitationCards {
	return &invitationCards{h: h, d: d, slots: slots, now: h.d.Now(), byLang: map[string]invitationCard{}}
}

type invitationCards struct {
	h      *Handlers
	d      drive.Drive
	slots  []drive.Slot
	now    time.Time
	byLang map[string]invitationCard
}

// invitationCard is the part of an invitation every reader of a language shares.
type invitationCard struct {
	body   string
	markup json.RawMessage
}

// to is the invitation to c, greeted by their given name.
func (cs *invitationCards) to(c mobilize.Candidate) (storage.ScheduledMessage, error) {
	card, ok := cs.byLang[c.Language]
	if !ok {
		var err error
		if card, err = cs.render(c.Language); err != nil {
			return storage.ScheduledMessage{}, err
		}
		cs.byLang[c.Language] = card
	}
	text := card.body
	if name := shorten(profile.GivenName(c.Name, c.Language), profile.MaxNameLen); name != "" {
		text = cs.h.as(c.Language).textf("wave_invite_greeting", map[string]any{"Name": name}) + "\n" + text
	}
	return storage.ScheduledMessage{ChatID: c.ChatID, Text: text, ReplyMarkup: card.markup}, nil
}

func (cs *invitationCards) render(lang string) (invitationCard, error) {
	t, d := cs.h.as(lang), cs.d
	seats := 0
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	offered := 0
	for _, s := range cs.slots {
		if !s.Start.After(cs.now) || s.SeatsLeft() == 0 {
			continue
		}
		seats += s.SeatsLeft()
		if offered < inviteSlots {
			label := t.textf("btn_wave_invite_slot", map[string]any{"From": t.clock(s.Start), "To": t.clock(s.End),
				"Count": s.SeatsLeft()})
			kb = kb.With(botapi.Button{Text: label, CallbackData: encodeCallback("drv", "slot", id(d.ID), id(s.ID))})
			offered++
		}
	}
	kb = kb.With(botapi.Button{Text: t.text("btn_wave_invite_drive"), CallbackData: encodeCallback("drv", "open", id(d.ID))})
	kb = kb.With(stopDriveInvitesButton(t))
	var b strings.Builder
	b.WriteString(t.text("wave_invite_intro"))
	b.WriteString("\n\n" + t.driveCard(d, seats))
	b.WriteString("\n\n" + t.textf("wave_invite_eligible", map[string]any{"Date": t.day(cs.h.calendarDay(d.Start))}))
	b.WriteString("\n" + t.text("wave_invite_pick_slot"))
	markup, err := json.Marshal(kb)
	if err != nil {
		return invitationCard{}, fmt.Errorf("invitation keyboard: %w", err)
	}
	return invitationCard{body: b.String(), markup: markup}, nil
}
