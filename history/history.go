// Package history is the donor's list of donations and its count: the
// donations on record (recorded at a drive, for an urgent need, or entered
// as self-reported) together with the donations the donor reported when
// answering question 1 of a screening ("when did you last donate?"), which
// the records may lack because they were given elsewhere. Every screen that
// shows a count takes it from Merge, so /history, /eligibility and the
// thank-you after a drive never disagree.
package history

import (
	"slices"
	"time"

	"donorbot/screening"
)

// Sources of an entry, as donations.source stores them.
const (
	SourceDrive      = "drive"
	SourceUrgent     = "urgent"
	SourceSelfReport = "self_report"
)

// Entry is one donation of the history.
type Entry struct {
	// On is the day of the donation; zero when the donor said they donated
	// but not when.
	On time.Time
	// MonthOnly says only On's year and month are known.
	MonthOnly bool
	Kind      screening.DonationKind
	VolumeML  int    // 0: not recorded
	Source    string // SourceDrive, SourceUrgent or SourceSelfReport
	// Place is the drive's title and venue, empty when unknown.
	Place string
	// Answered marks a donation known only from a screening answer.
	Answered bool
}

// SelfReported says the donor, not an organizer, told of the donation.
func (e Entry) SelfReported() bool { return e.Source == SourceSelfReport }

// Merge returns the donor's donations, newest first: the records, then each
// donation reported in a screening answer (answers to QDonatedBefore, in
// any order) that no other entry already stands for. A reported donation is
// the same as another when both fall in the same month and either gives
// only the month or both the same day: a donor who answers "March" about a
// donation recorded on 12 March, or gives the same answer at two
// screenings, has donated once. A Yes without a date counts only when
// nothing else is known, since it may be any of the others.
func Merge(records []Entry, answers []screening.Answer) []Entry {
	out := slices.Clone(records)
	undated := false
	for _, a := range answers {
		if a.Question != screening.QDonatedBefore || !a.Yes {
			continue
		}
		if a.When == nil || a.When.IsZero() {
			undated = true
			continue
		}
		y, m, d := a.When.Date()
		e := Entry{On: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), MonthOnly: !a.Exact, Kind: a.Kind,
			Source: SourceSelfReport, Answered: true}
		if e.MonthOnly {
			e.On = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		}
		if e.Kind == "" {
			e.Kind = screening.WholeBlood // as Answer.Kind documents
		}
		if !slices.ContainsFunc(out, e.same) {
			out = append(out, e)
		}
	}
	if undated && len(out) == 0 {
		out = append(out, Entry{Kind: screening.WholeBlood, Source: SourceSelfReport, Answered: true})
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		if a.On.IsZero() != b.On.IsZero() { // undated last
			if a.On.IsZero() {
				return 1
			}
			return -1
		}
		return b.On.Compare(a.On)
	})
	return out
}

// same reports whether e and o may be one donation (see Merge).
func (e Entry) same(o Entry) bool {
	if o.On.IsZero() || e.On.Year() != o.On.Year() || e.On.Month() != o.On.Month() {
		return false
	}
	return e.MonthOnly || o.MonthOnly || e.On.Day() == o.On.Day()
}

// Count is how many donations the history holds: the one count every
// screen shows.
func Count(records []Entry, answers []screening.Answer) int { return len(Merge(records, answers)) }

// Last is the most recent dated entry, false when none has a date.
func Last(entries []Entry) (Entry, bool) {
	i := slices.IndexFunc(entries, func(e Entry) bool { return !e.On.IsZero() })
	if i < 0 {
		return Entry{}, false
	}
	return entries[i], true
}

// Tally counts entries by whether the donor reported them.
func Tally(entries []Entry) (recorded, selfReported int) {
	for _, e := range entries {
		if e.SelfReported() {
			selfReported++
		} else {
			recorded++
		}
	}
	return recorded, selfReported
}
