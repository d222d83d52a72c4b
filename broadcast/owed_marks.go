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
// those no turn carried within Config.MarkLinger. The bound of README's
// guarantees holds: after a crash, what may be made again in a chat is the
// tail of its last flush, as when the flush in progress dies; a clean stop
// marks everything owed (Run). A mark carried or made twice changes
// nothing (an OR of done bits).

// owedMarks holds the sent calls not yet marked, by chat.
type owedMarks struct {
	mu     sync.Mutex
	byChat map[int64][]storage.OutboxRow
	timer  *time.Timer // set while a timed mark is due
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
	}
	for _, r := range rows {
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
		owed = slices.DeleteFunc(owed, func(x storage.OutboxRow) bool {
			return x.UpdateID == r.UpdateID && x.Seq == r.Seq
		})
		if len(owed) == 0 {
			delete(o.byChat, r.ChatID)
		} else {
			o.byChat[r.ChatID] = owed
		}
	}
}

// markOwedInTime is the timer's mark of whatever no turn carried.
func (e *Engine) markOwedInTime() {
	ctx, cancel := context.WithTimeout(context.Background(), markTimeout)
	defer cancel()
	e.owed.mu.Lock()
	e.owed.timer = nil
	e.owed.mu.Unlock()
	if err := e.markOwed(ctx); err != nil {
		e.log.Warn("outbox: owed sent marks failed, tried again", "err", err)
		e.owed.mu.Lock()
		if e.owed.timer == nil {
			e.owed.timer = time.AfterFunc(e.cfg.MarkLinger, e.markOwedInTime)
		}
		e.owed.mu.Unlock()
	}
}

// markOwed marks every call owed now, in one statement.
func (e *Engine) markOwed(ctx context.Context) error {
	e.owed.mu.Lock()
	var rows []storage.OutboxRow
	for _, owed := range e.owed.byChat {
		rows = append(rows, owed...)
	}
	e.owed.mu.Unlock()
	if len(rows) == 0 {
		return nil
	}
	if _, err := e.marks.Do(ctx, rows); err != nil {
		return err
	}
	e.MarksCarried(rows)
	return nil
}
