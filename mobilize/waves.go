package mobilize

import (
	"math"
	"slices"
	"time"
)

// DefaultCheckpoints are the days before a drive at which auto-fill looks
// at its forecast, as the issue suggests: the first wave leaves time for a
// second and a third, and 2 days is the last a donor can still arrange.
var DefaultCheckpoints = []int{10, 5, 2}

// MaxCheckpoint is the earliest checkpoint an organizer may set: an
// invitation two months ahead is forgotten by the drive's day.
const MaxCheckpoint = 60

// MaxCheckpoints is how many checkpoints a drive may have: each is a wave,
// and each wave costs its invitees one of their CapWindow's contacts.
const MaxCheckpoints = 5

// ValidCheckpoints says whether cps is a usable set of checkpoints: 1 to
// MaxCheckpoints distinct days, each from 0 (the drive's own morning) to
// MaxCheckpoint.
func ValidCheckpoints(cps []int) bool {
	if len(cps) == 0 || len(cps) > MaxCheckpoints {
		return false
	}
	seen := map[int]bool{}
	for _, c := range cps {
		if c < 0 || c > MaxCheckpoint || seen[c] {
			return false
		}
		seen[c] = true
	}
	return true
}

// DueCheckpoint is the checkpoint whose wave is due when the drive is
// daysUntil calendar days away and the waves of done ran already: the
// latest checkpoint reached (the smallest k with daysUntil <= k), unless
// it ran. An earlier checkpoint missed (the scheduler was down, auto-fill
// was turned on late) is not caught up: its forecast is stale, and the
// latest one's wave closes the same gap.
func DueCheckpoint(checkpoints []int, daysUntil int, done []int) (int, bool) {
	if daysUntil < 0 {
		return 0, false
	}
	due, ok := 0, false
	for _, k := range checkpoints {
		if daysUntil <= k && (!ok || k < due) {
			due, ok = k, true
		}
	}
	if !ok || slices.Contains(done, due) {
		return 0, false
	}
	return due, true
}

// DefaultResponseRate is the share of invited donors assumed to donate
// at the drive when a unit has no invitation history yet. It is an
// assumption, not a measurement: one in ten, cautious enough that a first
// wave is not too small, and replaced by the unit's own figures as its
// waves are answered (PriorInvitations).
const DefaultResponseRate = 0.10

// PriorInvitations is how many past invitations the default weighs as.
const PriorInvitations = 100

// Response is what a unit's past invitations gave: of Invited donors,
// Donated donated at the drive they were invited to.
type Response struct {
	Invited int
	Donated int
}

// Rate is the share of invited donors expected to donate: donated ÷
// invited, blended toward DefaultResponseRate by PriorInvitations, bounded
// to (0, 1].
func (r Response) Rate() float64 {
	// Never 0: a wave divides its gap by it.
	return max(blendedRate(r.Donated, r.Invited, DefaultResponseRate, PriorInvitations), 0.001)
}

// Expected is how many of n invitees are expected to donate at rate,
// rounded to the nearest.
func Expected(n int, rate float64) int { return int(math.Round(float64(n) * rate)) }

// AnswerWait is how long after an invitation the donor's answer is
// taken as given: most who register do so within a day or two, and an
// invitation younger than this read as a refusal would make the next wave
// too large.
const AnswerWait = 48 * time.Hour

// WithDrive adds to r the answers to the drive's own earlier waves: of
// invited donors (sent at least AnswerWait ago), registered registered,
// each expected to donate at showRate. A drive's later checkpoints so
// learn from its first wave's answers rather than waiting for the drive
// to end, which is what sizes them right when the unit has no invitation
// history yet.
func (r Response) WithDrive(invited, registered int, showRate float64) Response {
	invited, registered = max(invited, 0), min(max(registered, 0), max(invited, 0))
	r.Invited += invited
	r.Donated += int(math.Round(float64(registered) * min(max(showRate, 0), 1)))
	return r
}
