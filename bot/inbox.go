package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-telegram/bot/models"

	"donorbot/internal/batch"
	"donorbot/storage"
)

// inbox accepts updates exactly once: an update counts as accepted only
// once it is stored in PostgreSQL, whose primary key rejects redeliveries.
// Updates arriving together are stored by one statement, and updates
// finished together are marked by one (group commit); each caller still
// waits for its own statement, so nothing is acknowledged unstored and a
// crash leaves at most one handled-but-unmarked update per worker.
type inbox struct {
	m   *Metrics
	log *slog.Logger
	// turns are the dispatcher's counts of the chats' writes, noted
	// with each update's sender read (see prefetched).
	turns   *turnCounts
	stores  *batch.Batcher[storage.NewUpdate, storage.Accepted]
	handled *batch.Batcher[int64, struct{}]
}

// Batches hold at most inboxBatch updates. One statement of each kind runs
// at a time, so that calls arriving meanwhile share the next one: with two
// at a time, statements carried fewer updates for no more throughput (see
// BENCHMARKS.md).
const (
	inboxBatch   = 128
	inboxFlushes = 1
	inboxTimeout = 10 * time.Second
)

// newInbox reads the senders of the updates it stores on the handlers'
// day (today), counting their chats' turns with turns.
func newInbox(store *storage.Store, m *Metrics, log *slog.Logger, today func() time.Time, turns *turnCounts) *inbox {
	return &inbox{
		m:     m,
		log:   log,
		turns: turns,
		stores: batch.New(inboxFlushes, inboxBatch, inboxTimeout,
			func(ctx context.Context, ups []storage.NewUpdate) ([]storage.Accepted, error) {
				return store.AcceptUpdatesWithSenders(ctx, today(), ups)
			}),
		handled: batch.New(inboxFlushes, inboxBatch, inboxTimeout,
			func(ctx context.Context, ids []int64) ([]struct{}, error) {
				return make([]struct{}, len(ids)), store.MarkUpdatesHandled(ctx, ids)
			}),
	}
}

// accept stores upd (whose JSON is raw, made storable). It reports false for
// an update seen before, or refused by the store, which must have no further
// effect. An error means the update may not be stored and must be refused
// so that Telegram delivers it again (if it was stored after all, the
// redelivery is a duplicate and the sweeper hands the stored one to a
// worker after the lease). A fresh update comes with its sender's read,
// for the dispatcher (dispatchRead).
func (in *inbox) accept(ctx context.Context, upd *models.Update, raw []byte) (bool, *prefetched, error) {
	chatID, userID := Route(upd)
	turns := in.turns.of(chatID) // before the statement: see prefetched
	got, err := in.stores.Do(ctx, storage.NewUpdate{UpdateID: upd.ID, ChatID: chatID, UserID: userID, Payload: raw})
	if err != nil {
		return false, nil, fmt.Errorf("accept update %d: %w", upd.ID, err)
	}
	switch {
	case got.Refused != "":
		// Only the SQLSTATE: the refused payload is what a user wrote.
		in.log.Error("update refused by the store, dropped", "update_id", upd.ID, "sqlstate", got.Refused)
		in.m.Refused.Inc()
	case !got.Fresh:
		in.m.Duplicates.Inc()
	}
	if !got.Fresh || got.Sender == nil {
		return got.Fresh, nil, nil
	}
	return true, &prefetched{read: got.Sender, chatID: chatID, turns: turns}, nil
}

// done records that an update had its effect.
func (in *inbox) done(ctx context.Context, updateID int64) error {
	if _, err := in.handled.Do(ctx, updateID); err != nil {
		return fmt.Errorf("mark update %d handled: %w", updateID, err)
	}
	return nil
}

