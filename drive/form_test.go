package drive

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestSlotPlanGenerate: the console's slot generator (issue 20: "from, to,
// every N minutes, seats per slot") cuts whole slots and refuses a last
// partial one, with ValidateDraft's bounds.
func TestSlotPlanGenerate(t *testing.T) {
	for _, tc := range []struct {
		name             string
		from, to         time.Time
		every            time.Duration
		seats            int
		wantSlots, total int
		wantErr          error
	}{
		{"07:30–11:30 every 30 min", at(7, 30), at(11, 30), 30 * time.Minute, 10, 8, 80, nil},
		{"one slot the whole window", at(7, 0), at(8, 0), time.Hour, 5, 1, 5, nil},
		{"a last partial slot is refused", at(7, 30), at(11, 15), 30 * time.Minute, 10, 0, 0, ErrSlotPartial},
		{"a 5-minute tail is refused too", at(7, 0), at(8, 5), 20 * time.Minute, 10, 0, 0, ErrSlotPartial},
		{"slots under 10 minutes", at(7, 0), at(8, 0), 5 * time.Minute, 10, 0, 0, ErrSlotLength},
		{"a slot longer than the window", at(7, 0), at(8, 0), 90 * time.Minute, 10, 0, 0, ErrSlotLength},
		{"no seats", at(7, 0), at(8, 0), 30 * time.Minute, 0, 0, 0, ErrCapacity},
		{"end before start", at(11, 0), at(7, 0), 30 * time.Minute, 10, 0, 0, ErrWindowInvalid},
		{"over 16 hours", at(0, 0), at(17, 0), 60 * time.Minute, 10, 0, 0, ErrWindowTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			slots, err := SlotPlan{From: tc.from, To: tc.to, Every: tc.every, Seats: tc.seats}.Generate()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if len(slots) != tc.wantSlots || Seats(slots) != tc.total {
				t.Fatalf("%d slots, %d seats; want %d, %d", len(slots), Seats(slots), tc.wantSlots, tc.total)
			}
			for i, s := range slots {
				if s.End.Sub(s.Start) != tc.every || (i > 0 && !s.Start.Equal(slots[i-1].End)) {
					t.Errorf("slot %d: %s–%s", i, s.Start.Format("15:04"), s.End.Format("15:04"))
				}
			}
			if len(slots) > 0 && !slots[len(slots)-1].End.Equal(tc.to) {
				t.Errorf("last slot ends %s, want %s", slots[len(slots)-1].End, tc.to)
			}
		})
	}
}

// TestCampaignWaves: a drive's wave is one of its campaign's (issue 20:
// "the wave is free text, not the campaign's wave"): the waves the
// campaign's drives are in, and the next.
func TestCampaignWaves(t *testing.T) {
	for _, tc := range []struct {
		highest int
		want    []int
	}{{0, []int{1}}, {2, []int{1, 2, 3}}, {-1, []int{1}}, {MaxWaves + 5, nil}} {
		got := CampaignWaves(tc.highest)
		if tc.want == nil {
			if len(got) != MaxWaves {
				t.Errorf("CampaignWaves(%d) has %d waves, want %d", tc.highest, len(got), MaxWaves)
			}
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("CampaignWaves(%d) = %v, want %v", tc.highest, got, tc.want)
		}
	}
	for _, tc := range []struct {
		campaign      int64
		wave, highest int
		ok            bool
	}{
		{0, 0, 0, true}, {7, 0, 3, true}, {7, 1, 0, true}, {7, 4, 3, true},
		{7, 5, 3, false}, {0, 1, 0, false}, {7, -1, 0, false},
	} {
		if err := CheckWave(tc.campaign, tc.wave, tc.highest); (err == nil) != tc.ok {
			t.Errorf("CheckWave(%d, %d, %d) = %v, want ok %v", tc.campaign, tc.wave, tc.highest, err, tc.ok)
		}
	}
	if got := WaveLabel(3); got != "Đợt 3" {
		t.Errorf("WaveLabel(3) = %q", got)
	}
	if n, ok := WaveNumber(WaveLabel(12)); !ok || n != 12 {
		t.Errorf("WaveNumber(WaveLabel(12)) = %d, %v", n, ok)
	}
}

