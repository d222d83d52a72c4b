package drive

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"donorbot/province"
)

// Venue is a place of the venue directory: drives are held there again and
// again (a police unit's hall, a factory gate), so the console offers it
// instead of having its address typed anew.
type Venue struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Address  string `json:"address"` // street address
	Ward     string `json:"ward"`    // ward or commune (two-level units)
	Province string `json:"province"`
}

// Limits of a venue, within MaxVenueLen once joined by Line.
const (
	MaxVenueNameLen    = 120
	MaxVenueAddressLen = 100
	MaxVenueWardLen    = 50
)

// Errors of a venue typed in the form.
var (
	ErrVenueRequired = errors.New("drive: venue name and address are required")
	ErrVenueProvince = errors.New("drive: unknown province")
)

// Check reports what is wrong with a venue typed in the form.
func (v Venue) Check() error {
	name, addr := strings.TrimSpace(v.Name), strings.TrimSpace(v.Address)
	switch {
	case name == "" || addr == "":
		return ErrVenueRequired
	case utf8.RuneCountInString(name) > MaxVenueNameLen, utf8.RuneCountInString(addr) > MaxVenueAddressLen,
		utf8.RuneCountInString(strings.TrimSpace(v.Ward)) > MaxVenueWardLen:
		return ErrTextTooLong
	case !province.Known(v.Province):
		return fmt.Errorf("%w: %q", ErrVenueProvince, v.Province)
	}
	return nil
}

