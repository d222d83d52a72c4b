package handlers

import "context"

// reportAnnouncementSkips tells the organizer, and the skip counter, how
// many of the audience's donors the announcement's broadcasts (ids) left
// out at the contact cap: those the broadcasts do not hold.
func (h *Handlers) reportAnnouncementSkips(ctx context.Context, t *turn, driveID int64, audience int, ids []int64) error {
	queued := 0
	for _, bid := range ids {
		b, err := h.d.Store.Broadcast(ctx, bid)
		if err != nil {
			return err
		}
		queued += b.Total
	}
	// On record as a scheduled announcement is, for the funnel's message
	// count and the invitation ranking's "responded to an announcement".
	if err := h.d.Store.RecordAnnouncement(ctx, driveID, h.d.Now(), queued); err != nil {
		return err
	}
	skipped := audience - queued
	if skipped <= 0 {
		return nil
	}
	h.reportSkipped("announcement", skipped)
	return t.reply(ctx, t.textf("nd_skipped_at_cap", map[string]any{"Count": skipped, "Cap": h.d.ContactCap}), nil)
}
