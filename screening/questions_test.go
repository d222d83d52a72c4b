package screening

import (
	"slices"
	"testing"
)

// The form's order and numbering, and PĐK 9 only for women.
func TestQuestions(t *testing.T) {
	ids := func(qs []Question) []QuestionID {
		var out []QuestionID
		for _, q := range qs {
			out = append(out, q.ID)
		}
		return out
	}
	men := []QuestionID{QDonatedBefore, QIllNow, QChronic, QWithin12Months, QWithin6Months,
		QWithin1Month, QWithin14Days, QWithin7Days}
	women := append(slices.Clone(men), QPregnant, QNursing, QPregnancyEnded)
	if got := ids(Questions(false)); !slices.Equal(got, men) {
		t.Errorf("men: %v, want %v", got, men)
	}
	if got := ids(Questions(true)); !slices.Equal(got, women) {
		t.Errorf("women: %v, want %v", got, women)
	}
	prev := 0
	for _, q := range Questions(true) {
		if q.Number < prev || q.Number < 1 || q.Number > 9 {
			t.Errorf("%s: number %d after %d", q.ID, q.Number, prev)
		}
		prev = q.Number
		if q.WomenOnly != (q.Number == 9) {
			t.Errorf("%s: WomenOnly = %v for number %d", q.ID, q.WomenOnly, q.Number)
		}
	}
	// PĐK 7 and 8 ask the day, with buttons for the last few days; "ill
	// now" has no past date to ask.
	for _, q := range Questions(true) {
		recent := q.ID == QWithin14Days || q.ID == QWithin7Days
		if q.Recent != recent || (recent && !q.AsksDate) || (q.ID == QIllNow && q.AsksDate) {
			t.Errorf("%s: AsksDate %v, Recent %v", q.ID, q.AsksDate, q.Recent)
		}
	}
}

func TestMissing(t *testing.T) {
	answers := []Answer{{Question: QDonatedBefore}, yes(QIllNow), {Question: QWithin7Days}}
	want := []QuestionID{QChronic, QWithin12Months, QWithin6Months, QWithin1Month, QWithin14Days}
	if got := Missing(false, answers); !slices.Equal(got, want) {
		t.Errorf("Missing = %v, want %v", got, want)
	}
	var all []Answer
	for _, q := range Questions(true) {
		all = append(all, Answer{Question: q.ID})
	}
	if got := Missing(true, all); len(got) != 0 {
		t.Errorf("Missing(all answered) = %v", got)
	}
	if got := Missing(true, all[:8]); !slices.Equal(got, []QuestionID{QPregnant, QNursing, QPregnancyEnded}) {
		t.Errorf("Missing(woman, men's answers) = %v", got)
	}
}