// Line is the venue as a drive's card shows it: "Hội trường Công an tỉnh,
// 12 Lê Lợi, phường Hạc Thành, Thanh Hóa".
func (v Venue) Line() string {
	parts := []string{}
	for _, p := range []string{v.Name, v.Address, v.Ward, province.Name(v.Province)} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Form is the console's drive form (issue 20): what an organizer picks and
// types to create or edit a drive. The JSON names are the console API's.
type Form struct {
	Title      string `json:"title"`
	CampaignID int64  `json:"campaign_id"`
	Wave       int    `json:"wave"`
	VenueID    int64  `json:"venue_id,omitempty"`
	Venue      *Venue `json:"venue,omitempty"` // a venue typed in, when VenueID is 0
	HospitalID int64  `json:"hospital_id"`
	UnitID     int64  `json:"unit_id"`
	Date       string `json:"date"` // yyyy-mm-dd
	From       string `json:"from"` // HH:MM
	To         string `json:"to"`
	Every      int    `json:"every"` // minutes
	Seats      int    `json:"seats"` // per slot
	Target     int    `json:"target"`
	// AnnounceAt is "yyyy-mm-ddTHH:MM" local time; "" or past: on saving.
	AnnounceAt string `json:"announce_at"`
	// Autofill: the bot invites donors in waves as the forecast falls
	// short (issue 21) instead of announcing the drive to its whole
	// audience.
	Autofill bool `json:"autofill"`
}

// Duplicate is the form of a new drive like f: every field but the date
// and the announcement, which belong to one drive only.
func (f Form) Duplicate() Form {
	f.Date, f.AnnounceAt = "", ""
	if f.Venue != nil {
		v := *f.Venue
		f.Venue = &v
	}
	return f
}

// Errors of the form's own fields, before ValidateDraft's rules.
var (
	ErrDateFormat     = errors.New("drive: date is not yyyy-mm-dd")
	ErrTimeFormat     = errors.New("drive: time is not HH:MM")
	ErrAnnounceFormat = errors.New("drive: announcement time is not yyyy-mm-ddTHH:MM")
	ErrAnnounceLate   = errors.New("drive: announcement after the drive starts")
)

var clock = regexp.MustCompile(`^([01]?\d|2[0-3]):([0-5]\d)$`)

// clockOn places "HH:MM" on day (local midnight).
func clockOn(day time.Time, hhmm string) (time.Time, bool) {
	m := clock.FindStringSubmatch(strings.TrimSpace(hhmm))
	if m == nil {
		return time.Time{}, false
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	return time.Date(day.Year(), day.Month(), day.Day(), h, min, 0, 0, day.Location()), true
}

// FormDraft is a checked form: the draft to store, its slots and when to
// announce it (zero: on saving).
type FormDraft struct {
	Input      DraftInput
	Slots      []Slot
	AnnounceAt time.Time
}

// Check turns the form into a draft at time now in loc, with venue and
// hospital as their directory entries give them (the caller looks them up),
// and returns every field's problem keyed by the form's input name. The
// draft's rules are ValidateDraft's, plus whole slots (SlotPlan) and an
// announcement before the drive.
func (f Form) Check(venue, hospital string, now time.Time, loc *time.Location) (FormDraft, map[string]error) {
	bad := map[string]error{}
	in := DraftInput{
		CampaignID: f.CampaignID, Wave: WaveLabel(f.Wave), Title: f.Title, Hospital: hospital, Venue: venue,
		SlotLength: time.Duration(f.Every) * time.Minute, SlotCapacity: f.Seats,
		TargetUnits: f.Target, AudienceUnitID: f.UnitID,
	}
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.Date), loc)
	if err != nil {
		bad["date"] = ErrDateFormat
	}
	var ok bool
	if in.Start, ok = clockOn(day, f.From); !ok {
		bad["from"] = ErrTimeFormat
	}
	if in.End, ok = clockOn(day, f.To); !ok {
		bad["to"] = ErrTimeFormat
	}
	var out FormDraft
	if raw := strings.TrimSpace(f.AnnounceAt); raw != "" {
		a, err := time.ParseInLocation("2006-01-02T15:04", raw, loc)
		switch {
		case err != nil:
			bad["announce_at"] = ErrAnnounceFormat
		case a.After(now):
			out.AnnounceAt = a
		}
	}
	// ValidateDraft stops at the first broken rule: ask it field by field
	// so the form shows every problem at once.
	_, badDate := bad["date"]
	_, badFrom := bad["from"]
	_, badTo := bad["to"]
	if !badDate && !badFrom {
		if err := ValidateDraft(in, now); errors.Is(err, ErrDateInPast) || errors.Is(err, ErrDateTooFar) {
			bad["date"] = err
		}
	}
	for _, rule := range []struct {
		field string
		check func(DraftInput) error
	}{
		{"title", func(d DraftInput) error {
			return firstOf(ValidateDraft(d, now), ErrTitleRequired, ErrTitleTooLong)
		}},
		{"target", func(d DraftInput) error {
			if d.TargetUnits <= 0 || d.TargetUnits > MaxTargetUnits {
				return ErrTarget
			}
			return nil
		}},
	} {
		if err := rule.check(in); err != nil {
			bad[rule.field] = err
		}
	}
	if !badFrom && !badTo {
		slots, err := SlotPlan{From: in.Start, To: in.End, Every: in.SlotLength, Seats: f.Seats}.Generate()
		switch {
		case errors.Is(err, ErrCapacity):
			bad["seats"] = err
		case errors.Is(err, ErrSlotLength), errors.Is(err, ErrSlotPartial):
			bad["every"] = err
		case err != nil:
			bad["to"] = err
		}
		out.Slots = slots
	}
	if !badDate && !badFrom && !out.AnnounceAt.IsZero() && !out.AnnounceAt.Before(in.Start) {
		bad["announce_at"] = ErrAnnounceLate
	}
	if len(bad) == 0 { // the rules no field above names, e.g. a negative unit
		if err := ValidateDraft(in, now); err != nil {
			bad["form"] = err
		}
	}
	if len(bad) > 0 {
		return FormDraft{}, bad
	}
	out.Input = in
	return out, nil
}

// firstOf is err when it is one of those, else nil.
func firstOf(err error, those ...error) error {
	for _, t := range those {
		if errors.Is(err, t) {
			return err
		}
	}
	return nil
}
