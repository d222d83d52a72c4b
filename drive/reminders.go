package drive

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// KindThanks is the reminder kind of the thank-you sent after a drive to the
// donors who attended.
const KindThanks = "thanks"

// DefaultReminderOffsets are the reminders before a slot: the day before, to
// plan, and two hours before, to set off.
var DefaultReminderOffsets = []time.Duration{24 * time.Hour, 2 * time.Hour}

// MaxReminderOffset bounds the offsets: a reminder a week ahead is the
// announcement's job.
const MaxReminderOffset = 7 * 24 * time.Hour

// ThanksWindow is how long after a drive ends its thank-you may still go out:
// attendance is often marked the day after, but a thank-you a week later
// reads like a mistake.
const ThanksWindow = 72 * time.Hour

// ErrReminderOffset is an offset that is not a whole number of minutes
// between one minute and MaxReminderOffset.
var ErrReminderOffset = errors.New("drive: reminder offset must be whole minutes, at most 7 days")

// ReminderRule is one reminder before a slot. It is due from Offset before
// the slot starts until Until before it; from then on a nearer reminder, or
// the slot itself, has superseded it and it is stale: never sent, so that a
// donor who registers an hour before is not told "your donation is tomorrow".
// A reminder that fell due before the registration took its place is stale
// too: the donor has just read every detail in the confirmation. The rule is
// applied in SQL by storage.Store.QueueDueReminders.
type ReminderRule struct {
	Kind   string
	Offset time.Duration
	Until  time.Duration // the next smaller offset, or 0
}

// ReminderKind names the reminder sent offset before a slot: "24h", "2h",
// "90m". Kinds are stored with each reminder sent.
func ReminderKind(offset time.Duration) string {
	if offset%time.Hour == 0 {
		return fmt.Sprintf("%dh", offset/time.Hour)
	}
	return fmt.Sprintf("%dm", offset/time.Minute)
}

// ReminderRules turns offsets into rules, farthest first, without duplicates.
func ReminderRules(offsets []time.Duration) ([]ReminderRule, error) {
	sorted := slices.Clone(offsets)
	for _, o := range sorted {
		if o < time.Minute || o > MaxReminderOffset || o%time.Minute != 0 {
			return nil, fmt.Errorf("%w: %s", ErrReminderOffset, o)
		}
	}
	slices.SortFunc(sorted, func(a, b time.Duration) int { return cmp.Compare(b, a) })
	sorted = slices.Compact(sorted)
	rules := make([]ReminderRule, len(sorted))
	for i, o := range sorted {
		rules[i] = ReminderRule{Kind: ReminderKind(o), Offset: o}
		if i+1 < len(sorted) {
			rules[i].Until = sorted[i+1]
		}
	}
	return rules, nil
}
