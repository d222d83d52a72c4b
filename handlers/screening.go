package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/profile"
	"donorbot/screening"
	"donorbot/storage"
)

const flowScreening = "screening"

// Screening conversation steps.
const (
	stepQuestion = "q"    // a Yes/No question
	stepKind     = "kind" // what was donated (question 1)
	stepDate     = "date" // the month of a Yes
)

// screeningState is the questionnaire in progress, kept in the Redis
// conversation so it survives restarts.
type screeningState struct {
	Purpose string                 `json:"purpose"` // what to do with the result: "reg:<id>", "recheck:<id>"
	Day     string                 `json:"day"`     // the drive's date, YYYY-MM-DD
	Only    []screening.QuestionID `json:"only,omitempty"`
	Answers []screening.Answer     `json:"answers"`
	Pending *screening.Answer      `json:"pending,omitempty"` // a Yes awaiting its kind or month
}

// screeningDone receives a finished questionnaire for a purpose kind.
type screeningDone func(ctx context.Context, t *turn, id int64, st screeningState, res screening.Result) error

func (st screeningState) questions(female bool) []screening.Question {
	qs := screening.Questions(female)
	if len(st.Only) == 0 {
		return qs
	}
	return slices.DeleteFunc(qs, func(q screening.Question) bool { return !slices.Contains(st.Only, q.ID) })
}

// current is the question being asked and its 1-based number; ok is false
// when every question is answered.
func (st screeningState) current(female bool) (q screening.Question, n, total int, ok bool) {
	qs := st.questions(female)
	for i, q := range qs {
		if st.Pending != nil && st.Pending.Question == q.ID {
			return q, i + 1, len(qs), true
		}
		if !slices.ContainsFunc(st.Answers, func(a screening.Answer) bool { return a.Question == q.ID }) {
			return q, i + 1, len(qs), true
		}
	}
	return screening.Question{}, 0, len(qs), false
}

func (st screeningState) step() string {
	switch {
	case st.Pending == nil:
		return stepQuestion
	case st.Pending.Question == screening.QDonatedBefore && st.Pending.Kind == "":
		return stepKind
	default:
		return stepDate
	}
}

// beginScreening starts the questionnaire for purpose on the drive's day.
func (h *Handlers) beginScreening(ctx context.Context, t *turn, purpose string, day time.Time, only ...screening.QuestionID) error {
	st := screeningState{Purpose: purpose, Day: day.Format(time.DateOnly), Only: only}
	if len(only) == 0 {
		if err := t.reply(ctx, t.text("screening_intro"), nil); err != nil {
			return err
		}
	}
	return h.askScreening(ctx, t, st)
}

func (h *Handlers) saveScreening(ctx context.Context, t *turn, st screeningState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode screening state: %w", err)
	}
	conv := storage.Conversation{Flow: flowScreening, Step: st.step(), Data: map[string]string{"s": string(raw)}}
	return h.d.State.SaveConversation(ctx, t.userID, conv)
}

func loadScreening(conv storage.Conversation) (screeningState, error) {
	var st screeningState
	if err := json.Unmarshal([]byte(conv.Data["s"]), &st); err != nil {
		return screeningState{}, fmt.Errorf("decode screening state: %w", err)
	}
	return st, nil
}

// askScreening asks what comes next, or evaluates the answers when done.
func (h *Handlers) askScreening(ctx context.Context, t *turn, st screeningState) error {
	female := t.donor.Sex == profile.SexFemale
	q, n, total, ok := st.current(female)
	if !ok {
		return h.finishScreening(ctx, t, st)
	}
	if err := h.saveScreening(ctx, t, st); err != nil {
		return err
	}
	qid := string(q.ID)
	back := botapi.Button{Text: t.text("btn_back"), CallbackData: encodeCallback("scr", "b", qid)}
	progress := t.textf("screening_progress", map[string]any{"N": n, "Total": total})
	var kb botapi.InlineKeyboard
	var text string
	switch st.step() {
	case stepKind:
		text = t.text("q_kind")
		var bs []botapi.Button
		for _, k := range []screening.DonationKind{screening.WholeBlood, screening.Platelets, screening.Plasma} {
			bs = append(bs, botapi.Button{Text: t.text("kind_" + string(k)), CallbackData: encodeCallback("scr", "k", qid, string(k))})
		}
		kb = rows(1, bs...).With(back)
	case stepDate:
		text = t.text(whenQuestion(q.ID))
		kb = rows(1, botapi.Button{Text: t.text("btn_dont_remember"), CallbackData: encodeCallback("scr", "d", qid)}).With(back)
	default:
		text = t.text("q_" + qid)
		kb = rows(2,
			botapi.Button{Text: t.text("btn_yes"), CallbackData: encodeCallback("scr", "a", qid, "y")},
			botapi.Button{Text: t.text("btn_no"), CallbackData: encodeCallback("scr", "a", qid, "n")})
		if n > 1 {
			kb = kb.With(back)
		}
	}
	return t.reply(ctx, progress+"\n\n"+text, kb)
}

