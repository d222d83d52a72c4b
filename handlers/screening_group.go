package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"donorbot/screening"
)

// The questions after the first are almost always answered No: they are
// asked together in one message, with "None of these", and one by one only
// when the donor says one of them applies. The first (donated before,
// what and when) is often Yes and stays on its own.
const (
	stepGroup    = "group"
	firstGrouped = screening.QIllNow
	// Answers of the group step. groupNone is "n", the value of every No
	// of the questionnaire (the load driver taps them).
	groupNone   = "n"
	groupDetail = "y"
)

func grouped(q screening.QuestionID) bool { return q != screening.QDonatedBefore }

// groupedQuestions are the questions of the group that st asks.
func (st *screeningState) groupedQuestions() []screening.Question {
	return slices.DeleteFunc(st.questions(), func(q screening.Question) bool { return !grouped(q.ID) })
}

// groupAnswered reports that "None of these" answered q.
func (st *screeningState) groupAnswered(q screening.QuestionID) bool {
	return st.Group == groupNone && grouped(q)
}

// groupStep lists the grouped questions in one message. "None of these"
// answers each No (each is listed at the review, to be changed); "Yes"
// asks them one by one.
func groupStep() step[screeningState] {
	return step[screeningState]{
		ID: stepGroup,
		Prompt: func(t *turn, s *screeningState) string {
			qs := s.groupedQuestions()
			from, total := s.number(qs[0].ID)
			to, _ := s.number(qs[len(qs)-1].ID)
			var b strings.Builder
			b.WriteString(t.textf("group_progress", map[string]any{"From": from, "To": to, "Total": total}))
			b.WriteString("\n\n")
			b.WriteString(t.text("group_ask"))
			for _, q := range qs {
				n, _ := s.number(q.ID)
				fmt.Fprintf(&b, "\n\n%d. %s", n, t.text("q_"+string(q.ID)))
			}
			return b.String()
		},
		Choices: func(_ context.Context, t *turn, _ *screeningState) ([]choice, error) {
			return []choice{{Text: t.text("btn_group_none"), Value: groupNone}, {Text: t.text("btn_yes"), Value: groupDetail}}, nil
		},
		Parse: func(_ context.Context, t *turn, s *screeningState, raw string) (string, error) {
			switch raw {
			case groupNone:
				for _, q := range s.groupedQuestions() {
					s.set(screening.Answer{Question: q.ID})
				}
				s.NoDate = slices.DeleteFunc(s.NoDate, grouped)
			case groupDetail:
			default:
				return t.text("use_buttons"), nil
			}
			s.Group = raw
			return "", nil
		},
		// A re-check asks its few questions one by one.
		Skip: func(s *screeningState) bool { return len(s.Only) > 0 || len(s.groupedQuestions()) < 2 },
	}
}