// TestParseDay: "20/12" is accepted with the year implied, the next such
// date not in the past (issue 20: "'20/12' is refused (year required)").
func TestParseDay(t *testing.T) {
	now := time.Date(2026, time.December, 5, 15, 0, 0, 0, hcm)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, hcm) }
	for _, tc := range []struct {
		raw  string
		want time.Time
		err  error
	}{
		{"20/12", day(2026, 12, 20), nil},
		{"5/12", day(2026, 12, 5), nil}, // today is not past
		{"4/12", day(2027, 12, 4), nil}, // yesterday: next year's
		{"10/1", day(2027, 1, 10), nil},
		{" 03/02 ", day(2027, 2, 3), nil},
		{"29/2", day(2028, 2, 29), nil}, // the next leap day
		{"20.12", day(2026, 12, 20), nil},
		{"20/12/2026", day(2026, 12, 20), nil},
		{"1/1/2026", day(2026, 1, 1), nil}, // a year typed is taken as typed; ValidateDraft says it is past
		{"31/4", time.Time{}, ErrDayFormat},
		{"29/2/2027", time.Time{}, ErrDayFormat},
		{"20/13", time.Time{}, ErrDayFormat},
		{"0/12", time.Time{}, ErrDayFormat},
		{"20", time.Time{}, ErrDayFormat},
		{"20/12/26", time.Time{}, ErrDayFormat},
		{"mai", time.Time{}, ErrDayFormat},
	} {
		got, err := ParseDay(tc.raw, now, hcm)
		if !errors.Is(err, tc.err) || !got.Equal(tc.want) {
			t.Errorf("ParseDay(%q) = %v, %v; want %v, %v", tc.raw, got, err, tc.want, tc.err)
		}
	}
}

func validForm() Form {
	return Form{
		Title: "Ngày hội hiến máu Công an tỉnh", CampaignID: 4, Wave: 2, VenueID: 9, HospitalID: 3, UnitID: 5,
		Date: "2026-11-30", From: "07:30", To: "11:30", Every: 30, Seats: 10, Target: 120,
		AnnounceAt: "2026-11-25T08:00",
	}
}

