package mobilize

import (
	"cmp"
	"slices"
	"time"

	"donorbot/screening"
)

// LapsedAfter is how long after their last donation a donor counts as
// lapsed: the usual definition of blood services (no donation in the last
// 12 months), long past the longest interval (84 days), so a lapsed
// donor has let several chances go by and needs a nudge more than a
// regular one, who comes with the announcements.
const LapsedAfter = 365 * 24 * time.Hour

// Group is a candidate's rank group, the best first.
type Group int

// Groups, in the order a wave takes them.
const (
	// Lapsed: donated before, the last time at least LapsedAfter before
	// the drive's date, and eligible again.
	Lapsed Group = iota
	// PastDonor: donated before, more recently than LapsedAfter.
	PastDonor
	// NeverDonated: no donation in the history.
	NeverDonated
)

// Candidate is a donor a wave may invite, with what the ranking needs.
type Candidate struct {
	TelegramID int64
	ChatID     int64
	Language   string
	// Name is the donor's full name, which the invitation greets them by.
	Name string
	// Local: a member of the drive's audience unit (or any donor, for a
	// drive open to everyone); otherwise the donor is in the drive's
	// province only.
	Local bool
	// Responded: the donor has registered for another drive because of an
	// invitation, recall or announcement: a registration linked to a
	// recall, or any registration for a drive that was announced (a drive
	// takes registrations only once published, and it is announced as it
	// is published, so such a registration followed the announcement).
	Responded bool
	// LastContact is when the bot last sent the donor a message (a
	// delivery or a recall); zero if never.
	LastContact time.Time
	// Donor is what the eligibility rule needs (history, deferrals, age).
	Donor screening.Donor
}

// GroupOn is the candidate's group for a drive on day.
func (c Candidate) GroupOn(day time.Time) Group {
	last := c.Donor.LastDonation
	switch {
	case last == nil || last.Date.IsZero():
		return NeverDonated
	case !last.Date.Add(LapsedAfter).After(day):
		return Lapsed
	}
	return PastDonor
}

// Rank orders the candidates for a drive on day, the first to invite
// first: members of the drive's unit before donors of its province only
// (the "members, then the same province"); then by group; within
// a group those who responded to earlier invitations or announcements;
// then the longest since the bot last wrote to them (never first); then
// Telegram id, so a rank is reproducible. cands is not modified.
func Rank(cands []Candidate, day time.Time) []Candidate {
	// Keys once per candidate, and indices sorted rather than the large
	// structs: a province's pool is tens of thousands.
	groups := make([]Group, len(cands))
	order := make([]int, len(cands))
	for i, c := range cands {
		groups[i] = c.GroupOn(day)
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := &cands[i], &cands[j]
		return cmp.Or(
			compareTrueFirst(a.Local, b.Local),
			cmp.Compare(groups[i], groups[j]),
			compareTrueFirst(a.Responded, b.Responded),
			a.LastContact.Compare(b.LastContact),
			cmp.Compare(a.TelegramID, b.TelegramID))
	})
	out := make([]Candidate, len(cands))
	for k, i := range order {
		out[k] = cands[i]
	}
	return out
}

func compareTrueFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}
