package handlers

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"donorbot/storage"
)

// sendingLine is the line of a need's status while its alerts are still
// going out: how many of how many, and the time left at the configured
// send rates. It is empty once every alert is sent (or stopped).
func (h *Handlers) sendingLine(ctx context.Context, t *turn, needID int64) (string, error) {
	done, total, paid, err := h.d.Store.NeedSending(ctx, needID)
	if err != nil || done >= total {
		return "", err
	}
	return "\n" + t.textf("urgent_status_sending", map[string]any{
		"Done": groupDigits(t.lang, done), "Total": groupDigits(t.lang, total),
		"Left": etaText(t, h.d.Broadcaster.SendETA(total-done, paid)),
	}), nil
}

// etaText says a time left as the admin reads it: seconds under a minute,
// whole minutes (rounded up) beyond.
func etaText(t *turn, d time.Duration) string {
	secs := max(1, int((d+time.Second-1)/time.Second))
	if secs < 60 {
		return t.textf("eta_seconds", map[string]any{"Count": secs})
	}
	return t.textf("eta_minutes", map[string]any{"Count": (secs + 59) / 60})
}

// groupDigits writes n with thousands grouped as the language does:
// 1.000 in Vietnamese, 1,000 in English.
func groupDigits(lang string, n int) string {
	sep := ","
	if lang == "vi" {
		sep = "."
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// BroadcastProgress is told by the broadcast engine how a broadcast
// without a progress message of its own goes (broadcast.Deps.OnProgress):
// an urgent need's alerts refresh its admin's live status, so that the
// sending line moves while they go out and goes once they are all out.
func (h *Handlers) BroadcastProgress(ctx context.Context, b storage.Broadcast) error {
	if b.Kind != urgentKind {
		return nil
	}
	needID, err := h.d.Store.NeedOfBroadcast(ctx, b.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return h.refreshNeedStatus(ctx, needID)
}

// paidAlerts is how many more alerts of a need may go as paid broadcasts:
// what the operator's cap leaves after those already queued (widening
// starts more broadcasts of the same need).
func (h *Handlers) paidAlerts(ctx context.Context, needID int64) (int, error) {
	if h.d.UrgentPaidCap <= 0 {
		return 0, nil
	}
	used, err := h.d.Store.NeedPaidAlerts(ctx, needID)
	if err != nil {
		return 0, err
	}
	return max(0, h.d.UrgentPaidCap-used), nil
}