// TestFormCheck: the console form's fields are checked by ValidateDraft's
// rules and the slot generator's, each problem keyed by its input's name.
func TestFormCheck(t *testing.T) {
	now := at(9, 0) // 2026-11-23 09:00
	d, bad := validForm().Check("Hội trường, 12 Lê Lợi", "Bệnh viện Chợ Rẫy", now, hcm)
	if bad != nil {
		t.Fatalf("valid form: %v", bad)
	}
	if len(d.Slots) != 8 || Seats(d.Slots) != 80 || d.Input.Wave != "Đợt 2" || d.Input.AudienceUnitID != 5 ||
		!d.AnnounceAt.Equal(time.Date(2026, 11, 25, 8, 0, 0, 0, hcm)) ||
		!d.Input.Start.Equal(time.Date(2026, 11, 30, 7, 30, 0, 0, hcm)) {
		t.Fatalf("draft = %+v", d)
	}
	for _, tc := range []struct {
		name   string
		edit   func(*Form)
		fields map[string]error
	}{
		{"no title, bad target", func(f *Form) { f.Title, f.Target = " ", 0 },
			map[string]error{"title": ErrTitleRequired, "target": ErrTarget}},
		{"past date", func(f *Form) { f.Date, f.AnnounceAt = "2026-11-20", "" }, map[string]error{"date": ErrDateInPast}},
		{"not a date", func(f *Form) { f.Date = "30/11" }, map[string]error{"date": ErrDateFormat}},
		{"partial slot", func(f *Form) { f.To = "11:15" }, map[string]error{"every": ErrSlotPartial}},
		{"bad time", func(f *Form) { f.From = "7h" }, map[string]error{"from": ErrTimeFormat}},
		{"no seats", func(f *Form) { f.Seats = 0 }, map[string]error{"seats": ErrCapacity}},
		{"announced after the start", func(f *Form) { f.AnnounceAt = "2026-11-30T08:00" },
			map[string]error{"announce_at": ErrAnnounceLate}},
		{"announcement typo", func(f *Form) { f.AnnounceAt = "25/11 8h" }, map[string]error{"announce_at": ErrAnnounceFormat}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := validForm()
			tc.edit(&f)
			_, bad := f.Check("venue", "hospital", now, hcm)
			if len(bad) != len(tc.fields) {
				t.Fatalf("problems %v, want %v", bad, tc.fields)
			}
			for field, want := range tc.fields {
				if !errors.Is(bad[field], want) {
					t.Errorf("%s: %v, want %v", field, bad[field], want)
				}
			}
		})
	}
	// A past announcement time is "announce on saving", as with none.
	f := validForm()
	f.AnnounceAt = "2026-11-01T08:00"
	if d, bad := f.Check("venue", "hospital", now, hcm); bad != nil || !d.AnnounceAt.IsZero() {
		t.Errorf("past announce_at: %+v %v", d.AnnounceAt, bad)
	}
}

// TestFormDuplicate: a copy keeps every field but the date and the
// announcement (issue 20: "duplicate an earlier drive").
func TestFormDuplicate(t *testing.T) {
	f := validForm()
	f.Venue = &Venue{Name: "Cổng nhà máy", Address: "KCN Lễ Môn", Province: "th"}
	c := f.Duplicate()
	want := f
	want.Date, want.AnnounceAt = "", ""
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("Duplicate = %+v, want %+v", c, want)
	}
	c.Venue.Name = "changed"
	if f.Venue.Name != "Cổng nhà máy" {
		t.Error("the copy shares its venue with the original")
	}
}

// TestVenue: a venue typed in the form names a known province, and reads as
// one line on the drive's card.
func TestVenue(t *testing.T) {
	v := Venue{Name: "Hội trường Công an tỉnh", Address: "12 Lê Lợi", Ward: "phường Hạc Thành", Province: "th"}
	if err := v.Check(); err != nil {
		t.Fatal(err)
	}
	if got := v.Line(); got != "Hội trường Công an tỉnh, 12 Lê Lợi, phường Hạc Thành, Thanh Hóa" {
		t.Errorf("Line = %q", got)
	}
	for _, bad := range []Venue{{Address: "x", Province: "th"}, {Name: "x", Province: "th"}, {Name: "x", Address: "y", Province: "zz"}} {
		if bad.Check() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// FuzzParseDay: a typed drive date gives local midnight of the day typed,
// and with the year left out never a day before today.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"20/12", "20/12/2026", "29/2", "31/4", "0/0", "20.12", " 1 / 1 ", "99/99/9999", ""} {
		f.Add(s)
	}
	now := time.Date(2026, time.December, 5, 15, 0, 0, 0, hcm)
	f.Fuzz(func(t *testing.T, raw string) {
		day, err := ParseDay(raw, now, hcm)
		if err != nil {
			return
		}
		if h, m, s := day.Clock(); h != 0 || m != 0 || s != 0 || day.Location() != hcm {
			t.Fatalf("ParseDay(%q) = %v, not local midnight", raw, day)
		}
		if strings.Count(raw, "/")+strings.Count(raw, ".")+strings.Count(raw, "-") == 1 &&
			day.Before(time.Date(2026, time.December, 5, 0, 0, 0, 0, hcm)) {
			t.Fatalf("ParseDay(%q) = %v, before today", raw, day)
		}
	})
}
