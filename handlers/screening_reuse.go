package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/screening"
	"donorbot/storage"
)

// reuseWindow is how long answers are offered again instead of the
// questions: a donor who cancelled and registered again, or registers for a
// second drive the same day, has nothing new to tell.
const reuseWindow = 24 * time.Hour

// stepReuse is the step that offers the answers of the last 24 hours.
const stepReuse = "reuse"

// Values of the reuse step's buttons.
const (
	reuseKeep  = "keep"
	reuseAgain = "again"
)

// reusedAnswers are answers the donor gave within reuseWindow.
type reusedAnswers struct {
	At      time.Time              `json:"at"` // when the oldest of them was given
	Answers []screening.Answer     `json:"answers"`
	NoDate  []screening.QuestionID `json:"no_date,omitempty"`
	Kept    bool                   `json:"kept,omitempty"` // the donor said they are still true
}

// askLess runs before a full questionnaire. When the profile and history
// alone rule the drive's day out, it says so, settles the registration and
// offers the first drive the donor can attend: stop is true and nothing is
// asked. Otherwise, answers given within reuseWindow are put in st to be
// offered as still true (not when the donor asked to answer again).
func (h *Handlers) askLess(ctx context.Context, t *turn, st *screeningState, day time.Time) (stop bool, err error) {
	kind, regID, err := parsePurpose(st.Purpose)
	if err != nil {
		return false, err
	}
	if t.donor == nil || (kind != "reg" && kind != purposeRedo) {
		return false, nil
	}
	sd, err := h.screeningDonorBeforeAnswers(ctx, t.donor)
	if err != nil {
		return false, err
	}
	if next, reasons := screening.NextEligible(screening.DefaultConfig(), sd, day); next.After(day) {
		return true, h.historyRulesOut(ctx, t, kind, regID, day, next, reasons)
	}
	if kind == purposeRedo {
		return false, nil
	}
	st.Reuse, err = h.recentAnswers(ctx, t, st)
	return false, err
}

// recentAnswers are the donor's latest answers to every question st asks
// when all of them were given within reuseWindow of now; nil otherwise.
func (h *Handlers) recentAnswers(ctx context.Context, t *turn, st *screeningState) (*reusedAnswers, error) {
	latest, err := h.d.Store.LatestScreening(ctx, t.userID)
	if err != nil {
		return nil, err
	}
	r := &reusedAnswers{}
	for _, q := range st.questions() {
		i := slices.IndexFunc(latest, func(a storage.ScreeningAnswer) bool { return a.Question == q.ID })
		if i < 0 || h.d.Now().Sub(latest[i].AnsweredAt) > reuseWindow {
			return nil, nil
		}
		a := latest[i]
		if r.At.IsZero() || a.AnsweredAt.Before(r.At) {
			r.At = a.AnsweredAt
		}
		r.Answers = append(r.Answers, a.Answer)
		if a.NoDate {
			r.NoDate = append(r.NoDate, q.ID)
		}
	}
	return r, nil
}

// reuseStep shows the answers of the last 24 hours: "Still true" judges
// them at once for this drive, "Answer again" asks every question.
func (h *Handlers) reuseStep() step[screeningState] {
	return step[screeningState]{
		ID: stepReuse,
		Prompt: func(t *turn, s *screeningState) string {
			earlier := screeningState{Female: s.Female, Only: s.Only, Answers: s.Reuse.Answers, NoDate: s.Reuse.NoDate}
			var b strings.Builder
			b.WriteString(t.textf("reuse_ask", map[string]any{"Time": t.clock(s.Reuse.At), "Date": t.date(s.Reuse.At)}))
			for _, q := range s.questions() {
				fmt.Fprintf(&b, "\n• %s: %s", t.text("label_"+string(q.ID)), earlier.showAnswer(t, q.ID))
			}
			b.WriteString("\n\n")
			b.WriteString(t.text("reuse_still_true"))
			return b.String()
		},
		Choices: func(_ context.Context, t *turn, _ *screeningState) ([]choice, error) {
			return []choice{{Text: t.text("btn_reuse_keep"), Value: reuseKeep}, {Text: t.text("btn_reuse_again"), Value: reuseAgain}}, nil
		},
		Parse: func(ctx context.Context, t *turn, s *screeningState, raw string) (string, error) {
			switch raw {
			case reuseKeep:
				s.Answers = slices.Clone(s.Reuse.Answers)
				s.NoDate = slices.Clone(s.Reuse.NoDate)
				s.Reuse.Kept = true
				return "", nil
			case reuseAgain:
				s.Answers, s.NoDate, s.Reuse.Kept = nil, nil, false
				return "", t.reply(ctx, t.text("screening_intro"), nil)
			}
			return t.text("use_buttons"), nil
		},
		Skip:   func(s *screeningState) bool { return s.Reuse == nil },
		Commit: func(s *screeningState) bool { return s.Reuse != nil && s.Reuse.Kept },
	}
}

// historyRulesOut tells a donor whose profile and history already rule out
// the drive's day, before any question: from when they may donate, and the
// first drive from then they can attend. A registration waiting for its
// screening is settled as deferred, which frees its seat.
func (h *Handlers) historyRulesOut(ctx context.Context, t *turn, kind string, regID int64, day, next time.Time, reasons []screening.Reason) error {
	if kind == "reg" {
		promoted, err := h.d.Store.SetScreening(ctx, regID, nil, 0, drive.RegDeferred, h.d.Now())
		if errors.Is(err, storage.ErrNotLive) || errors.Is(err, storage.ErrNotFound) {
			return t.reply(ctx, t.text("registration_gone"), nil)
		}
		if err != nil {
			return err
		}
		if err := h.announcePromotion(ctx, promoted); err != nil {
			return err
		}
	}
	text := t.textf("history_rules_out", map[string]any{"Date": t.day(day), "Until": t.day(next)}) +
		t.reasonLines(reasons)
	if kind == "reg" {
		text += "\n\n" + t.text("history_seat_freed")
	}
	from := time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, h.d.Location)
	later, err := h.d.Store.UpcomingDrivesFor(ctx, from, t.userID, 0, 1)
	if err != nil {
		return err
	}
	if len(later) == 0 {
		return t.reply(ctx, text+"\n\n"+t.text("history_no_drive_yet"), t.remindKeyboard(screening.Result{Status: screening.Deferred, Until: next}))
	}
	d := later[0].Drive
	text += "\n\n" + t.text("history_first_drive") + "\n\n" + t.driveCard(d, later[0].SeatsLeft)
	label := t.textf("btn_register_for", map[string]any{"Title": shorten(d.Title, 40)})
	return t.reply(ctx, text, rows(1, botapi.Button{Text: label, CallbackData: encodeCallback("drv", "open", id(d.ID))}))
}
