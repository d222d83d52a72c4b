package mobilize

import "time"

// CapWindow is the rolling window of the contact cap.
const CapWindow = 30 * 24 * time.Hour

// DefaultCap is how many non-urgent messages a donor gets per CapWindow
// when CONTACT_CAP is not set.
const DefaultCap = 4

// UnderCap says whether a donor who was sent non-urgent messages at sent
// may be sent one more at now: fewer than limit of them fall in the
// CapWindow ending at now. A limit of 0 or less is no cap.
func UnderCap(sent []time.Time, now time.Time, limit int) bool {
	if limit <= 0 {
		return true
	}
	from := now.Add(-CapWindow)
	n := 0
	for _, t := range sent {
		if t.After(from) && !t.After(now) {
			n++
		}
	}
	return n < limit
}