func whenQuestion(q screening.QuestionID) string {
	switch q {
	case screening.QNursing:
		return "q_when_nursing"
	case screening.QDonatedBefore:
		return "q_when_donated"
	}
	return "q_when"
}

// onScreeningButton handles Yes/No, the kind of donation, "don't remember"
// and Back. A tap on any question but the current one is stale.
func (h *Handlers) onScreeningButton(ctx context.Context, t *turn) error {
	conv, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return err
	}
	if !ok && t.donor != nil {
		return h.screeningLost(ctx, t)
	}
	if !ok || conv.Flow != flowScreening || t.donor == nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	st, err := loadScreening(conv)
	if err != nil {
		return err
	}
	q, _, _, ok := st.current(t.donor.Sex == profile.SexFemale)
	action, qid, value := t.cb.arg(0), t.cb.arg(1), t.cb.arg(2)
	if !ok || qid != string(q.ID) || !screeningTapFits(st.step(), action, value) {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	switch action {
	case "a":
		a := screening.Answer{Question: q.ID, Yes: value == "y"}
		if a.Yes && (q.AsksKind || q.AsksDate) {
			st.Pending = &a
		} else {
			st.Answers = append(st.Answers, a)
		}
	case "k":
		st.Pending.Kind = screening.DonationKind(value)
	case "d":
		st.Answers = append(st.Answers, *st.Pending)
		st.Pending = nil
	case "b":
		if st.Pending != nil {
			st.Pending = nil
		} else if len(st.Answers) > 0 {
			st.Answers = st.Answers[:len(st.Answers)-1]
		}
	}
	return h.askScreening(ctx, t, st)
}

// screeningTapFits reports whether a tap belongs to the step being asked.
func screeningTapFits(step, action, value string) bool {
	switch action {
	case "b":
		return true
	case "a":
		return step == stepQuestion && (value == "y" || value == "n")
	case "k":
		kinds := []string{string(screening.WholeBlood), string(screening.Platelets), string(screening.Plasma)}
		return step == stepKind && slices.Contains(kinds, value)
	case "d":
		return step == stepDate
	}
	return false
}

// screeningText takes a typed month/year; anything else is asked again.
func (h *Handlers) screeningText(ctx context.Context, t *turn, conv storage.Conversation) error {
	st, err := loadScreening(conv)
	if err != nil {
		return err
	}
	if st.step() != stepDate {
		if err := t.reply(ctx, t.text("use_buttons"), nil); err != nil {
			return err
		}
		return h.askScreening(ctx, t, st)
	}
	when, perr := screening.ParseMonthYear(strings.TrimSpace(t.upd.Message.Text), h.today())
	if perr != nil {
		id := "err_month_year"
		switch {
		case errors.Is(perr, screening.ErrMonthYearFuture):
			id = "err_month_future"
		case errors.Is(perr, screening.ErrMonthYearTooOld):
			id = "err_month_old"
		}
		if err := t.reply(ctx, t.text(id), nil); err != nil {
			return err
		}
		return h.askScreening(ctx, t, st)
	}
	st.Pending.When = &when
	st.Answers = append(st.Answers, *st.Pending)
	st.Pending = nil
	return h.askScreening(ctx, t, st)
}

// finishScreening evaluates the answers and hands them to their purpose.
func (h *Handlers) finishScreening(ctx context.Context, t *turn, st screeningState) error {
	if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
		return err
	}
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
	sd, err := h.screeningDonor(ctx, t.donor)
	if err != nil {
		return screening.Result{}, err
	}
	return screening.Evaluate(screening.DefaultConfig(), sd, st.Answers, day, h.today()), nil
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
	data := map[string]any{"Date": displayDate(day), "Until": displayDate(res.Until), "Volume": res.MaxVolumeML}
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
func (h *Handlers) screeningLost(ctx context.Context, t *turn) error {
	regs, err := h.d.Store.MyRegistrations(ctx, t.userID, h.d.Now())
	if err != nil {
		return err
	}
	for _, r := range regs {
		if r.Registration.Status.Live() && r.Registration.AllowedVolumeML == 0 &&
			r.Slot.Start.After(h.d.Now()) && r.Drive.Status == drive.StatusPublished {
			if err := t.finishTap(ctx); err != nil {
				return err
			}
			if err := t.reply(ctx, t.text("screening_lost"), nil); err != nil {
				return err
			}
			return h.beginScreening(ctx, t, "reg:"+id(r.Registration.ID), h.calendarDay(r.Slot.Start))
		}
	}
	return t.answer(ctx, t.text("button_stale"))
}
