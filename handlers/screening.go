package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"donorbot/drive"
	"donorbot/profile"
	"donorbot/screening"
	"donorbot/storage"
)

const flowScreening = "screening"

// Step ids of the screening flow besides the questions' own ids: what was
// donated (question 1), and the date of a Yes that asks one.
const (
	stepKind       = "kind"
	stepWhenPrefix = "when_"
	// dontRemember is the "I don't remember" button's answer to a date.
	dontRemember = "?"
)

// screeningState is the questionnaire in progress.
type screeningState struct {
	Purpose string `json:"purpose"` // what to do with the result: "reg:<id>", "recheck:<id>"
	Day     string `json:"day"`     // the drive's date, YYYY-MM-DD
	// Female is the donor's sex when the questionnaire began: the
	// women-only questions are asked of women only.
	Female bool                   `json:"female"`
	Only   []screening.QuestionID `json:"only,omitempty"` // a re-check asks only these
	// Answers are in question order, one per question answered.
	Answers []screening.Answer `json:"answers"`
	// NoDate are the Yes answers whose date the donor does not remember:
	// their When stays nil, and the date is not asked again.
	NoDate []screening.QuestionID `json:"no_date,omitempty"`
	// Reuse holds answers the donor gave in the last 24 hours, offered
	// before the questions (screening_reuse.go).
	Reuse *reusedAnswers `json:"reuse,omitempty"`
	// Group is the answer to the grouped questions (screening_group.go):
	// groupNone, groupDetail, or "" before it is given.
	Group string `json:"group,omitempty"`
}

// screeningDone receives a finished questionnaire for a purpose kind.
type screeningDone func(ctx context.Context, t *turn, id int64, st screeningState, res screening.Result) error

// questions are the questions this questionnaire asks, in order.
func (st *screeningState) questions() []screening.Question {
	qs := screening.Questions(st.Female)
	if len(st.Only) == 0 {
		return qs
	}
	return slices.DeleteFunc(qs, func(q screening.Question) bool { return !slices.Contains(st.Only, q.ID) })
}

// number is q's 1-based place among the questions asked, and their count.
func (st *screeningState) number(q screening.QuestionID) (n, total int) {
	qs := st.questions()
	return slices.IndexFunc(qs, func(x screening.Question) bool { return x.ID == q }) + 1, len(qs)
}

func (st *screeningState) asks(q screening.QuestionID) bool {
	n, _ := st.number(q)
	return n > 0
}

func (st *screeningState) answer(q screening.QuestionID) (screening.Answer, bool) {
	i := slices.IndexFunc(st.Answers, func(a screening.Answer) bool { return a.Question == q })
	if i < 0 {
		return screening.Answer{}, false
	}
	return st.Answers[i], true
}

func (st *screeningState) saidYes(q screening.QuestionID) bool {
	a, ok := st.answer(q)
	return ok && a.Yes
}

// set records a, replacing an earlier answer to the same question: a
// changed answer is the donor's correction, never a second answer.
func (st *screeningState) set(a screening.Answer) {
	if i := slices.IndexFunc(st.Answers, func(x screening.Answer) bool { return x.Question == a.Question }); i >= 0 {
		st.Answers[i] = a
		return
	}
	st.Answers = append(st.Answers, a)
}

// dated reports whether a Yes to q has its month, or the donor said they
// do not remember it.
func (st *screeningState) dated(q screening.QuestionID) bool {
	a, _ := st.answer(q)
	return a.When != nil || slices.Contains(st.NoDate, q)
}

