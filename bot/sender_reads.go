package bot

import (
	"context"
	"sync/atomic"

	"donorbot/storage"
)

// prefetched is a fresh update's sender as read by the statement that
// stored it, with what its turn needs to know whether the read is still
// as fresh as a read of its own would be.
//
// It is when no write of a turn of the update's chat committed between the
// statement's snapshot and the turn's start: both reads then see the same
// of everything the chat did. The dispatcher counts each chat's writes
// (turnCounts): a turn's unit of work when its commit was attempted (before
// the turn's replies go out), and, once the turn returns, the turn again if
// it ran a statement that may write outside a unit (after its commit: an
// After function, the outbox marking the donor unreachable; see
// storage.TurnWrites). Every write a turn makes is one of these: Store runs
// it in the unit or through Store.q, begin or guarded, with the turn's
// context (the group-commit batchers, whose statement may run in another
// caller's goroutine, write only updates and outbox, which the read does
// not read).
// The inbox notes the chat's count before it hands the update to the
// batcher, so before the statement that carries it begins. A write of the
// chat committed after the snapshot was counted after the note and, since
// the dispatcher runs a chat's turns one at a time, before this update's
// turn started: the count has moved. That holds for an earlier update of
// the chat queued, running or in the same batch alike. A count equal to the
// note proves that no turn of this chat in this process committed a write
// since the snapshot; a collision of chats on a counter costs a read, no
// more. Writes are counted, not finished turns: a user's next update
// usually comes once the last turn's first reply went out, before that
// turn finished sending the rest.
//
// The rule orders the chat's own turns only. Another chat's turn (an
// organizer recording a result), the console, a broadcast marking the
// donor unreachable, or a turn of the same chat in another process (per-
// chat order does not hold across processes, README) may commit between
// the snapshot and the turn, just as they may between a read at turn start
// and the turn's first write: they are as concurrent as they were.
type prefetched struct {
	read   *storage.SenderRead
	chatID int64
	turns  uint64 // the chat's count of writes before the statement
}

// turnCounts counts the writes of turns by chat, hashed into a fixed
// array: no map to grow or prune, and chats sharing a counter only read
// more.
type turnCounts struct{ n [1024]atomic.Uint64 }

func (c *turnCounts) counter(chatID int64) *atomic.Uint64 {
	const golden = 0x9e3779b97f4a7c15 // spreads consecutive ids over the array
	return &c.n[(uint64(chatID)*golden)>>54]
}

// of is how many writes of turns of chatID (and of chats sharing its
// counter) were counted so far.
func (c *turnCounts) of(chatID int64) uint64 { return c.counter(chatID).Load() }

func (c *turnCounts) wrote(chatID int64) { c.counter(chatID).Add(1) }

// withSender gives the turn the prefetched read when it is still fresh
// (see prefetched); otherwise the turn reads its sender itself.
func (p *prefetched) withSender(ctx context.Context, counts *turnCounts) context.Context {
	if p == nil || p.read == nil || counts.of(p.chatID) != p.turns {
		return ctx
	}
	return storage.WithSenderRead(ctx, p.read)
}
