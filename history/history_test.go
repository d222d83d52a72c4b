package history

import (
	"testing"
	"time"

	"donorbot/screening"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func answer(when time.Time, exact bool) screening.Answer {
	return screening.Answer{Question: screening.QDonatedBefore, Yes: true, When: &when, Exact: exact}
}

// TestMerge: a reported donation counts unless a record or another answer
// stands for it; an undated Yes counts only alone.
func TestMerge(t *testing.T) {
	drive := Entry{On: day(2026, 11, 20), Kind: screening.WholeBlood, Source: SourceDrive, Place: "Đợt 1"}
	for _, c := range []struct {
		name    string
		records []Entry
		answers []screening.Answer
		want    int
	}{
		{"nothing", nil, nil, 0},
		{"answer alone", nil, []screening.Answer{answer(day(2026, 3, 12), true)}, 1},
		{"answer No", nil, []screening.Answer{{Question: screening.QDonatedBefore}}, 0},
		{"other question", nil, []screening.Answer{{Question: "fever", Yes: true}}, 0},
		{"answer of the recorded day", []Entry{drive}, []screening.Answer{answer(day(2026, 11, 20), true)}, 1},
		{"answer of the recorded month", []Entry{drive}, []screening.Answer{answer(day(2026, 11, 1), false)}, 1},
		{"older answer and a drive", []Entry{drive}, []screening.Answer{answer(day(2026, 3, 12), true)}, 2},
		{"same answer twice", nil, []screening.Answer{answer(day(2026, 3, 12), true), answer(day(2026, 3, 1), false)}, 1},
		{"undated alone", nil, []screening.Answer{{Question: screening.QDonatedBefore, Yes: true}}, 1},
		{"undated with a record", []Entry{drive}, []screening.Answer{{Question: screening.QDonatedBefore, Yes: true}}, 1},
	} {
		got := Merge(c.records, c.answers)
		if len(got) != c.want || Count(c.records, c.answers) != c.want {
			t.Errorf("%s: %d entries %+v, want %d", c.name, len(got), got, c.want)
		}
	}
	got := Merge([]Entry{drive}, []screening.Answer{answer(day(2026, 3, 12), true), {Question: screening.QDonatedBefore, Yes: true}})
	if got[0].Source != SourceDrive || !got[1].SelfReported() || !got[1].Answered || got[1].Kind != screening.WholeBlood {
		t.Fatalf("order or marks: %+v", got)
	}
	if last, ok := Last(got); !ok || !last.On.Equal(drive.On) {
		t.Fatalf("Last = %+v", last)
	}
	if r, s := Tally(got); r != 1 || s != 1 {
		t.Fatalf("Tally = %d, %d", r, s)
	}
}
