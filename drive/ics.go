package drive

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// AlarmBefore is when the calendar event's alarm goes off before the slot:
// time to set off, as the bot's own last reminder.
const AlarmBefore = 2 * time.Hour

// CalendarEntry is one donor's registration as their calendar holds it.
type CalendarEntry struct {
	RegistrationID int64
	// Sequence is the file's SEQUENCE: 0 for the first file sent for the
	// registration, higher for each update (a move, a cancellation).
	Sequence int
	// Cancelled marks the registration cancelled: the event is kept with
	// STATUS:CANCELLED, which calendars show struck out or remove.
	Cancelled bool
	// Stamp is when the registration last changed (its DTSTAMP); zero uses
	// the drive's.
	Stamp time.Time
	// Organizer is the URI that answers for the event (the bot's t.me
	// link): RFC 5546 3.2.1 wants an ORGANIZER in a PUBLISH. Empty: none.
	Organizer string
}

// ICS returns an iCalendar file (RFC 5545) with one event: the donor's slot
// at the drive, for the donor to add to their calendar, with an alarm
// AlarmBefore the slot, the venue as LOCATION and a map link.
//
// The event's UID is the registration's, so it stays the same when the
// donor moves to another slot, and a new registration after a cancellation
// is a new event. The method is PUBLISH (RFC 5546 3.2.1: an ORGANIZER, no
// ATTENDEE), not REQUEST:
// REQUEST is a scheduling message that needs an ORGANIZER and ATTENDEEs
// with e-mail addresses and asks for a reply the bot could never receive,
// and calendars that import a file (Google, Apple, Outlook) apply a
// PUBLISH whose UID they hold and whose SEQUENCE is higher as an update of
// that event, STATUS:CANCELLED included. DTSTART and DTEND are in UTC,
// which every calendar reads without a VTIMEZONE; loc is the zone of the
// human-readable time in the description (Asia/Ho_Chi_Minh for donorbot).
// The texts are the organizer's own, with symbols instead of labels, so
// the file needs no translation.
func ICS(d Drive, s Slot, entry CalendarEntry, loc *time.Location) ([]byte, error) {
	switch {
	case loc == nil:
		return nil, errors.New("drive: ics: nil location")
	case !ValidCode(d.Code):
		return nil, fmt.Errorf("drive: ics: drive %d has no valid code", d.ID)
	case !s.End.After(s.Start):
		return nil, fmt.Errorf("drive: ics: slot %d ends before it starts", s.ID)
	case entry.RegistrationID <= 0 || entry.Sequence < 0:
		return nil, fmt.Errorf("drive: ics: registration %d, sequence %d", entry.RegistrationID, entry.Sequence)
	}
	cal := ics.NewCalendarFor("donorbot")
	cal.SetProductId("-//donorbot//drives//VI")
	cal.SetMethod(ics.MethodPublish)
	e := cal.AddEvent(CalendarUID(d, entry.RegistrationID))
	e.SetSequence(entry.Sequence)
	e.SetDtStampTime(stamp(d, s, entry))
	e.SetStartAt(s.Start)
	e.SetEndAt(s.End)
	e.SetSummary(Summary(d))
	if entry.Organizer != "" {
		// Not SetOrganizer, which makes any value a mailto: address.
		e.SetProperty(ics.ComponentPropertyOrganizer, entry.Organizer)
	}
	if v := strings.TrimSpace(d.Venue); v != "" {
		e.SetLocation(v)
	}
	if d.Point != nil {
		e.SetGeo(d.Point.Lat, d.Point.Lon)
	}
	mapURL := MapURL(d)
	if mapURL != "" {
		e.SetURL(mapURL)
	}
	e.SetDescription(description(d, s, loc, mapURL))
	if entry.Cancelled || d.Status == StatusCancelled {
		e.SetStatus(ics.ObjectStatusCancelled)
	} else {
		e.SetStatus(ics.ObjectStatusConfirmed)
		a := e.AddAlarm()
		a.SetAction(ics.ActionDisplay)
		a.SetTrigger("-PT" + strconv.Itoa(int(AlarmBefore/time.Minute)) + "M")
		a.SetProperty(ics.ComponentPropertyDescription, Summary(d))
	}
	var b strings.Builder
	// RFC 5545 3.1 ends lines with CRLF; the library's default is LF.
	if err := cal.SerializeTo(&b, ics.WithNewLine("\r\n")); err != nil {
		return nil, fmt.Errorf("drive: ics: %w", err)
	}
	return []byte(b.String()), nil
}

// CalendarUID is the UID of a registration's calendar event. The drive's
// code makes it unique across deployments whose registration ids collide.
func CalendarUID(d Drive, registrationID int64) string {
	return "registration-" + strconv.FormatInt(registrationID, 10) + "-" + d.Code + "@donorbot"
}

// stamp is DTSTAMP: the time of a record (the registration's last change,
// else the drive's), not the time the file is made, so the same state of a
// registration always gives the same file.
func stamp(d Drive, s Slot, entry CalendarEntry) time.Time {
	for _, t := range []time.Time{entry.Stamp, d.UpdatedAt, d.CreatedAt} {
		if !t.IsZero() {
			return t
		}
	}
	return s.Start
}

// MapURL is a Google Maps search for the drive's venue (its address as the
// organizer typed it, which the map resolves), or for its coordinates when
// it has no venue; "" when it has neither.
func MapURL(d Drive) string {
	query := strings.TrimSpace(d.Venue)
	if query == "" && d.Point != nil {
		query = strconv.FormatFloat(d.Point.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(d.Point.Lon, 'f', -1, 64)
	}
	if query == "" {
		return ""
	}
	return "https://www.google.com/maps/search/?api=1&query=" + url.QueryEscape(query)
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

func description(d Drive, s Slot, loc *time.Location, mapURL string) string {
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
	if mapURL != "" {
		lines = append(lines, "🗺 "+mapURL)
	}
	return strings.Join(lines, "\n")
}
