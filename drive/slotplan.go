package drive

import (
	"errors"
	"fmt"
	"time"
)

// ErrSlotPartial refuses a slot plan whose window is not a whole number of
// slots, e.g. 07:30–11:15 every 30 minutes.
var ErrSlotPartial = errors.New("drive: the window is not a whole number of slots")

// SlotPlan is the console's slot generator: from, to, every N minutes,
// seats per slot.
type SlotPlan struct {
	From, To time.Time
	Every    time.Duration
	Seats    int
}

// Generate cuts the plan into its slots. A last partial slot is refused
// (ErrSlotPartial), neither dropped nor stretched: the organizer sees in the
// preview exactly the slots donors will book, and the drive's announced end
// is the end of its last slot. Dropping it would announce a closing time at
// which nobody can book; stretching it would make one slot longer than the
// pace the organizer planned the screening staff for. The window, length
// and seats follow the rules of ValidateDraft.
func (p SlotPlan) Generate() ([]Slot, error) {
	if err := checkWindow(p.From, p.To); err != nil {
		return nil, err
	}
	window := p.To.Sub(p.From)
	if err := checkSlots(window, p.Every, p.Seats); err != nil {
		return nil, err
	}
	if rest := window % p.Every; rest != 0 {
		return nil, fmt.Errorf("%w: %s left after the last slot of %s", ErrSlotPartial, rest, p.Every)
	}
	// A whole number of slots: Slots cuts exactly these, with no tail rule.
	return Slots(p.From, p.To, p.Every, p.Seats)
}

// Seats is the total of the slots' seats.
func Seats(slots []Slot) int {
	n := 0
	for _, s := range slots {
		n += s.Capacity
	}
	return n
}
