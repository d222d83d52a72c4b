package broadcast

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/botapi"
	"donorbot/storage"
)

// content is what every recipient of one broadcast is sent.
type content struct {
	kind      string
	text      string
	parseMode string
	markup    json.RawMessage
}

// errLeaseShort stops a worker from sending from a claim that another
// process may take over soon.
var errLeaseShort = errors.New("broadcast: claim too old to send from")

// recordTimeout bounds writing one outcome, even during shutdown: an
// unrecorded send would be sent again.
const recordTimeout = 10 * time.Second

// deliverLoop is one worker: claim a few deliveries, send them one at a
// time, record each outcome as soon as it is known.
func (e *Engine) deliverLoop(ctx context.Context) {
	for ctx.Err() == nil {
		woken := e.work.C() // before the claim, so that no Start is missed
		// The lease is measured from before the claim: the local clock then
		// never believes a claim younger than the database does.
		claimed := time.Now()
		ds, err := e.store.ClaimDeliveries(ctx, e.cfg.Batch, e.cfg.Lease)
		if err != nil && ctx.Err() == nil {
			e.log.Error("broadcast: claim deliveries", "err", err)
		}
		if len(ds) == 0 {
			select {
			case <-woken:
			case <-time.After(e.cfg.Poll):
			case <-ctx.Done():
			}
			continue
		}
		for i, d := range ds {
			if err := e.deliver(ctx, d, claimed); err != nil {
				if ctx.Err() == nil && !errors.Is(err, errLeaseShort) {
					e.log.Error("broadcast: deliver", "broadcast_id", d.BroadcastID, "err", err)
				}
				e.release(ctx, ds[i:])
				break
			}
		}
	}
}

// deliver sends one delivery and records the outcome. It returns an error
// only when it did not send: ctx ended or the claim got too old.
func (e *Engine) deliver(ctx context.Context, d storage.Delivery, claimed time.Time) error {
	log := e.log.With("broadcast_id", d.BroadcastID, "delivery_id", d.ID, "chat_id", d.ChatID)
	if d.Unreachable {
		if err := e.store.MarkDeliveryBlocked(ctx, d.ID, "recipient unreachable"); err != nil {
			log.Error("broadcast: record delivery", "err", err)
		} else if c, err := e.content(ctx, d.BroadcastID); err == nil && e.onOutcome != nil {
			e.onOutcome(c.kind, storage.DeliveryBlocked)
		}
		return nil
	}
	c, err := e.content(ctx, d.BroadcastID)
	if err != nil {
		return err
	}
	wait := e.lim.wait
	if d.Paid {
		wait = e.lim.waitPaid
	}
	if err := wait(ctx, d.ChatID, false); err != nil {
		return err
	}
	if e.isCancelled(d.BroadcastID) {
		return nil // the delivery is already cancelled in the database
	}
	if time.Since(claimed) > e.cfg.Lease/2 {
		return errLeaseShort
	}
	text, markup := c.text, c.markup
	if d.Text != "" {
		text, markup = d.Text, d.ReplyMarkup
	}
	params := &bot.SendMessageParams{ChatID: d.ChatID, Text: text, ParseMode: models.ParseMode(c.parseMode),
		AllowPaidBroadcast: d.Paid}
	if len(markup) > 0 {
		params.ReplyMarkup = json.RawMessage(markup)
	}
	// In flight from here: shutdown must not cut the send from its record.
	sctx, cancelSend := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.SendTimeout)
	msg, err := e.bot.SendMessage(sctx, params)
	cancelSend()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	e.record(rctx, log, d, c.kind, msg, err)
	return nil
}

