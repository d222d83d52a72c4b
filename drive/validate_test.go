package drive

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var hcm = mustLoad("Asia/Ho_Chi_Minh")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a time on 2026-11-23 in Ho Chi Minh City.
func at(hour, minute int) time.Time {
	return time.Date(2026, time.November, 23, hour, minute, 0, 0, hcm)
}

func validDraft() DraftInput {
	return DraftInput{
		Wave:         "Đợt 3",
		Title:        "Ngày hội hiến máu tình nguyện",
		Organizer:    "Đoàn Thanh niên Công an quận 1",
		Hospital:     "Bệnh viện Truyền máu Huyết học",
		Venue:        "118 Hồng Bàng, phường 12, quận 5, TP.HCM",
		Point:        &Point{Lat: 10.7553, Lon: 106.6622},
		Start:        at(7, 0),
		End:          at(11, 30),
		SlotLength:   30 * time.Minute,
		SlotCapacity: 40,
		TargetUnits:  300,
	}
}

// The limits are issue 4's ("Drives, slots and registration").
func TestValidateDraft(t *testing.T) {
	now := at(7, 0).AddDate(0, 0, -3)
	tests := []struct {
		name string
		edit func(*DraftInput)
		want error
	}{
		{"OK", func(*DraftInput) {}, nil},
		{"OKNoPointNoWave", func(d *DraftInput) { d.Point, d.Wave = nil, "" }, nil},
		{"OKTitle120", func(d *DraftInput) { d.Title = strings.Repeat("ệ", 120) }, nil},
		{"OKWindow16h", func(d *DraftInput) { d.Start, d.End = at(6, 0), at(22, 0) }, nil},
		{"OKSlotIsWindow", func(d *DraftInput) { d.SlotLength = 4*time.Hour + 30*time.Minute }, nil},
		{"OKCapacity1000", func(d *DraftInput) { d.SlotCapacity = 1000 }, nil},
		{"OKTarget10000", func(d *DraftInput) { d.TargetUnits = 10000 }, nil},
		{"OKStartsInAMinute", func(d *DraftInput) { d.Start = now.Add(time.Minute); d.End = d.Start.Add(time.Hour) }, nil},
		{"ErrTitleRequired", func(d *DraftInput) { d.Title = " \t " }, ErrTitleRequired},
		{"ErrTitleTooLong", func(d *DraftInput) { d.Title = strings.Repeat("a", 121) }, ErrTitleTooLong},
		{"ErrTextTooLongWave", func(d *DraftInput) { d.Wave = strings.Repeat("a", 41) }, ErrTextTooLong},
		{"ErrTextTooLongVenue", func(d *DraftInput) { d.Venue = strings.Repeat("a", 301) }, ErrTextTooLong},
		{"ErrDateInPastYesterday", func(d *DraftInput) { d.Start, d.End = now.Add(-24*time.Hour), now.Add(-20*time.Hour) }, ErrDateInPast},
		{"ErrDateInPastNow", func(d *DraftInput) { d.Start, d.End = now, now.Add(time.Hour) }, ErrDateInPast},
		{"OKTwoYearsAhead", func(d *DraftInput) { d.Start = now.AddDate(2, 0, 0); d.End = d.Start.Add(time.Hour) }, nil},
		{"ErrDateTooFar", func(d *DraftInput) { d.Start = now.AddDate(2, 0, 0).Add(time.Minute); d.End = d.Start.Add(time.Hour) }, ErrDateTooFar},
		{"ErrDateTooFarYearTypo", func(d *DraftInput) { d.Start, d.End = d.Start.AddDate(100, 0, 0), d.End.AddDate(100, 0, 0) }, ErrDateTooFar},
		{"ErrWindowInvalidEqual", func(d *DraftInput) { d.End = d.Start }, ErrWindowInvalid},
		{"ErrWindowInvalidBefore", func(d *DraftInput) { d.End = d.Start.Add(-time.Hour) }, ErrWindowInvalid},
		{"ErrWindowTooLong", func(d *DraftInput) { d.Start, d.End = at(6, 0), at(22, 1) }, ErrWindowTooLong},
		{"ErrSlotLengthShort", func(d *DraftInput) { d.SlotLength = 9 * time.Minute }, ErrSlotLength},
		{"ErrSlotLengthZero", func(d *DraftInput) { d.SlotLength = 0 }, ErrSlotLength},
		{"ErrSlotLengthOverWindow", func(d *DraftInput) { d.SlotLength = 5 * time.Hour }, ErrSlotLength},
		{"ErrCapacityZero", func(d *DraftInput) { d.SlotCapacity = 0 }, ErrCapacity},
		{"ErrCapacityNegative", func(d *DraftInput) { d.SlotCapacity = -5 }, ErrCapacity},
		{"ErrCapacityAbsurd", func(d *DraftInput) { d.SlotCapacity = 1001 }, ErrCapacity},
		{"ErrTargetZero", func(d *DraftInput) { d.TargetUnits = 0 }, ErrTarget},
		{"ErrTargetHuge", func(d *DraftInput) { d.TargetUnits = 10001 }, ErrTarget},
		{"ErrPointInvalid", func(d *DraftInput) { d.Point = &Point{Lat: 106.6, Lon: 10.7} }, ErrPointInvalid},
		{"ErrAudienceInvalid", func(d *DraftInput) { d.AudienceUnitID = -1 }, ErrAudienceInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDraft()
			tt.edit(&d)
			err := ValidateDraft(d, now)
			if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
				t.Fatalf("ValidateDraft = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSlots(t *testing.T) {
	type span struct{ start, end time.Time }
	tests := []struct {
		name       string
		start, end time.Time
		length     time.Duration
		want       []span
	}{
		{"Divides", at(7, 0), at(8, 30), 30 * time.Minute,
			[]span{{at(7, 0), at(7, 30)}, {at(7, 30), at(8, 0)}, {at(8, 0), at(8, 30)}}},
		{"OneSlot", at(7, 0), at(8, 0), time.Hour, []span{{at(7, 0), at(8, 0)}}},
		// A remainder of at least 10 minutes stands alone as a shorter last slot.
		{"ShortLastSlot", at(7, 0), at(8, 10), 30 * time.Minute,
			[]span{{at(7, 0), at(7, 30)}, {at(7, 30), at(8, 0)}, {at(8, 0), at(8, 10)}}},
		// A shorter one lengthens the last slot instead.
		{"AbsorbedRemainder", at(7, 0), at(8, 5), 30 * time.Minute,
			[]span{{at(7, 0), at(7, 30)}, {at(7, 30), at(8, 5)}}},
		{"MaxSlots", at(6, 0), at(22, 0), 10 * time.Minute, nil}, // checked by count below
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slots, err := Slots(tt.start, tt.end, tt.length, 25)
			if err != nil {
				t.Fatalf("Slots: %v", err)
			}
			if tt.want == nil {
				if got, want := len(slots), 96; got != want {
					t.Fatalf("got %d slots, want %d", got, want)
				}
			} else if len(slots) != len(tt.want) {
				t.Fatalf("got %d slots, want %d: %v", len(slots), len(tt.want), slots)
			}
			for i, s := range slots {
				if i < len(tt.want) && (!s.Start.Equal(tt.want[i].start) || !s.End.Equal(tt.want[i].end)) {
					t.Errorf("slot %d = %s-%s, want %s-%s", i, s.Start.Format("15:04"), s.End.Format("15:04"),
						tt.want[i].start.Format("15:04"), tt.want[i].end.Format("15:04"))
				}
				if s.Capacity != 25 {
					t.Errorf("slot %d capacity = %d, want 25", i, s.Capacity)
				}
				if s.End.Sub(s.Start) < MinSlotLength {
					t.Errorf("slot %d is %s long", i, s.End.Sub(s.Start))
				}
				if i > 0 && !s.Start.Equal(slots[i-1].End) {
					t.Errorf("slot %d starts at %s, previous ends at %s", i, s.Start, slots[i-1].End)
				}
			}
			if first, last := slots[0], slots[len(slots)-1]; !first.Start.Equal(tt.start) || !last.End.Equal(tt.end) {
				t.Errorf("slots cover %s-%s, want %s-%s", first.Start, last.End, tt.start, tt.end)
			}
		})
	}
}

func TestSlotsErrors(t *testing.T) {
	tests := []struct {
		name       string
		start, end time.Time
		length     time.Duration
		capacity   int
		want       error
	}{
		{"ErrWindowInvalid", at(8, 0), at(7, 0), 30 * time.Minute, 10, ErrWindowInvalid},
		{"ErrWindowTooLong", at(0, 0), at(17, 0), 30 * time.Minute, 10, ErrWindowTooLong},
		{"ErrSlotLength", at(7, 0), at(8, 0), 5 * time.Minute, 10, ErrSlotLength},
		{"ErrCapacity", at(7, 0), at(8, 0), 30 * time.Minute, 0, ErrCapacity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slots, err := Slots(tt.start, tt.end, tt.length, tt.capacity)
			if !errors.Is(err, tt.want) || slots != nil {
				t.Fatalf("Slots = %v, %v; want nil, %v", slots, err, tt.want)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	for _, s := range []RegStatus{RegConfirmed, RegWaitlisted, RegCancelled, RegAttended, RegNoShow, RegDeferred} {
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
		if got, want := s.Live(), s == RegConfirmed || s == RegWaitlisted; got != want {
			t.Errorf("%s.Live() = %t, want %t", s, got, want)
		}
	}
	if RegStatus("maybe").Valid() {
		t.Error(`"maybe".Valid() = true`)
	}
	if !StatusClosed.Final() || !StatusCancelled.Final() || StatusDraft.Final() || StatusPublished.Final() {
		t.Error("Final() wrong")
	}
	if got := (Slot{Capacity: 3, Confirmed: 5}).SeatsLeft(); got != 0 {
		t.Errorf("SeatsLeft of an overfull slot = %d, want 0", got)
	}
}
