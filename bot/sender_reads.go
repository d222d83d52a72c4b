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
// It is when no turn of the update's chat committed between the
// statement's snapshot and the turn's start: both reads then see the same
// of everything the chat did. The inbox notes the chat's count of
// finished turns (turnCounts) before it hands the update to the batcher,
// so before the statement that carries it begins. The dispatcher runs a
// chat's turns one at a time, and counts a turn finished (after its
// commit, its replies and its Afters) before the chat's next turn starts.
// So a turn of the chat that committed after the snapshot finished after
// the note and before this update's turn: the count has moved. An earlier
// update of the chat, whether queued, running or in the same batch, runs
// and is counted before this one, so it moves the count too. A count equal
// to the note proves that no turn of this chat in this process committed
// since the snapshot; a collision of chats on a counter costs a read, no
// more.
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
	turns  uint64 // the chat's finished turns before the statement
}

// turnCounts counts finished turns by chat, hashed into a fixed array:
// no map to grow or prune, and chats sharing a counter only read more.
type turnCounts struct{ n [1024]atomic.Uint64 }

func (c *turnCounts) counter(chatID int64) *atomic.Uint64 {
	const golden = 0x9e3779b97f4a7c15 // spreads consecutive ids over the array
	return &c.n[(uint64(chatID)*golden)>>54]
}

// of is how many turns of chatID (and of chats sharing its counter)
// finished so far.
func (c *turnCounts) of(chatID int64) uint64 { return c.counter(chatID).Load() }

func (c *turnCounts) finished(chatID int64) { c.counter(chatID).Add(1) }

// withSender gives the turn the prefetched read when it is still fresh
// (see prefetched); otherwise the turn reads its sender itself.
func (p *prefetched) withSender(ctx context.Context, counts *turnCounts) context.Context {
	if p == nil || p.read == nil || counts.of(p.chatID) != p.turns {
		return ctx
	}
	return storage.WithSenderRead(ctx, p.read)
}