// record writes the outcome of one send.
func (e *Engine) record(ctx context.Context, log *slog.Logger, d storage.Delivery, kind string, msg *models.Message, sendErr error) {
	var err error
	outcome := storage.DeliveryPending // retried
	defer func() {
		if err == nil && e.onOutcome != nil {
			e.onOutcome(kind, outcome)
		}
	}()
	wait, flood := botapi.FloodWait(sendErr)
	switch {
	case sendErr == nil:
		err, outcome = e.markSent(ctx, d.ID, msg.ID), storage.DeliverySent
	case flood:
		log.Warn("broadcast: flood wait", "retry_after", wait)
		e.lim.pause(ctx, wait)
		err = e.store.RetryDelivery(ctx, d.ID, wait, false, "")
	case errors.Is(sendErr, bot.ErrorForbidden):
		log.Debug("broadcast: recipient blocked the bot")
		// Donor first: if the process dies in between, the delivery is
		// still pending and the next claim sees the mark.
		if err = e.store.SetDonorReachable(ctx, d.ChatID, false); err == nil {
			err, outcome = e.store.MarkDeliveryBlocked(ctx, d.ID, reason(sendErr)), storage.DeliveryBlocked
		}
	case errors.Is(sendErr, bot.ErrorBadRequest):
		// Telegram refused this message for this chat; it will again.
		log.Warn("broadcast: delivery refused", "err", sendErr)
		err, outcome = e.store.MarkDeliveryFailed(ctx, d.ID, reason(sendErr)), storage.DeliveryFailed
	case d.FailedAttempts+1 >= e.cfg.MaxAttempts:
		log.Warn("broadcast: delivery failed", "attempts", d.FailedAttempts+1, "err", sendErr)
		err, outcome = e.store.MarkDeliveryFailed(ctx, d.ID, reason(sendErr)), storage.DeliveryFailed
	default:
		wait := e.backoff(d.FailedAttempts + 1)
		log.Warn("broadcast: send failed, will retry", "attempt", d.FailedAttempts+1, "retry_in", wait, "err", sendErr)
		err = e.store.RetryDelivery(ctx, d.ID, wait, true, reason(sendErr))
	}
	if err != nil {
		log.Error("broadcast: record delivery", "err", err)
	}
}

// markSent records a sent message, trying a few times: left unrecorded, it
// would be sent again after the lease.
func (e *Engine) markSent(ctx context.Context, id int64, messageID int) error {
	var err error
	for attempt := range 4 {
		if err = e.store.MarkDeliverySent(ctx, id, messageID); err == nil {
			return nil
		}
		if sleep(ctx, time.Duration(100<<attempt)*time.Millisecond) != nil {
			break
		}
	}
	return err
}

// backoff is the wait before attempt n+1 after n failures.
func (e *Engine) backoff(failures int) time.Duration {
	d := e.cfg.Backoff
	for i := 1; i < failures && d < e.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, e.cfg.MaxBackoff)
}

// reason is what is stored of an error: Telegram's description, bounded.
func reason(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "")
	}
	return s
}

// release gives back deliveries this worker claimed and did not send.
func (e *Engine) release(ctx context.Context, ds []storage.Delivery) {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := e.store.ReleaseDeliveries(rctx, ids, ds[0].ClaimedAt); err != nil {
		e.log.Error("broadcast: release deliveries", "count", len(ids), "err", err)
	}
}

// content returns what a broadcast sends, loading it once per process.
func (e *Engine) content(ctx context.Context, broadcastID int64) (*content, error) {
	e.mu.Lock()
	c := e.contents[broadcastID]
	e.mu.Unlock()
	if c != nil {
		return c, nil
	}
	b, err := e.store.Broadcast(ctx, broadcastID)
	if err != nil {
		return nil, err
	}
	c = &content{kind: b.Kind, text: b.Text, parseMode: b.ParseMode, markup: b.ReplyMarkup}
	e.mu.Lock()
	e.contents[broadcastID] = c
	e.mu.Unlock()
	return c, nil
}

func (e *Engine) isCancelled(broadcastID int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.cancelled[broadcastID]
	return ok
}

// prune drops cached broadcasts that are no longer unfinished, such as
// those another process finished.
func (e *Engine) prune(unfinished []storage.Broadcast) {
	keep := make(map[int64]bool, len(unfinished))
	for _, b := range unfinished {
		keep[b.ID] = true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for id := range e.contents {
		if !keep[id] {
			delete(e.contents, id)
		}
	}
}

// forget drops what the engine keeps of a finished broadcast, except a
// cancel mark younger than a lease: a claim taken before the cancel stops
// sending half a lease after it was taken (errLeaseShort), so the marks
// that can no longer matter are only those older than that.
func (e *Engine) forget(broadcastID int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.contents, broadcastID)
	for id, at := range e.cancelled {
		if time.Since(at) > e.cfg.Lease {
			delete(e.cancelled, id)
		}
	}
}
