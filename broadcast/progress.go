package broadcast

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-telegram/bot"

	"donorbot/storage"
)

// Progress is where a broadcast stands, for the admin who started it.
type Progress struct {
	BroadcastID int64
	Kind        string
	Lang        string
	CreatedBy   int64
	// Total counts the distinct recipients; the rest split it.
	Total, Sent, Failed, Blocked, Cancelled, Pending int
	// Elapsed is the time since Start (until the end, once Done).
	Elapsed time.Duration
	// ETA estimates the time left, from the rate so far and the configured
	// one; 0 once nothing is pending.
	ETA time.Duration
	// Done is set on the final report: nothing is pending any more.
	Done bool
	// Stopped is set once Cancel was called.
	Stopped bool
}

// Renderer turns Progress into the progress message's text and reply
// markup (typically an InlineKeyboard with a Cancel button while !p.Done,
// nil once done). The caller renders from its locale files; the engine
// holds no text of its own.
type Renderer func(p Progress) (text string, markup any)

// Progress reports where a broadcast stands.
func (e *Engine) Progress(ctx context.Context, broadcastID int64) (Progress, error) {
	b, err := e.store.Broadcast(ctx, broadcastID)
	if err != nil {
		return Progress{}, fmt.Errorf("broadcast: progress of %d: %w", broadcastID, err)
	}
	c, err := e.store.CountDeliveries(ctx, broadcastID)
	if err != nil {
		return Progress{}, fmt.Errorf("broadcast: progress of %d: %w", broadcastID, err)
	}
	return e.progress(b, c, time.Now()), nil
}

func (e *Engine) progress(b storage.Broadcast, c storage.DeliveryCounts, now time.Time) Progress {
	p := Progress{
		BroadcastID: b.ID, Kind: b.Kind, Lang: b.Lang, CreatedBy: b.CreatedBy,
		Total: c.Total, Sent: c.Sent, Failed: c.Failed, Blocked: c.Blocked,
		Cancelled: c.Cancelled, Pending: c.Pending,
		Elapsed: now.Sub(b.CreatedAt), Done: c.Pending == 0, Stopped: !b.CancelledAt.IsZero(),
	}
	if !b.FinishedAt.IsZero() {
		p.Elapsed = b.FinishedAt.Sub(b.CreatedAt)
	}
	p.Elapsed = max(p.Elapsed, 0).Round(time.Second)
	if c.Pending > 0 {
		rate := float64(e.cfg.Rate) * (1 - e.cfg.Headroom)
		eta := time.Duration(float64(c.Pending) / rate * float64(time.Second))
		if done := c.Total - c.Pending; done > 0 && p.Elapsed > 0 {
			eta = max(eta, time.Duration(float64(p.Elapsed)*float64(c.Pending)/float64(done)))
		}
		p.ETA = eta.Round(time.Second)
	}
	return p
}

// reportProgress keeps every unfinished broadcast's progress message up to
// date and stamps broadcasts finished.
func (e *Engine) reportProgress(ctx context.Context) {
	every := min(e.cfg.ProgressEvery, time.Second)
	for {
		nudged := e.nudge.C()
		bs, err := e.store.UnfinishedBroadcasts(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Error("broadcast: unfinished broadcasts", "err", err)
		}
		if err == nil {
			e.prune(bs)
		}
		for _, b := range bs {
			if err := e.reportOne(ctx, b); err != nil && ctx.Err() == nil {
				e.log.Error("broadcast: progress", "broadcast_id", b.ID, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-nudged:
		case <-time.After(every):
		}
	}
}

// reportOne edits one progress message, at most once per ProgressEvery
// across all processes, or shows the final report once nothing is pending.
func (e *Engine) reportOne(ctx context.Context, b storage.Broadcast) error {
	c, err := e.store.CountDeliveries(ctx, b.ID)
	if err != nil {
		return err
	}
	if c.Pending == 0 {
		return e.finish(ctx, b.ID)
	}
	if b.ProgressChatID == 0 && e.onProgress == nil {
		return nil
	}
	key := e.cfg.KeyPrefix + "broadcast:progress:" + strconv.FormatInt(b.ID, 10)
	mine, err := e.rdb.SetNX(ctx, key, 1, e.cfg.ProgressEvery).Result()
	if err != nil {
		return fmt.Errorf("progress turn: %w", err)
	}
	if !mine {
		return nil
	}
	if b.ProgressChatID == 0 {
		return e.onProgress(ctx, b)
	}
	return e.show(ctx, b, c)
}

// finish stamps the broadcast finished; the one process that does shows the
// final report.
func (e *Engine) finish(ctx context.Context, id int64) error {
	done, err := e.store.FinishBroadcast(ctx, id)
	if err != nil || !done {
		return err
	}
	e.forget(id)
	// Read again: the progress message may have been sent meanwhile.
	b, err := e.store.Broadcast(ctx, id)
	if err != nil {
		return err
	}
	c, err := e.store.CountDeliveries(ctx, id)
	if err != nil {
		return err
	}
	e.log.Info("broadcast finished", "broadcast_id", id, "total", c.Total, "sent", c.Sent,
		"failed", c.Failed, "blocked", c.Blocked, "cancelled", c.Cancelled,
		"took", b.FinishedAt.Sub(b.CreatedAt).Round(time.Millisecond))
	if b.ProgressChatID == 0 {
		if e.onProgress == nil {
			return nil
		}
		return e.onProgress(ctx, b)
	}
	return e.show(ctx, b, c)
}

// show sends or edits the progress message through the priority path.
func (e *Engine) show(ctx context.Context, b storage.Broadcast, c storage.DeliveryCounts) error {
	text, markup := e.render(e.progress(b, c, time.Now()))
	if b.ProgressMessageID == 0 {
		id, err := e.SendNow(ctx, b.ProgressChatID, text, markup)
		if errors.Is(err, ErrBlocked) {
			return nil
		}
		if err != nil {
			return err
		}
		return e.store.SetBroadcastProgressMessage(ctx, b.ID, id)
	}
	err := e.EditNow(ctx, b.ProgressChatID, b.ProgressMessageID, text, markup)
	switch {
	case errors.Is(err, ErrBlocked):
		return nil
	case errors.Is(err, bot.ErrorBadRequest):
		// Deleted by the admin, or too old to edit: send a new one next time.
		e.log.Info("broadcast: progress message lost", "broadcast_id", b.ID, "err", err)
		return e.store.SetBroadcastProgressMessage(ctx, b.ID, 0)
	}
	return err
}

// SendETA is how long pending bulk messages take to go out at the
// configured rates (less the headroom), paid of them at PaidRate, the rest
// at Rate, rounded up to a second; other broadcasts of higher priority
// would add to it.
func (e *Engine) SendETA(pending, paid int) time.Duration {
	paid = min(max(paid, 0), pending)
	if pending <= 0 {
		return 0
	}
	keep := 1 - e.cfg.Headroom
	secs := float64(pending-paid)/(float64(e.cfg.Rate)*keep) + float64(paid)/(float64(e.cfg.PaidRate)*keep)
	return time.Duration(math.Ceil(secs)) * time.Second
}
