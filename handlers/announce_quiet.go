package handlers

import (
	"context"
	"time"

	"donorbot/drive"
	"donorbot/quiet"
)

// An announcement asked for now (chat /newdrive, the console's form
// without a time) that falls in quiet hours waits for their end, as a
// scheduled one does: the drive is kept a draft with announce_at at that
// end, and queueScheduledAnnouncements publishes and announces it then.

// deferredAnnouncement is when an announcement asked for now goes out, if
// quiet hours hold it back: their end, unless the drive starts by then
// (an announcement after the start helps nobody, so it goes now).
func (h *Handlers) deferredAnnouncement(start time.Time) (time.Time, bool) {
	if !h.quiet() {
		return time.Time{}, false
	}
	at, _ := h.d.QuietHours.SendAt(h.d.Now().In(h.d.Location), quiet.Wait)
	if !at.Before(start) {
		return time.Time{}, false
	}
	return at, true
}

// publishAfterQuietHours creates the drive of /newdrive as a draft to be
// announced at the end of quiet hours, and tells the organizer when.
func (h *Handlers) publishAfterQuietHours(ctx context.Context, t *turn, in drive.DraftInput, at time.Time) error {
	in.AnnounceAt = at
	d, _, err := h.d.Store.CreateDrive(ctx, in, t.userID)
	if err != nil {
		return err
	}
	h.d.Log.Info("drive announcement deferred to the end of quiet hours", "drive_id", d.ID, "announce_at", at)
	return t.reply(ctx, t.textf("nd_quiet_deferred", map[string]any{"Code": d.Code, "Time": t.clock(at), "Date": t.date(at)}), nil)
}

// deferFormAnnouncement holds back the announcement of a console form
// without a time in quiet hours: it sets the time to their end and says
// whether it did.
func (h *Handlers) deferFormAnnouncement(draft *drive.FormDraft) bool {
	if !draft.AnnounceAt.IsZero() {
		return false
	}
	at, ok := h.deferredAnnouncement(draft.Input.Start)
	if ok {
		draft.AnnounceAt, draft.Input.AnnounceAt = at, at
	}
	return ok
}

// consoleAnnounce announces a saved draft now unless it has a time (the
// organizer's, or the end of quiet hours when deferred), and says what
// happened: how many donors it reached and skipped at the contact cap, or
// when it will go out.
func (h *Handlers) consoleAnnounce(ctx context.Context, c *consoleCall, d drive.Drive, draft drive.FormDraft, deferred bool) (formSaved, error) {
	saved := formSaved{ID: d.ID}
	if deferred {
		saved.AnnounceAt = draft.AnnounceAt.Format(time.RFC3339)
		saved.Notice = h.textIn(c.Lang, "console_announce_deferred", map[string]any{
			"Time": h.clock(draft.AnnounceAt), "Date": h.date(c.Lang, draft.AnnounceAt)})
		return saved, nil
	}
	if !draft.AnnounceAt.IsZero() {
		return saved, nil
	}
	queued, skipped, err := h.announceCounted(ctx, d)
	if err != nil {
		return saved, err
	}
	saved.Queued, saved.SkippedAtCap = queued, skipped
	if skipped > 0 {
		saved.Notice = h.textIn(c.Lang, "console_announce_skipped", map[string]any{
			"Count": skipped, "Queued": queued, "Cap": h.d.ContactCap})
	}
	return saved, nil
}
