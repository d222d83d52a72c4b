package urgent

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"donorbot/accent"
)

// MaxDeadlineAhead bounds a need's deadline: an urgent need is for a
// patient of the coming days, not a drive to plan.
const MaxDeadlineAhead = 30 * 24 * time.Hour

// Why a deadline is refused.
var (
	ErrDeadlineInvalid = errors.New("urgent: deadline not understood")
	ErrDeadlinePast    = errors.New("urgent: deadline already past")
	ErrDeadlineFar     = errors.New("urgent: deadline more than 30 days ahead")
)

// partOfDay is a part of the day named instead of, or beside, a time.
type partOfDay int

const (
	noPart partOfDay = iota
	morning
	noon
	afternoon
	evening
)

// partEnd is the time a part of the day means as a deadline: its end, when
// reception points usually stop taking donors for it ("sáng mai" is "by the
// end of tomorrow morning"). The review shows it, so an admin who meant
// another hour corrects it there.
var partEnd = map[partOfDay]int{morning: 11, noon: 13, afternoon: 17, evening: 20}

var (
	clockHM   = regexp.MustCompile(`^(\d{1,2})(?:h|g|:|gio)(\d{2})?$`)
	clockAMPM = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?(am|pm)$`)
	dateDMY   = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?$`)
	bareHour  = regexp.MustCompile(`^\d{1,2}$`)
)

// dayWords are the days named by a word, as days after today.
var dayWords = map[string]int{"nay": 0, "today": 0, "tonight": 0, "mai": 1, "tomorrow": 1, "mot": 2, "kia": 2}

// partWords name parts of the day, in Vietnamese and English.
var partWords = map[string]partOfDay{
	"sang": morning, "morning": morning, "trua": noon, "noon": noon, "midday": noon,
	"chieu": afternoon, "afternoon": afternoon, "toi": evening, "evening": evening, "dem": evening, "night": evening,
}

// fillers carry no date or time: "trước 20:00", "by 8pm", "hôm nay", "ngày mai".
var fillers = map[string]bool{
	"truoc": true, "before": true, "by": true, "until": true, "luc": true, "at": true, "hom": true,
	"ngay": true, "this": true, "on": true, "vao": true, "the": true,
	// An hour's unit left apart from it ("6 pm") by a split elsewhere.
	"h": true, "gio": true, "am": true, "pm": true,
}

// deadlineWords splits a deadline as typed into lower-case words without
// diacritics, a following "h", "giờ", "am" or "pm" joined to its hour.
func deadlineWords(s string) []string {
	s = strings.ToLower(accent.Fold(s))
	s = strings.NewReplacer(",", " ", ";", " ").Replace(s)
	var words []string
	for _, w := range strings.Fields(s) {
		n := len(words)
		if n > 0 && bareHour.MatchString(words[n-1]) && (w == "h" || w == "gio" || w == "am" || w == "pm") {
			words[n-1] += w
			continue
		}
		words = append(words, w)
	}
	return words
}

// deadlineWord reports whether w may be part of a deadline.
func deadlineWord(w string) bool {
	_, day := dayWords[w]
	_, part := partWords[w]
	return day || part || fillers[w] || clockHM.MatchString(w) || clockAMPM.MatchString(w) || dateDMY.MatchString(w)
}

// ParseDeadline reads a deadline as an admin types it, in Vietnamese or
// English, with or without diacritics: "18h", "18h30 hôm nay", "sáng mai",
// "chiều nay", "trước 20:00", "25/12 9h", "20:00 25/12/2026", "6pm today",
// "tomorrow morning", "before 20:00". now carries the time zone the words
// are read in. The deadline must lie after now and within MaxDeadlineAhead.
func ParseDeadline(s string, now time.Time) (time.Time, error) {
	words := deadlineWords(s)
	if len(words) == 0 {
		return time.Time{}, ErrDeadlineInvalid
	}
	var (
		hour, minute     = -1, 0
		part             partOfDay
		dayOffset        = -1
		date             time.Time
		clocks, days     int
		pm, am, hasDate  bool
		tonight, hasPart bool
	)
	loc := now.Location()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	for _, w := range words {
		if m := clockHM.FindStringSubmatch(w); m != nil {
			clocks++
			hour, _ = strconv.Atoi(m[1])
			minute = 0
			if m[2] != "" {
				minute, _ = strconv.Atoi(m[2])
			}
			continue
		}
		if m := clockAMPM.FindStringSubmatch(w); m != nil {
			clocks++
			hour, _ = strconv.Atoi(m[1])
			minute = 0
			if m[2] != "" {
				minute, _ = strconv.Atoi(m[2])
			}
			if hour < 1 || hour > 12 {
				return time.Time{}, ErrDeadlineInvalid
			}
			pm, am = m[3] == "pm", m[3] == "am"
			continue
		}
		if m := dateDMY.FindStringSubmatch(w); m != nil {
			d, ok := dateOf(m, today)
			if !ok || hasDate {
				return time.Time{}, ErrDeadlineInvalid
			}
			date, hasDate = d, true
			continue
		}
		if n, ok := dayWords[w]; ok {
			days++
			dayOffset = n
			tonight = tonight || w == "tonight"
			continue
		}
		if p, ok := partWords[w]; ok {
			if hasPart {
				return time.Time{}, ErrDeadlineInvalid
			}
			part, hasPart = p, true
			continue
		}
		if !fillers[w] {
			return time.Time{}, ErrDeadlineInvalid
		}
	}
	if tonight && !hasPart {
		part, hasPart = evening, true
	}
	if clocks > 1 || days > 1 || hasDate && days > 0 || clocks == 0 && !hasPart {
		return time.Time{}, ErrDeadlineInvalid
	}
	if clocks == 0 {
		hour = partEnd[part]
	}
	switch {
	case pm && hour < 12:
		hour += 12
	case am && hour == 12:
		hour = 0
	case !am && !pm && hour < 12 && (part == afternoon || part == evening):
		hour += 12 // "3h chiều", "8h tối"
	case !am && !pm && hour < 6 && part == noon:
		hour += 12 // "1h trưa"
	}
	if hour > 23 || minute > 59 {
		return time.Time{}, ErrDeadlineInvalid
	}
	day := today
	switch {
	case hasDate:
		day = date
	case dayOffset >= 0:
		day = today.AddDate(0, 0, dayOffset)
	}
	d := time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc)
	if !hasDate && dayOffset < 0 && !d.After(now) {
		// A time alone that has passed today ("18h" typed at 19:00): nobody
		// files a need that is already over, so the admin means the next
		// time the clock shows it, tomorrow. The review shows the date in
		// full, so a slip is seen before Send.
		d = d.AddDate(0, 0, 1)
	}
	if !d.After(now) {
		return d, ErrDeadlinePast
	}
	if d.Sub(now) > MaxDeadlineAhead {
		return d, ErrDeadlineFar
	}
	return d, nil
}

// dateOf is the day of a "25/12" or "25/12/2026" match. A date without a
// year is this year's, unless that lies more than half a year back: "2/1"
// typed on 30 December is next January.
func dateOf(m []string, today time.Time) (time.Time, bool) {
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	year := today.Year()
	if m[3] != "" {
		year, _ = strconv.Atoi(m[3])
		if len(m[3]) == 2 {
			year += 2000
		}
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, today.Location())
	if d.Day() != day || int(d.Month()) != month || d.Year() != year {
		return time.Time{}, false
	}
	if m[3] == "" && d.Before(today.AddDate(0, -6, 0)) {
		d = d.AddDate(1, 0, 0)
	}
	return d, true
}
