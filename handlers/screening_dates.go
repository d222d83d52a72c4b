package handlers

import (
	"context"
	"errors"
	"slices"
	"time"

	"donorbot/datefmt"
	"donorbot/screening"
)

// recentDaysAgo are the days offered as buttons for a question whose window
// is a few days (questions 7 and 8): today, yesterday, and two and three
// days ago. Older days are typed.
var recentDaysAgo = []int{0, 1, 2, 3}

// whenStep asks when the event of a Yes happened: the day typed as
// dd/mm/yyyy (or tapped, for a recent one), the month as mm/yyyy when that
// is all the donor remembers, or "I don't remember" by its button. The
// rules count from the day given, or from the month's last day.
func (h *Handlers) whenStep(q screening.Question) step[screeningState] {
	return step[screeningState]{
		ID:       stepWhenPrefix + string(q.ID),
		FollowUp: true,
		Prompt:   func(t *turn, s *screeningState) string { return screeningPrompt(t, s, q.ID, whenQuestion(q)) },
		Choices: func(_ context.Context, t *turn, _ *screeningState) ([]choice, error) {
			return h.whenChoices(t, q), nil
		},
		Columns: 2,
		Typed:   true,
		Parse: func(_ context.Context, t *turn, s *screeningState, raw string) (string, error) {
			a, _ := s.answer(q.ID)
			if raw == dontRemember {
				a.When, a.Exact = nil, false
				s.set(a)
				if !slices.Contains(s.NoDate, q.ID) {
					s.NoDate = append(s.NoDate, q.ID)
				}
				return "", nil
			}
			when, exact, err := screening.ParseEventDate(raw, h.today())
			switch {
			case errors.Is(err, screening.ErrMonthYearFuture):
				return t.text("err_month_future"), nil
			case errors.Is(err, screening.ErrMonthYearTooOld):
				return t.text("err_month_old"), nil
			case err != nil:
				return t.text("err_month_year"), nil
			}
			a.When, a.Exact = &when, exact
			s.set(a)
			s.NoDate = slices.DeleteFunc(s.NoDate, func(x screening.QuestionID) bool { return x == q.ID })
			return "", nil
		},
		Skip: func(s *screeningState) bool { return !s.asks(q.ID) || !s.saidYes(q.ID) },
	}
}

// whenChoices are the date buttons of q. A recent day's button carries the
// date itself, not "yesterday": tapped after midnight it still means the
// day it named when it was shown.
func (h *Handlers) whenChoices(t *turn, q screening.Question) []choice {
	var cs []choice
	if q.Recent {
		today := h.today()
		for _, n := range recentDaysAgo {
			cs = append(cs, choice{Text: daysAgoText(t, n), Value: eventDateValue(today.AddDate(0, 0, -n))})
		}
	}
	return append(cs, choice{Text: t.text("btn_dont_remember"), Value: dontRemember})
}

// eventDateValue is a day button's value: the date as a donor would type
// it, so a tap and typing take the same path through ParseEventDate. It is
// never shown.
func eventDateValue(day time.Time) string { return day.Format("02/01/2006") }

func daysAgoText(t *turn, n int) string {
	switch n {
	case 0:
		return t.text("btn_today")
	case 1:
		return t.text("btn_yesterday")
	}
	return t.textf("btn_days_ago", map[string]any{"N": n})
}

func whenQuestion(q screening.Question) string {
	switch {
	case q.ID == screening.QNursing:
		return "q_when_nursing"
	case q.ID == screening.QDonatedBefore:
		return "q_when_donated"
	case q.Recent:
		return "q_when_recent"
	}
	return "q_when"
}

// whenText shows an answer's date at the review: the day when the donor
// gave one, else the month.
func whenText(t *turn, a screening.Answer) string {
	if a.Exact {
		return t.day(*a.When)
	}
	return datefmt.Month(t.lang, *a.When)
}
