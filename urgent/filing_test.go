package urgent

import (
	"errors"
	"strings"
	"testing"

	"donorbot/blood"
	"donorbot/profile"
)

func TestParseUnits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"2", 2, true}, {"2 đơn vị", 2, true}, {"2 don vi", 2, true}, {"2 bịch", 2, true}, {"2 túi", 2, true},
		{"2 units", 2, true}, {"1 unit", 1, true}, {"3 người", 3, true}, {"2dv", 2, true}, {" 50 ", 50, true},
		{"0", 0, false}, {"51", 51, false}, {"hai", 0, false}, {"2 lít", 0, false}, {"", 0, false}, {"-2", 0, false},
	} {
		got, ok := ParseUnits(tc.in)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("ParseUnits(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseFiling(t *testing.T) {
	now := at(2026, 12, 5, 10, 0)
	today18 := at(2026, 12, 5, 18, 0)
	for _, tc := range []struct {
		in   string
		want Filing
	}{
		{`O- 2 "Viện Huyết học" 18h hôm nay 0912345678`,
			Filing{Group: profile.BloodONeg, Units: 2, Hospital: "Viện Huyết học", Deadline: today18, Phone: "+84912345678"}},
		{`O- 2 Viện Huyết học 18h hôm nay 0912345678`,
			Filing{Group: profile.BloodONeg, Units: 2, Hospital: "Viện Huyết học", Deadline: today18, Phone: "+84912345678"}},
		{`0912 345 678 18h hom nay "Vien Huyet hoc" 2 don vi O am`,
			Filing{Group: profile.BloodONeg, Units: 2, Hospital: "Vien Huyet hoc", Deadline: today18, Phone: "+84912345678"}},
		{`AB+ 3 bịch tiểu cầu “Bệnh viện 19-8” sáng mai 0987654321`,
			Filing{Group: profile.BloodABPos, Component: blood.Platelets, Units: 3, Hospital: "Bệnh viện 19-8",
				Deadline: at(2026, 12, 6, 11, 0), Phone: "+84987654321"}},
		{`O Rh- 1 Bệnh viện 19-8 trước 20:00`,
			Filing{Group: profile.BloodONeg, Units: 1, Hospital: "Bệnh viện 19-8", Deadline: at(2026, 12, 5, 20, 0)}},
		{`A+ Bệnh viện Bạch Mai 2 units 25/12 9h`,
			Filing{Group: profile.BloodAPos, Units: 2, Hospital: "Bệnh viện Bạch Mai", Deadline: at(2026, 12, 25, 9, 0)}},
		{`B- BV Nhi Đồng 1 6pm today`,
			Filing{Group: profile.BloodBNeg, Hospital: "BV Nhi Đồng 1", Deadline: today18}},
		{`O+ 2 "Chợ Rẫy" 18h 0912345678 ghi chú: hỏi khoa Huyết học tầng 2`,
			Filing{Group: profile.BloodOPos, Units: 2, Hospital: "Chợ Rẫy", Deadline: today18, Phone: "+84912345678",
				Note: "hỏi khoa Huyết học tầng 2"}},
		{`O+ "Chợ Rẫy" bệnh nhân suy tủy 2 túi`,
			Filing{Group: profile.BloodOPos, Units: 2, Hospital: "Chợ Rẫy", Note: "bệnh nhân suy tủy"}},
		{`nhóm máu AB- 4 người Blood Institute tomorrow morning`,
			Filing{Group: profile.BloodABNeg, Units: 4, Hospital: "Blood Institute", Deadline: at(2026, 12, 6, 11, 0)}},
		{`O-`, Filing{Group: profile.BloodONeg}},
		{``, Filing{}},
	} {
		got := ParseFiling(tc.in, now)
		if got.Group != tc.want.Group || got.Component != tc.want.Component || got.Units != tc.want.Units ||
			got.Hospital != tc.want.Hospital || !got.Deadline.Equal(tc.want.Deadline) || got.DeadlineErr != nil ||
			got.Phone != tc.want.Phone || got.Note != tc.want.Note {
			t.Errorf("ParseFiling(%q) =\n %+v\nwant\n %+v", tc.in, got, tc.want)
		}
	}
}

// TestParseFilingPastDeadline: a deadline written but past is reported
// with what it was read as, not dropped silently nor taken.
func TestParseFilingPastDeadline(t *testing.T) {
	f := ParseFiling(`O- 2 "Viện Huyết học" 8h hôm nay 0912345678`, at(2026, 12, 5, 10, 0))
	if !errors.Is(f.DeadlineErr, ErrDeadlinePast) || !f.Deadline.Equal(at(2026, 12, 5, 8, 0)) || f.Hospital != "Viện Huyết học" {
		t.Fatalf("past deadline read as %+v", f)
	}
}

// FuzzParseFiling: whatever an admin types, the facts taken are valid ones:
// a known group, units in range, a Vietnamese mobile, a deadline within
// bounds unless refused, and hospital and note made of the typed words.
func FuzzParseFiling(f *testing.F) {
	for _, s := range []string{`O- 2 "Viện Huyết học" 18h hôm nay 0912345678`, `O âm 2 đơn vị Bạch Mai sáng mai`,
		`AB+ 3 bịch tiểu cầu “Bệnh viện 19-8” 25/12 9h`, `ghi chú:`, `note: x`, `"`, `""`, `O Rh- 0912 345 678`,
		`2 units "Blood Institute" 6pm today`, `8h hôm nay`, `Rh-`, `A tôi`, `O- 2 units "NIHBT" 6pm today`,
		`B- 1 "bvdk thu 2" 18h 0912345678`, `AB- 1 BV 19/8 18h ngày mai`} {
		f.Add(s)
	}
	now := at(2026, 12, 5, 10, 0)
	f.Fuzz(func(t *testing.T, s string) {
		p := ParseFiling(s, now)
		if p.Group != "" && !p.Group.Known() || p.Units < 0 || p.Units > MaxUnits {
			t.Fatalf("%q: group %q, units %d", s, p.Group, p.Units)
		}
		if p.Phone != "" && !strings.HasPrefix(p.Phone, "+84") {
			t.Fatalf("%q: phone %q", s, p.Phone)
		}
		if p.DeadlineErr == nil && !p.Deadline.IsZero() && (!p.Deadline.After(now) || p.Deadline.Sub(now) > MaxDeadlineAhead) {
			t.Fatalf("%q: deadline %v", s, p.Deadline)
		}
		for _, w := range strings.Fields(p.Hospital + " " + p.Note) {
			if !strings.Contains(s, w) {
				t.Fatalf("%q: %q is not typed (hospital %q, note %q)", s, w, p.Hospital, p.Note)
			}
		}
	})
}
