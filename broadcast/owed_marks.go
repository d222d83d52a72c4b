package broadcast

import (
	"context"
	"slices"
	"sync"
	"time"

	"donorbot/storage"
)

// A flush's last sent marks are owed rather than awaited: the chat's next
// turn carries them in its commit statement (MarksOf, storage.Work.Carry),
// so they are durable before that turn sends anything, and a timer marks
// those no turn carried within Config.MarkLinger. The timer ticks every
// MarkLinger while marks are owed and takes only those owed before its
// previous tick, so each waits one to two lingers: a mark owed a moment
// before a tick is left to its chat's next turn, which under load comes
// first, rather than costing a statement and a carry that finds nothing;
// the marks of chats whose turns did not come share one statement a tick.
// The bound of README's guarantees holds: after a crash, what may be made
// again in a chat is the tail of its last flush, as when the flush in
// progress dies; a clean stop marks everything owed (Run). A mark carried
// or made twice changes nothing (an OR of done bits).

// owedMarks holds the sent calls not yet marked, by chat.
type owedMarks struct {
	mu     sync.Mutex
	byChat map[int64][]storage.OutboxRow
	// since is the tick during which each chat's oldest owed call was
	// owed; tick counts the timer's ticks.
	since map[int64]uint64
	tick  uint64
	timer *time.Timer // set while marks are owed
	// sending counts, by update and call, the calls a flush of this
	// process is making: not owed yet, not to be made by the sweep.
	sending map[callKey]int
}

// callKey names one call of a turn's outbox row.
type callKey struct {
	updateID int64
	seq      int
}

// startSending notes rows as being sent by a flush until doneSending.
func (e *Engine) startSending(rows []storage.OutboxRow) {
	e.owed.mu.Lock()
	defer e.owed.mu.Unlock()
	if e.owed.sending == nil {
		e.owed.sending = map[callKey]int{}
	}
	for _, r := range rows {
		e.owed.sending[callKey{r.UpdateID, r.Seq}]++
	}
}

func (e *Engine) doneSending(rows []storage.OutboxRow) {
	e.owed.mu.Lock()
	defer e.owed.mu.Unlock()
	for _, r := range rows {
		k := callKey{r.UpdateID, r.Seq}
		if e.owed.sending[k]--; e.owed.sending[k] <= 0 {
			delete(e.owed.sending, k)
		}
	}
}

// owe records sent calls whose mark is owed, and has the timer mark them
// unless a turn carries them first.
func (e *Engine) owe(rows []storage.OutboxRow) {
	if len(rows) == 0 {
		return
	}
	o := &e.owed
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byChat == nil {
		o.byChat = map[int64][]storage.OutboxRow{}
		o.since = map[int64]uint64{}
	}
	for _, r := range rows {
		if len(o.byChat[r.ChatID]) == 0 {
			o.since[r.ChatID] = o.tick
		}
		o.byChat[r.ChatID] = append(o.byChat[r.ChatID], r)
	}
	if o.timer == nil {
		o.timer = time.AfterFunc(e.cfg.MarkLinger, e.markOwedInTime)
	}
}

// MarksOf returns the marks owed for chatID's sent calls, for the commit
// of the chat's next turn to carry; MarksCarried settles them once it has.
func (e *Engine) MarksOf(chatID int64) []storage.OutboxRow {
	e.owed.mu.Lock()
	defer e.owed.mu.Unlock()
	return slices.Clone(e.owed.byChat[chatID])
}

// ownRows splits rows the sweep claimed into those whose marks are owed
// (calls this process has sent), those a flush of this process is sending,
// and the rest.
func (e *Engine) ownRows(rows []storage.OutboxRow) (owed, sending, rest []storage.OutboxRow) {
	e.owed.mu.Lock()
	defer e.owed.mu.Unlock()
	for _, r := range rows {
		switch {
		case slices.ContainsFunc(e.owed.byChat[r.ChatID], sameCall(r)):
			owed = append(owed, r)
		case e.owed.sending[callKey{r.UpdateID, r.Seq}] > 0:
			sending = append(sending, r)
		default:
			rest = append(rest, r)
		}
	}
	return owed, sending, rest
}

// sameCall matches the rows of r's call.
func sameCall(r storage.OutboxRow) func(storage.OutboxRow) bool {
	return func(x storage.OutboxRow) bool { return x.UpdateID == r.UpdateID && x.Seq == r.Seq }
}

// MarksCarried forgets marks a committed turn carried.
func (e *Engine) MarksCarried(rows []storage.OutboxRow) {
	e.owed.mu.Lock()
	defer e.owed.mu.Unlock()
	e.owed.forget(rows)
}

// forget drops rows from what is owed; the caller holds mu.
func (o *owedMarks) forget(rows []storage.OutboxRow) {
	for _, r := range rows {
		owed := o.byChat[r.ChatID]
		owed = slices.DeleteFunc(owed, sameCall(r))
		if len(owed) == 0 {
			delete(o.byChat, r.ChatID)
			delete(o.since, r.ChatID)
		} else {
			o.byChat[r.ChatID] = owed
		}
	}
}

// markOwedInTime is the timer's tick: it marks the calls owed before the
// previous tick, which no turn carried within a linger, and ticks again
// while anything is owed. Calls it fails to mark stay owed for the next.
func (e *Engine) markOwedInTime() {
	ctx, cancel := context.WithTimeout(context.Background(), markTimeout)
	defer cancel()
	o := &e.owed
	o.mu.Lock()
	o.timer = nil
	var due []storage.OutboxRow
	for chat, owed := range o.byChat {
		if o.since[chat] < o.tick {
			due = append(due, owed...)
		}
	}
	o.tick++
	o.mu.Unlock()
	if err := e.markRows(ctx, due); err != nil {
		e.log.Warn("outbox: owed sent marks failed, tried again", "err", err)
	}
	o.mu.Lock()
	if o.timer == nil && len(o.byChat) > 0 {
		o.timer = time.AfterFunc(e.cfg.MarkLinger, e.markOwedInTime)
	}
	o.mu.Unlock()
}

// markOwed marks every call owed now, in one statement.
func (e *Engine) markOwed(ctx context.Context) error {
	e.owed.mu.Lock()
	var rows []storage.OutboxRow
	for _, owed := range e.owed.byChat {
		rows = append(rows, owed...)
	}
	e.owed.mu.Unlock()
	return e.markRows(ctx, rows)
}

// markRows marks owed calls in one statement and forgets them.
func (e *Engine) markRows(ctx context.Context, rows []storage.OutboxRow) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := e.marks.Do(ctx, rows); err != nil {
		return err
	}
	e.MarksCarried(rows)
	return nil
}
