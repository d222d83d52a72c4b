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
	data, err := ICS(d, s, hcm)
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
	if got, want := e.Id(), "drive-ab12cd34ef@donorbot"; got != want {
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

// The UID is the same for every slot of the drive, so a donor who moves
// updates one calendar event.
func TestICSStableUID(t *testing.T) {
	d := testDrive()
	a, err := ICS(d, Slot{ID: 1, Start: at(7, 0), End: at(7, 30)}, hcm)
	if err != nil {
		t.Fatal(err)
	}
	d.Status = StatusCancelled
	b, err := ICS(d, Slot{ID: 2, Start: at(9, 0), End: at(9, 30)}, hcm)
	if err != nil {
		t.Fatal(err)
	}
	uid := func(data []byte) string {
		cal, err := ics.ParseCalendar(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return cal.Events()[0].Id()
	}
	if uid(a) != uid(b) {
		t.Errorf("UIDs differ: %q, %q", uid(a), uid(b))
	}
	if !bytes.Contains(b, []byte("STATUS:CANCELLED")) {
		t.Error("a cancelled drive's event is not CANCELLED")
	}
}

func TestICSErrors(t *testing.T) {
	d := testDrive()
	s := Slot{Start: at(7, 0), End: at(7, 30)}
	if _, err := ICS(d, s, nil); err == nil {
		t.Error("nil location accepted")
	}
	if _, err := ICS(d, Slot{Start: at(7, 0), End: at(7, 0)}, hcm); err == nil {
		t.Error("empty slot accepted")
	}
	d.Code = ""
	if _, err := ICS(d, s, hcm); err == nil {
		t.Error("drive without code accepted")
	}
}
