package drive

import (
	"errors"
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// ICS returns an iCalendar file (RFC 5545) with one event: the donor's slot
// at the drive, for the donor to add to their calendar.
//
// The event's UID is derived from the drive's code, not from the slot: a
// donor has at most one live registration per drive, so the UID is stable for
// their registration, and a file sent again after the donor moved to another
// slot updates the event their calendar already has instead of adding a
// second one. DTSTART and DTEND are in UTC, which every calendar reads
// without a VTIMEZONE; loc is the zone of the human-readable time in the
// description (Asia/Ho_Chi_Minh for donorbot). The texts are the organizer's
// own, with symbols instead of labels, so the file needs no translation.
func ICS(d Drive, s Slot, loc *time.Location) ([]byte, error) {
	switch {
	case loc == nil:
		return nil, errors.New("drive: ics: nil location")
	case !ValidCode(d.Code):
		return nil, fmt.Errorf("drive: ics: drive %d has no valid code", d.ID)
	case !s.End.After(s.Start):
		return nil, fmt.Errorf("drive: ics: slot %d ends before it starts", s.ID)
	}
	cal := ics.NewCalendarFor("donorbot")
	cal.SetProductId("-//donorbot//drives//VI")
	cal.SetMethod(ics.MethodPublish)
	e := cal.AddEvent("drive-" + d.Code + "@donorbot")
	// DTSTAMP is a record time, never the clock: the file for a drive is
	// the same whenever it is made.
	stamp := d.UpdatedAt
	if stamp.IsZero() {
		stamp = d.CreatedAt
	}
	if stamp.IsZero() {
		stamp = s.Start
	}
	e.SetDtStampTime(stamp)
	e.SetStartAt(s.Start)
	e.SetEndAt(s.End)
	e.SetSummary(Summary(d))
	if v := strings.TrimSpace(d.Venue); v != "" {
		e.SetLocation(v)
	}
	if d.Point != nil {
		e.SetGeo(d.Point.Lat, d.Point.Lon)
	}
	e.SetDescription(description(d, s, loc))
	if d.Status == StatusCancelled {
		e.SetStatus(ics.ObjectStatusCancelled)
	} else {
		e.SetStatus(ics.ObjectStatusConfirmed)
	}
	var b strings.Builder
	// RFC 5545 3.1 ends lines with CRLF; the library's default is LF.
	if err := cal.SerializeTo(&b, ics.WithNewLine("\r\n")); err != nil {
		return nil, fmt.Errorf("drive: ics: %w", err)
	}
	return []byte(b.String()), nil
}

// Summary is the drive's one-line name: its wave, if any, and title, as in
// "Đợt 3 · Ngày hội hiến máu tình nguyện".
func Summary(d Drive) string {
	title := strings.TrimSpace(d.Title)
	if w := strings.TrimSpace(d.Wave); w != "" {
		return w + " · " + title
	}
	return title
}

func description(d Drive, s Slot, loc *time.Location) string {
	start, end := s.Start.In(loc), s.End.In(loc)
	lines := []string{
		"🕒 " + start.Format("15:04") + "–" + end.Format("15:04") + " " + start.Format("02/01/2006"),
	}
	if h := strings.TrimSpace(d.Hospital); h != "" {
		lines = append(lines, "🏥 "+h)
	}
	if o := strings.TrimSpace(d.Organizer); o != "" {
		lines = append(lines, "👥 "+o)
	}
	if v := strings.TrimSpace(d.Venue); v != "" {
		lines = append(lines, "📍 "+v)
	}
	return strings.Join(lines, "\n")
}
