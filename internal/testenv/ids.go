package testenv

import "sync/atomic"

// firstTelegramID starts the allocator's range: far above the fixed ids
// tests write (7701, 88701…) and the random chat ids of the broadcast tests
// (below 1e9), below storage's random donor ranges (from 5e12), and well
// inside Telegram's 52-bit ids.
const firstTelegramID = 3_000_000_000_000

var lastTelegramID atomic.Int64

// TelegramIDs returns n Telegram user ids no other call in this process
// returns. The tests of a package share its database, so a donor written
// under a fixed id meets whatever another test (or benchmark) left under
// the same id; ids from here meet nothing.
func TelegramIDs(n int) []int64 {
	last := lastTelegramID.Add(int64(n)) + firstTelegramID
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last - int64(n) + 1 + int64(i)
	}
	return ids
}

// TelegramID returns one id of TelegramIDs.
func TelegramID() int64 { return TelegramIDs(1)[0] }
