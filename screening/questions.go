package screening

import "time"

// QuestionID identifies one Yes/No question of the questionnaire. The values
// are stable: the conversation stores them in its state and the UI maps them
// to localized text, so never rename one.
type QuestionID string

// The questions, in the order of the standard registration form ("Phiếu đăng
// ký hiến máu tình nguyện"). Question 9 is split into three sub-items because
// each has its own rule (unknown end, child's age, end of pregnancy).
const (
	QDonatedBefore  QuestionID = "donated_before"
	QIllNow         QuestionID = "ill_now"
	QChronic        QuestionID = "chronic"
	QWithin12Months QuestionID = "m12"
	QWithin6Months  QuestionID = "m6"
	QWithin1Month   QuestionID = "m1"
	QWithin14Days   QuestionID = "d14"
	QWithin7Days    QuestionID = "d7"
	QPregnant       QuestionID = "pregnant"
	QNursing        QuestionID = "nursing"
	QPregnancyEnded QuestionID = "pregnancy_ended"
)

// Question is one Yes/No question as the conversation shows it.
type Question struct {
	ID QuestionID
	// Number is the question's number on the registration form (1–9); the
	// three women-only sub-items all carry 9.
	Number int
	// WomenOnly questions are only asked of women.
	WomenOnly bool
	// AsksDate: on Yes, ask for the day, or the month when that is all the
	// donor remembers (see ParseEventDate), of the most recent event and
	// put it in Answer.When.
	AsksDate bool
	// Recent questions have a window of days: the UI offers today,
	// yesterday and a few days ago as buttons.
	Recent bool
	// AsksKind: on Yes, ask what was donated and put it in Answer.Kind.
	AsksKind bool
}

// Answer is the donor's answer to one question.
type Answer struct {
	Question QuestionID
	Yes      bool
	// When is the event's date for questions that AsksDate: its day when
	// Exact, otherwise only its year and month are used (any day of the
	// month will do). Nil when the donor does not remember: the rule then
	// counts from the day of answering, except for the last donation,
	// which is then unknown (see donationFrom).
	When *time.Time
	// Exact says When is the day of the event, not just its month.
	Exact bool
	// Kind is what was donated, for QDonatedBefore. Empty counts as whole
	// blood, the kind with the longer interval.
	Kind DonationKind
}

// rule is what a Yes does. Windows are counted from the event (see
// eventDate): calendar months clamped to the month's last day, then days.
type rule struct {
	code         Code
	notEligible  bool  // permanent: refer to a doctor
	unknownEnd   bool  // deferred with no computable end date
	months, days int   // deferral window from the event
	basis        Basis // basis when no date is given
}

// until is the first day after the window that starts on from.
func (r rule) until(from time.Time) time.Time {
	return addMonths(from, r.months).AddDate(0, 0, r.days)
}

type item struct {
	q Question
	r rule
}