// beginScreening starts the questionnaire for purpose on the drive's day;
// a re-check asks only the questions only.
func (h *Handlers) beginScreening(ctx context.Context, t *turn, purpose string, day time.Time, only ...screening.QuestionID) error {
	st := screeningState{Purpose: purpose, Day: day.Format(time.DateOnly), Only: only,
		Female: t.donor != nil && t.donor.Sex == profile.SexFemale}
	if len(only) == 0 {
		if stop, err := h.askLess(ctx, t, &st, day); stop || err != nil {
			return err
		}
	}
	if len(only) == 0 && st.Reuse == nil {
		if err := t.reply(ctx, t.text("screening_intro"), nil); err != nil {
			return err
		}
	}
	return h.screeningFlow().start(ctx, t, st)
}

// screeningFlow asks the questionnaire: per question Yes/No, then for a Yes
// what was donated and the month where the question asks them; a review of
// every answer, any of which can be changed, before it is judged.
func (h *Handlers) screeningFlow() *flow[screeningState] {
	f := &flow[screeningState]{
		Name: flowScreening, Version: 1,
		Review: func(t *turn, _ *screeningState) string { return t.text("screening_review") },
		Check: func(_ context.Context, _ *turn, s *screeningState) (string, string, error) {
			return s.missingDetail(), "", nil
		},
		Done: func(ctx context.Context, t *turn, s *screeningState) error {
			return h.screened(ctx, t, *s)
		},
		Cancelled: func(ctx context.Context, t *turn, s *screeningState) error {
			if strings.HasPrefix(s.Purpose, "recheck:") {
				return t.reply(ctx, t.text("recheck_cancelled"), nil)
			}
			if strings.HasPrefix(s.Purpose, purposeRedo+":") {
				return t.reply(ctx, t.text("reanswer_cancelled"), rows(1, t.myDrivesButton()))
			}
			return t.reply(ctx, t.text("screening_cancelled"), rows(1, t.myDrivesButton()))
		},
		Restart: func(ctx context.Context, t *turn) error {
			_, err := h.rescreenPending(ctx, t)
			return err
		},
		Lost:  h.screeningLost,
		Guard: h.screeningDonorOnly,
	}
	f.Steps = append(f.Steps, h.reuseStep())
	for _, q := range screening.Questions(true) {
		if q.ID == firstGrouped {
			f.Steps = append(f.Steps, groupStep())
		}
		f.Steps = append(f.Steps, h.yesNoStep(q))
		if q.AsksKind {
			f.Steps = append(f.Steps, kindStep(q))
		}
		if q.AsksDate {
			f.Steps = append(f.Steps, h.whenStep(q))
		}
	}
	return f
}

// missingDetail is the step of the first Yes still without what was
// donated or its month (the donor went Back from it after changing a No to
// Yes at the review): the review does not come before they are given.
func (st *screeningState) missingDetail() string {
	for _, q := range st.questions() {
		a, ok := st.answer(q.ID)
		switch {
		case !ok || !a.Yes:
		case q.AsksKind && a.Kind == "":
			return stepKind
		case q.AsksDate && !st.dated(q.ID):
			return stepWhenPrefix + string(q.ID)
		}
	}
	return ""
}

// screeningPrompt prefixes a question's text with its number.
func screeningPrompt(t *turn, s *screeningState, q screening.QuestionID, textID string) string {
	n, total := s.number(q)
	return t.textf("screening_progress", map[string]any{"N": n, "Total": total}) + "\n\n" + t.text(textID)
}

func (h *Handlers) yesNoStep(q screening.Question) step[screeningState] {
	return step[screeningState]{
		ID:     string(q.ID),
		Prompt: func(t *turn, s *screeningState) string { return screeningPrompt(t, s, q.ID, "q_"+string(q.ID)) },
		Choices: func(_ context.Context, t *turn, _ *screeningState) ([]choice, error) {
			return []choice{{Text: t.text("btn_yes"), Value: "y"}, {Text: t.text("btn_no"), Value: "n"}}, nil
		},
		Columns: 2,
		Parse: func(_ context.Context, t *turn, s *screeningState, raw string) (string, error) {
			if raw != "y" && raw != "n" {
				return t.text("use_buttons"), nil
			}
			// A new Yes/No drops the details of the answer it replaces:
			// they are asked again for a Yes.
			s.set(screening.Answer{Question: q.ID, Yes: raw == "y"})
			s.NoDate = slices.DeleteFunc(s.NoDate, func(x screening.QuestionID) bool { return x == q.ID })
			return "", nil
		},
		Skip:     func(s *screeningState) bool { return !s.asks(q.ID) },
		Answered: func(s *screeningState) bool { return s.groupAnswered(q.ID) },
		Label:    "label_" + string(q.ID),
		Show:     func(t *turn, s *screeningState) string { return s.showAnswer(t, q.ID) },
	}
}

