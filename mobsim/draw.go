package mobsim

// Event names a question asked of a donor, so that each draw is its own.
type Event uint64

// Events of a donor's life in a campaign.
const (
	EventRespond Event = iota + 1
	EventShow
	EventDeskDeferral
	EventSlot
)

// Draw is a number in [0, 1) fixed by the seed, the donor, the event and
// key (a drive, a message): asking twice, or in another order, gives the
// same answer, so runs repeat even though the bot delivers in its own
// order.
func Draw(seed uint64, donor int, e Event, key int64) float64 {
	x := splitmix(seed ^ splitmix(uint64(donor)+1) ^ splitmix(uint64(e)<<56^uint64(key)))
	return float64(x>>11) / (1 << 53)
}

// splitmix is SplitMix64's finalizer: a cheap bijective mixer whose
// output bits each depend on every input bit.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
