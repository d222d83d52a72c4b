package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
)

// queueScheduledAnnouncements publishes and announces each drive whose
// announcement time has come (set in the console's form), once:
// storage.AnnounceDrive claims it in the transaction that queues it.
// One due in quiet hours waits for their end, as every non-urgent message
// the bot sends on its own initiative: a drive days away loses nothing by
// it, while a donor woken at night learns to mute the bot.
func (h *Handlers) queueScheduledAnnouncements(ctx context.Context) error {
	if h.quiet() {
		return nil
	}
	due, err := h.d.Store.DueAnnouncements(ctx, h.d.Now(), 20)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range due {
		if _, err := h.announceQueued(ctx, d); err != nil {
			errs = append(errs, fmt.Errorf("announce drive %d: %w", d.ID, err))
		}
	}
	return errors.Join(errs...)
}

// announceQueued publishes the drive and queues its announcement to its
// audience, each donor in their language with a Register button, unless
// it was announced already; it returns how many donors it queued. Donors
// at the contact cap are skipped, even for a drive of their own unit: the
// cap is what keeps a donor of a busy unit listening. A drive with
// auto-fill on is published without the announcement: its waves invite
// as many donors as its forecast needs (invite_waves.go), where the
// announcement would write to all of them at once.
func (h *Handlers) announceQueued(ctx context.Context, d drive.Drive) (int, error) {
	queued, _, err := h.announceCounted(ctx, d)
	return queued, err
}

// announceCounted is announceQueued that also says how many donors it
// skipped at the contact cap, for the organizer who asked for it.
func (h *Handlers) announceCounted(ctx context.Context, d drive.Drive) (queued, skipped int, err error) {
	a, err := h.d.Store.AutofillOf(ctx, d.ID)
	if err != nil {
		return 0, 0, err
	}
	var msgs []storage.ScheduledMessage
	if !a.On {
		if msgs, err = h.renderAnnouncement(ctx, d); err != nil {
			return 0, 0, err
		}
	}
	announced, skipped, err := h.d.Store.AnnounceDrive(ctx, d.ID, h.d.Now(), h.d.ContactCap, msgs)
	if err != nil || !announced {
		return 0, 0, err
	}
	h.reportSkipped("announcement", skipped)
	h.reportQueued("announcements", map[string]int{"announcement": len(msgs) - skipped})
	h.d.Log.Info("drive announced", "drive_id", d.ID, "recipients", len(msgs)-skipped, "skipped_at_cap", skipped,
		"autofill", a.On)
	return len(msgs) - skipped, skipped, nil
}

// reportSkipped counts n donors of kind skipped at the contact cap.
func (h *Handlers) reportSkipped(kind string, n int) {
	if n > 0 && h.d.OnContactSkipped != nil {
		h.d.OnContactSkipped(kind, n)
	}
}

// renderAnnouncement is the announcement of d (announceDrive's message) to
// each donor of its audience.
func (h *Handlers) renderAnnouncement(ctx context.Context, d drive.Drive) ([]storage.ScheduledMessage, error) {
	recipients, err := h.d.Store.AudienceRecipients(ctx, d.AudienceUnitID)
	if err != nil {
		return nil, err
	}
	slots, err := h.d.Store.DriveSlots(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	seats := 0
	for _, s := range slots {
		seats += s.SeatsLeft()
	}
	type rendered struct {
		text   string
		markup json.RawMessage
	}
	byLang := map[string]rendered{}
	msgs := make([]storage.ScheduledMessage, 0, len(recipients))
	for _, r := range recipients {
		m, ok := byLang[r.Language]
		if !ok {
			lt := h.as(r.Language)
			kb := rows(1, botapi.Button{Text: lt.text("btn_register"), CallbackData: encodeCallback("drv", "open", id(d.ID))})
			raw, err := json.Marshal(kb)
			if err != nil {
				return nil, fmt.Errorf("announcement markup: %w", err)
			}
			m = rendered{lt.textf("drive_announcement", map[string]any{"Card": lt.driveCard(d, seats)}), raw}
			byLang[r.Language] = m
		}
		msgs = append(msgs, storage.ScheduledMessage{ChatID: r.ChatID, Text: m.text, ReplyMarkup: m.markup})
	}
	return msgs, nil
}