// showAnswer renders an answer for the review: Yes or No, and for a Yes
// what was donated and when.
func (st *screeningState) showAnswer(t *turn, q screening.QuestionID) string {
	a, ok := st.answer(q)
	if !ok {
		return ""
	}
	if !a.Yes {
		return t.text("btn_no")
	}
	var details []string
	if a.Kind != "" {
		details = append(details, t.text("kind_"+string(a.Kind)))
	}
	switch {
	case a.When != nil:
		details = append(details, whenText(t, a))
	case slices.Contains(st.NoDate, q):
		details = append(details, t.text("review_no_date"))
	}
	if len(details) == 0 {
		return t.text("btn_yes")
	}
	return t.text("btn_yes") + " (" + strings.Join(details, ", ") + ")"
}

// lastDonationKinds are the answers to "what did you donate last time".
var lastDonationKinds = []screening.DonationKind{screening.WholeBlood, screening.Platelets, screening.Plasma}

func kindStep(q screening.Question) step[screeningState] {
	return step[screeningState]{
		ID:       stepKind,
		FollowUp: true,
		Prompt:   func(t *turn, s *screeningState) string { return screeningPrompt(t, s, q.ID, "q_kind") },
		Choices: func(_ context.Context, t *turn, _ *screeningState) ([]choice, error) {
			var cs []choice
			for _, k := range lastDonationKinds {
				cs = append(cs, choice{Text: t.text("kind_" + string(k)), Value: string(k)})
			}
			return cs, nil
		},
		Parse: func(_ context.Context, t *turn, s *screeningState, raw string) (string, error) {
			kind := screening.DonationKind(raw)
			if !slices.Contains(lastDonationKinds, kind) {
				return t.text("use_buttons"), nil
			}
			a, _ := s.answer(q.ID)
			a.Kind = kind
			s.set(a)
			return "", nil
		},
		Skip: func(s *screeningState) bool { return !s.asks(q.ID) || !s.saidYes(q.ID) },
	}
}

// screeningDonorOnly stops the questionnaire of a user who has no profile
// any more (erased by /forget while their conversation lingered): there is
// nobody to judge. Their typed text then goes where it would without the
// questionnaire.
func (h *Handlers) screeningDonorOnly(next handlerFunc) handlerFunc {
	return func(ctx context.Context, t *turn) error {
		if t.donor != nil {
			return next(ctx, t)
		}
		if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
			return err
		}
		if t.callbackID != "" {
			return t.answer(ctx, t.text("button_stale"))
		}
		return h.onText(ctx, t)
	}
}

// screened evaluates the answers and hands them to their purpose.
func (h *Handlers) screened(ctx context.Context, t *turn, st screeningState) error {
	res, err := h.evaluate(ctx, t, st)
	if err != nil {
		return err
	}
	kind, id, err := parsePurpose(st.Purpose)
	if err != nil {
		return err
	}
	done, ok := h.screeningPurposes()[kind]
	if !ok {
		return fmt.Errorf("screening purpose %q unknown", st.Purpose)
	}
	return done(ctx, t, id, st, res)
}