// questionnaire lists the questions in form order with their rules. Sources:
// the registration form (PĐK, question number) and Thông tư 26/2013/TT-BYT
// (TT26). Where the two differ we follow the form, which is stricter, because
// it is what the staff will ask at the drive: inviting a donor that the form
// then turns away wastes their trip and their goodwill.
var questionnaire = []item{
	// PĐK 1: donated before, when and what. The rule is the interval of
	// TT26 Điều 6, applied together with the history (see donationFrom).
	{Question{ID: QDonatedBefore, Number: 1, AsksDate: true, AsksKind: true}, rule{}},
	// PĐK 2: ill now. The form defers until recovery; we cannot know when
	// that is, so we assume 14 days from today (the same window as the
	// minor illnesses of question 7) and say so with BasisAssumedRecovery.
	{Question{ID: QIllNow, Number: 2}, rule{code: CodeIllNow, days: 14, basis: BasisAssumedRecovery}},
	// PĐK 3: hepatitis B/C, HIV, other blood-borne or sexually transmitted
	// infection, heart disease, stroke, epilepsy, cancer, chronic lung,
	// kidney, liver, blood or endocrine disease, transplant, drug addiction:
	// not eligible (TT26 Điều 4 khoản 2, health criteria).
	{Question{ID: QChronic, Number: 3}, rule{code: CodeChronicCondition, notEligible: true}},
	// PĐK 4 / TT26 Điều 5 khoản 1: within 12 months recovered from malaria,
	// syphilis, tuberculosis, tetanus, encephalitis or meningitis; surgery;
	// transfusion of blood or blood products; rabies vaccine after a bite.
	{Question{ID: QWithin12Months, Number: 4, AsksDate: true}, rule{code: CodeWithin12Months, months: 12, basis: BasisToday}},
	// PĐK 5 / TT26 Điều 5 khoản 2: within 6 months tattoo, piercing,
	// acupuncture or invasive procedure; unexplained weight loss or lasting
	// swollen lymph nodes; exposure to an at-risk person's blood or body
	// fluids; recovered from typhoid, sepsis, snake bite, thrombophlebitis,
	// osteomyelitis, pancreatitis.
	{Question{ID: QWithin6Months, Number: 5, AsksDate: true}, rule{code: CodeWithin6Months, months: 6, basis: BasisToday}},
	// PĐK 6 / TT26 Điều 5 khoản 3: within 1 month recovered from
	// gastroenteritis, urinary or skin infection, bronchitis, pneumonia,
	// measles, mumps, rubella, dengue, dysentery, cholera; a live vaccine;
	// travel to a malaria, dengue or Zika area. The rule is 4 weeks (28
	// days); the form asks about a month, which only catches more events.
	{Question{ID: QWithin1Month, Number: 6, AsksDate: true}, rule{code: CodeWithin4Weeks, days: 28, basis: BasisToday}},
	// PĐK 7: within 14 days (2 weeks) flu, cold, cough, headache, fever,
	// sore throat. TT26 Điều 5 khoản 4 says 7 days after recovery; the form
	// says 14. The day is asked (with buttons for the last few days);
	// without one the window counts from today, never too early.
	{Question{ID: QWithin14Days, Number: 7, AsksDate: true, Recent: true}, rule{code: CodeWithin14Days, days: 14, basis: BasisToday}},
	// PĐK 8 / TT26 Điều 5 khoản 4: within 7 days antibiotics,
	// anti-inflammatories, aspirin, corticosteroids (they mask infections
	// and affect platelets); a non-live vaccine. Dated as question 7.
	{Question{ID: QWithin7Days, Number: 8, AsksDate: true, Recent: true}, rule{code: CodeWithin7Days, days: 7, basis: BasisToday}},
	// PĐK 9 / TT26 Điều 5 khoản 1 điểm d: pregnant. Deferred until 12
	// months after the end, which is not known yet: ask again later.
	{Question{ID: QPregnant, Number: 9, WomenOnly: true}, rule{code: CodePregnant, unknownEnd: true}},
	// PĐK 9: nursing a child under 12 months. Deferred until the child is
	// 12 months old, so the date asked is the child's birth month.
	{Question{ID: QNursing, Number: 9, WomenOnly: true, AsksDate: true}, rule{code: CodeNursing, months: 12, basis: BasisToday}},
	// PĐK 9 / TT26 Điều 5 khoản 1 điểm d: pregnancy ended (birth,
	// miscarriage, termination) within 12 months: 12 months from its end.
	{Question{ID: QPregnancyEnded, Number: 9, WomenOnly: true, AsksDate: true}, rule{code: CodePregnancyEnded, months: 12, basis: BasisToday}},
}

// Questions returns the questions to ask, in order. Women-only questions are
// left out for men.
func Questions(female bool) []Question {
	qs := make([]Question, 0, len(questionnaire))
	for _, it := range questionnaire {
		if it.q.WomenOnly && !female {
			continue
		}
		qs = append(qs, it.q)
	}
	return qs
}

// Missing returns, in order, the questions of Questions(female) that have no
// answer yet. The conversation asks Missing(...)[0] next and calls Evaluate
// when it is empty: Evaluate counts an unanswered question as No.
func Missing(female bool, answers []Answer) []QuestionID {
	seen := make(map[QuestionID]bool, len(answers))
	for _, a := range answers {
		seen[a.Question] = true
	}
	var out []QuestionID
	for _, q := range Questions(female) {
		if !seen[q.ID] {
			out = append(out, q.ID)
		}
	}
	return out
}

// latestAnswers indexes answers by question; a later answer to the same
// question replaces an earlier one, because the donor corrected it.
func latestAnswers(answers []Answer) map[QuestionID]Answer {
	m := make(map[QuestionID]Answer, len(answers))
	for _, a := range answers {
		m[a.Question] = a
	}
	return m
}

// eventDate is the day a window is counted from: the day the donor gave.
// With only a month, it is the last day of that month: the last day is the
// only choice that never ends a deferral too early. It is capped at today,
// because the event cannot have happened after the answer (and the month
// may not be over yet). Without a date it is today, which is also never
// too early.
func eventDate(a Answer, today time.Time, fallback Basis) (time.Time, Basis) {
	if a.When == nil || a.When.IsZero() {
		return today, fallback
	}
	from, basis := monthEnd(*a.When), BasisMonthEnd
	if a.Exact {
		from, basis = day(*a.When), BasisExact
	}
	if from.After(today) {
		return today, BasisToday
	}
	return from, basis
}
