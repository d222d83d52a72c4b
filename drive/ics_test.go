package drive

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

func testDrive() Drive {
	in := validDraft()
	return Drive{
		ID: 7, Code: "ab12cd34ef", Wave: in.Wave, Title: in.Title, Organizer: in.Organizer,
		Hospital: in.Hospital, Venue: in.Venue, Point: in.Point, Start: in.Start, End: in.End,
		TargetUnits: in.TargetUnits, Status: StatusPublished,
		UpdatedAt: time.Date(2026, 11, 1, 3, 4, 5, 0, time.UTC),
	}
}

func TestICS(t *testing.T) {
	d := testDrive()
	s := Slot{ID: 3, DriveID: d.ID, Start: at(7, 30), End: at(8, 0), Capacity: 40}
	data, err := ICS(d, s, CalendarEntry{RegistrationID: 42}, hcm)
	if err != nil {
		t.Fatalf("ICS: %v", err)
	}
	// RFC 5545 3.1: lines end in CRLF and are folded at 75 octets.
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		if len(line) > 75 || strings.Contains(line, "\n") {
			t.Errorf("line %q is not folded or not CRLF-terminated", line)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ParseCalendar: %v\n%s", err, data)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	e := events[0]
	if got, want := e.Id(), "registration-42-ab12cd34ef@donorbot"; got != want {
		t.Errorf("UID = %q, want %q", got, want)
	}
	start, err := e.GetStartAt()
	if err != nil || !start.Equal(s.Start) {
		t.Errorf("DTSTART = %v, %v; want %v", start, err, s.Start)
	}
	end, err := e.GetEndAt()
	if err != nil || !end.Equal(s.End) {
		t.Errorf("DTEND = %v, %v; want %v", end, err, s.End)
	}
	// In UTC: 07:30 in Ho Chi Minh City (UTC+7) is 00:30Z.
	if got, want := e.GetProperty(ics.ComponentPropertyDtStart).Value, "20261123T003000Z"; got != want {
		t.Errorf("DTSTART value = %q, want %q", got, want)
	}
	props := map[ics.ComponentProperty]string{
		ics.ComponentPropertySummary:  "Đợt 3 · Ngày hội hiến máu tình nguyện",
		ics.ComponentPropertyLocation: "118 Hồng Bàng, phường 12, quận 5, TP.HCM",
		ics.ComponentPropertyGeo:      "10.7553;106.6622",
		ics.ComponentPropertyStatus:   "CONFIRMED",
	}
	for p, want := range props {
		if got := e.GetProperty(p); got == nil || got.Value != want {
			t.Errorf("%s = %v, want %q", p, got, want)
		}
	}
	desc := e.GetProperty(ics.ComponentPropertyDescription)
	if desc == nil {
		t.Fatal("no DESCRIPTION")
	}
	for _, want := range []string{"07:30–08:00 23/11/2026", "Bệnh viện Truyền máu Huyết học", "Đoàn Thanh niên"} {
		if !strings.Contains(desc.Value, want) {
			t.Errorf("DESCRIPTION %q lacks %q", desc.Value, want)
		}
	}
	if stamp := e.GetProperty(ics.ComponentPropertyDtstamp); stamp == nil || stamp.Value != "20261101T030405Z" {
		t.Errorf("DTSTAMP = %v", stamp)
	}
}

// TestICSUpdates: the file sent after a move or a cancellation updates the
// event the donor's calendar holds: same UID, higher SEQUENCE, the alarm
// only on an event that still happens, the map link of the venue.
func TestICSUpdates(t *testing.T) {
	venueMap := "https://www.google.com/maps/search/?api=1&query=118+H%E1%BB%93ng+B%C3%A0ng%2C+ph%C6%B0%E1%BB%9Dng+12%2C+qu%E1%BA%ADn+5%2C+TP.HCM"
	noVenue := testDrive()
	noVenue.Venue = ""
	bare := noVenue
	bare.Point = nil
	cancelledDrive := testDrive()
	cancelledDrive.Status = StatusCancelled
	for _, tc := range []struct {
		name      string
		d         Drive
		slot      Slot
		entry     CalendarEntry
		uid       string
		start     string
		status    string
		alarm     bool
		url       string
		noProps   []ics.ComponentProperty
		sequence  string
		descLacks string
		organizer string
	}{
		{name: "first file", d: testDrive(), slot: Slot{ID: 1, Start: at(7, 0), End: at(7, 30)},
			entry: CalendarEntry{RegistrationID: 42, Organizer: "https://t.me/donor_bot"}, uid: "registration-42-ab12cd34ef@donorbot",
			start: "20261123T000000Z", status: "CONFIRMED", alarm: true, url: venueMap, sequence: "0", organizer: "https://t.me/donor_bot"},
		{name: "after a move", d: testDrive(), slot: Slot{ID: 2, Start: at(9, 0), End: at(9, 30)},
			entry: CalendarEntry{RegistrationID: 42, Sequence: 1}, uid: "registration-42-ab12cd34ef@donorbot",
			start: "20261123T020000Z", status: "CONFIRMED", alarm: true, url: venueMap, sequence: "1"},
		{name: "registration cancelled", d: testDrive(), slot: Slot{ID: 2, Start: at(9, 0), End: at(9, 30)},
			entry: CalendarEntry{RegistrationID: 42, Sequence: 2, Cancelled: true}, uid: "registration-42-ab12cd34ef@donorbot",
			start: "20261123T020000Z", status: "CANCELLED", url: venueMap, sequence: "2"},
		{name: "drive cancelled", d: cancelledDrive, slot: Slot{ID: 1, Start: at(7, 0), End: at(7, 30)},
			entry: CalendarEntry{RegistrationID: 43, Sequence: 3}, uid: "registration-43-ab12cd34ef@donorbot",
			start: "20261123T000000Z", status: "CANCELLED", url: venueMap, sequence: "3"},
		{name: "coordinates only", d: noVenue, slot: Slot{ID: 1, Start: at(7, 0), End: at(7, 30)},
			entry: CalendarEntry{RegistrationID: 44}, uid: "registration-44-ab12cd34ef@donorbot",
			start: "20261123T000000Z", status: "CONFIRMED", alarm: true, sequence: "0",
			url:     "https://www.google.com/maps/search/?api=1&query=10.7553%2C106.6622",
			noProps: []ics.ComponentProperty{ics.ComponentPropertyLocation}, descLacks: "📍"},
		{name: "no place at all", d: bare, slot: Slot{ID: 1, Start: at(7, 0), End: at(7, 30)},
			entry: CalendarEntry{RegistrationID: 45}, uid: "registration-45-ab12cd34ef@donorbot",
			start: "20261123T000000Z", status: "CONFIRMED", alarm: true, sequence: "0",
			noProps: []ics.ComponentProperty{ics.ComponentPropertyLocation, ics.ComponentPropertyUrl, ics.ComponentPropertyGeo}, descLacks: "🗺"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := ICS(tc.d, tc.slot, tc.entry, hcm)
			if err != nil {
				t.Fatal(err)
			}
			cal, err := ics.ParseCalendar(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("ParseCalendar: %v\n%s", err, data)
			}
			if !bytes.Contains(data, []byte("\r\nMETHOD:PUBLISH\r\n")) {
				t.Errorf("no METHOD:PUBLISH in\n%s", data)
			}
			e := cal.Events()[0]
			if e.Id() != tc.uid {
				t.Errorf("UID = %q, want %q", e.Id(), tc.uid)
			}
			want := map[ics.ComponentProperty]string{
				ics.ComponentPropertyDtStart:  tc.start,
				ics.ComponentPropertyStatus:   tc.status,
				ics.ComponentPropertySequence: tc.sequence,
			}
			if tc.url != "" {
				want[ics.ComponentPropertyUrl] = tc.url
			}
			if tc.organizer != "" {
				want[ics.ComponentPropertyOrganizer] = tc.organizer
			} else if o := e.GetProperty(ics.ComponentPropertyOrganizer); o != nil {
				t.Errorf("ORGANIZER = %q, want none", o.Value)
			}
			for p, v := range want {
				if got := e.GetProperty(p); got == nil || got.Value != v {
					t.Errorf("%s = %v, want %q", p, got, v)
				}
			}
			for _, p := range tc.noProps {
				if got := e.GetProperty(p); got != nil {
					t.Errorf("%s = %q, want none", p, got.Value)
				}
			}
			desc := e.GetProperty(ics.ComponentPropertyDescription).Value
			if tc.url != "" && !strings.Contains(desc, "🗺 "+tc.url) {
				t.Errorf("DESCRIPTION %q lacks the map link", desc)
			}
			if tc.descLacks != "" && strings.Contains(desc, tc.descLacks) {
				t.Errorf("DESCRIPTION %q holds %q", desc, tc.descLacks)
			}
			alarms := e.Alarms()
			if !tc.alarm {
				if len(alarms) != 0 {
					t.Errorf("%d alarms on a cancelled event", len(alarms))
				}
				return
			}
			if len(alarms) != 1 {
				t.Fatalf("%d alarms, want 1", len(alarms))
			}
			for p, v := range map[ics.ComponentProperty]string{
				ics.ComponentPropertyAction:      "DISPLAY",
				ics.ComponentPropertyTrigger:     "-PT120M",
				ics.ComponentPropertyDescription: Summary(tc.d),
			} {
				if got := alarms[0].GetProperty(p); got == nil || got.Value != v {
					t.Errorf("VALARM %s = %v, want %q", p, got, v)
				}
			}
		})
	}
}

func TestICSErrors(t *testing.T) {
	d := testDrive()
	s := Slot{Start: at(7, 0), End: at(7, 30)}
	entry := CalendarEntry{RegistrationID: 1}
	if _, err := ICS(d, s, entry, nil); err == nil {
		t.Error("nil location accepted")
	}
	if _, err := ICS(d, Slot{Start: at(7, 0), End: at(7, 0)}, entry, hcm); err == nil {
		t.Error("empty slot accepted")
	}
	if _, err := ICS(d, s, CalendarEntry{}, hcm); err == nil {
		t.Error("file without a registration accepted")
	}
	if _, err := ICS(d, s, CalendarEntry{RegistrationID: 1, Sequence: -1}, hcm); err == nil {
		t.Error("negative sequence accepted")
	}
	d.Code = ""
	if _, err := ICS(d, s, entry, hcm); err == nil {
		t.Error("drive without code accepted")
	}
}
