package handlers

import (
	"testing"
	"time"

	"donorbot/drive"
)

// FuzzDraftAnswers feeds an organizer's typed answers for a new drive (date,
// time window, numbers) through the checks and the draft builder: no panic,
// and a draft the builder accepts has valid slots.
func FuzzDraftAnswers(f *testing.F) {
	for _, s := range [][4]string{
		{"25/12/2030", "7:30-11:30", "30", "10"},
		{"1/1/2031", "07h00 – 09h00", "15", "1"},
		{"31/2/2030", "23:59-00:00", "0", "-1"},
		{"25/12/2030", "99:99-99:99", "9999999999999999999", "5"},
		{"", "", "", ""},
		{"29/02/2032", "8.00—8.30", "1", "100000"},
		{"20/12", "07:30-11:30", "30", "10"}, // the year implied (issue 20)
		{"22/11", "07:30-11:30", "30", "10"}, // yesterday: next year's
		{"29/2", "07:30-11:30", "30", "10"},
		{"31/4", "07:30-11:30", "30", "10"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, loc)
	h := &Handlers{d: Deps{Location: loc, Now: func() time.Time { return now }}}
	f.Fuzz(func(t *testing.T, date, window, slotLen, capacity string) {
		var s driveDraft
		for _, a := range [][2]string{{"title", "T"}, {"organizer", "O"}, {"date", date},
			{"window", window}, {"slotlen", slotLen}, {"capacity", capacity}, {"venue", "V"},
			{"hospital", "H"}, {"target", "10"}} {
			h.takeDraftAnswer(&s, a[0], a[1]) // a refused answer leaves its field empty
		}
		in, err := h.draftInput(s)
		if err != nil {
			return
		}
		slots, err := drive.Slots(in.Start, in.End, in.SlotLength, in.SlotCapacity)
		if err != nil {
			t.Fatalf("draft %+v accepted but its slots are not: %v", in, err)
		}
		if len(slots) == 0 || !in.End.After(in.Start) {
			t.Fatalf("draft %+v accepted with %d slots", in, len(slots))
		}
		if !in.Start.After(now) || in.Start.After(now.AddDate(drive.MaxYearsAhead, 0, 0)) {
			t.Fatalf("draft starting %v accepted at %v: past or over %d years ahead", in.Start, now, drive.MaxYearsAhead)
		}
	})
}