// Route returns the chat whose order an update belongs to and its sender
// (the load driver's floor stores updates the way the inbox does).
func Route(upd *models.Update) (chatID, userID int64) {
	switch {
	case upd.Message != nil:
		chatID = upd.Message.Chat.ID
		if upd.Message.From != nil {
			userID = upd.Message.From.ID
		}
	case upd.EditedMessage != nil:
		chatID = upd.EditedMessage.Chat.ID
		if upd.EditedMessage.From != nil {
			userID = upd.EditedMessage.From.ID
		}
	case upd.CallbackQuery != nil:
		userID = upd.CallbackQuery.From.ID
		chatID = userID
		if m := upd.CallbackQuery.Message.Message; m != nil {
			chatID = m.Chat.ID
		}
	case upd.MyChatMember != nil:
		chatID = upd.MyChatMember.Chat.ID
		userID = upd.MyChatMember.From.ID
	}
	return chatID, userID
}

// updateType names the kind of update, for metrics and logs.
func updateType(upd *models.Update) string {
	switch {
	case upd.Message != nil && upd.Message.Contact != nil:
		return "contact"
	case upd.Message != nil:
		return "message"
	case upd.EditedMessage != nil:
		return "edited_message"
	case upd.CallbackQuery != nil:
		return "callback_query"
	case upd.MyChatMember != nil:
		return "my_chat_member"
	default:
		return "other"
	}
}

// sweep re-dispatches updates that were accepted but not handled within the
// lease (their process died), and prunes old handled ones.
func (a *App) sweep(ctx context.Context) {
	interval := max(a.cfg.InboxLease/2, 200*time.Millisecond)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	lastPrune := time.Time{}
	for {
		a.reclaim(ctx)
		a.resendOutbox(ctx)
		if time.Since(lastPrune) > 10*time.Minute {
			if n, err := a.store.PruneOutbox(ctx, time.Hour); err != nil && ctx.Err() == nil {
				a.log.Error("prune outbox", "err", err)
			} else if n > 0 {
				a.log.Info("pruned outbox", "count", n)
			}
			if n, err := a.store.PruneUpdates(ctx, 48*time.Hour); err != nil {
				if ctx.Err() != nil {
					return // shutting down: nothing went wrong
				}
				a.log.Error("prune updates", "err", err)
			} else if n > 0 {
				a.log.Info("pruned updates", "count", n)
			}
			lastPrune = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// maxAttempts stops an update that crashes its handler every time from
// being retried forever.
const maxAttempts = 5

func (a *App) reclaim(ctx context.Context) {
	if held := a.dispatcher.holding(); len(held) > 0 {
		if err := a.store.RenewUpdateLeases(ctx, held); err != nil && ctx.Err() == nil {
			a.log.Error("renew update leases", "count", len(held), "err", err)
		}
	}
	stale, err := a.store.ClaimStaleUpdates(ctx, a.cfg.InboxLease, 100)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("claim stale updates", "err", err)
		}
		return
	}
	for _, su := range stale {
		var upd models.Update
		if err := json.Unmarshal(su.Payload, &upd); err != nil || su.Attempts > maxAttempts || upd.ID == 0 {
			a.log.Error("dropping unhandled update", "update_id", su.UpdateID, "attempts", su.Attempts, "decode_err", err)
			if err := a.store.MarkUpdateHandled(ctx, su.UpdateID); err != nil {
				a.log.Error("mark dropped update", "update_id", su.UpdateID, "err", err)
			}
			continue
		}
		if a.dispatcher.holds(upd.ID) {
			continue // queued here behind a slow chat: not abandoned
		}
		a.log.Info("resuming unhandled update", "update_id", su.UpdateID, "attempts", su.Attempts)
		if err := a.dispatcher.dispatch(ctx, &upd); err != nil {
			return
		}
	}
}

// resendOutbox sends the replies of updates whose process died after
// committing them (see storage.Work): the update is handled, and is not run
// again; only its effects are sent.
func (a *App) resendOutbox(ctx context.Context) {
	for {
		n, err := a.engine.SweepOutbox(ctx, a.cfg.InboxLease)
		if err != nil && ctx.Err() == nil {
			a.log.Error("outbox sweep", "err", err)
		}
		if err != nil || n == 0 {
			return
		}
	}
}