// evaluate judges the answers of st with the donor's profile and history on
// the drive's day.
func (h *Handlers) evaluate(ctx context.Context, t *turn, st screeningState) (screening.Result, error) {
	day, err := time.Parse(time.DateOnly, st.Day)
	if err != nil {
		return screening.Result{}, fmt.Errorf("screening day %q: %w", st.Day, err)
	}
	// The answers just given replace those of earlier screenings, so the
	// deferrals those caused are not facts here.
	sd, err := h.screeningDonorBeforeAnswers(ctx, t.donor)
	if err != nil {
		return screening.Result{}, err
	}
	return h.statusOn(donorFacts{donor: sd}, day, st.Answers), nil
}

func parsePurpose(p string) (string, int64, error) {
	kind, id, ok := strings.Cut(p, ":")
	var n int64
	if _, err := fmt.Sscan(id, &n); !ok || err != nil {
		return "", 0, fmt.Errorf("screening purpose %q malformed", p)
	}
	return kind, n, nil
}

// screeningResultText renders a result for the donor, every reason and
// notice included.
func (t *turn) screeningResultText(res screening.Result, day time.Time) string {
	var b strings.Builder
	data := map[string]any{"Date": t.day(day), "Until": t.day(res.Until), "Volume": res.MaxVolumeML}
	switch {
	case res.Status == screening.Eligible && res.MaxVolumeML > 0:
		b.WriteString(t.textf("result_eligible", data))
	case res.Status == screening.Eligible:
		b.WriteString(t.textf("result_eligible_no_volume", data))
	case res.Status == screening.Deferred && !res.Until.IsZero():
		b.WriteString(t.textf("result_deferred", data))
	case res.Status == screening.Deferred:
		b.WriteString(t.textf("result_deferred_unknown", data))
	default:
		b.WriteString(t.text("result_not_eligible"))
	}
	if res.Apheresis {
		b.WriteString("\n")
		b.WriteString(t.text("result_apheresis"))
	}
	b.WriteString(t.reasonLines(res.Reasons))
	b.WriteString("\n")
	for _, n := range res.Notices {
		b.WriteString("\n")
		b.WriteString(t.text("notice_" + string(n)))
	}
	return b.String()
}

// screeningLost answers a screening button whose conversation is gone (Redis
// lost it or it expired). Answers in progress live only there, so a
// registration still waiting for its screening starts the questions again;
// any other tap is just stale.
func (h *Handlers) screeningLost(ctx context.Context, t *turn) (bool, error) {
	reg, ok, err := h.pendingScreening(ctx, t)
	if err != nil || !ok {
		return false, err
	}
	if err := t.finishTap(ctx); err != nil {
		return true, err
	}
	if err := t.reply(ctx, t.text("screening_lost"), nil); err != nil {
		return true, err
	}
	return true, h.beginScreening(ctx, t, "reg:"+id(reg.Registration.ID), h.calendarDay(reg.Slot.Start))
}

// rescreenPending starts the questionnaire again for a registration still
// waiting for its screening, if there is one.
func (h *Handlers) rescreenPending(ctx context.Context, t *turn) (bool, error) {
	reg, ok, err := h.pendingScreening(ctx, t)
	if err != nil || !ok {
		return false, err
	}
	return true, h.beginScreening(ctx, t, "reg:"+id(reg.Registration.ID), h.calendarDay(reg.Slot.Start))
}

// pendingScreening is the donor's upcoming live registration that has no
// screening result yet.
func (h *Handlers) pendingScreening(ctx context.Context, t *turn) (storage.MyRegistration, bool, error) {
	regs, err := h.d.Store.MyRegistrations(ctx, t.userID, h.d.Now())
	if err != nil {
		return storage.MyRegistration{}, false, err
	}
	for _, r := range regs {
		if r.Registration.Status.Live() && r.Registration.AllowedVolumeML == 0 &&
			r.Slot.Start.After(h.d.Now()) && r.Drive.Status == drive.StatusPublished {
			return r, true, nil
		}
	}
	return storage.MyRegistration{}, false, nil
}
