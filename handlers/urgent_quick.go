package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"donorbot/blood"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/textbound"
	"donorbot/urgent"
)

// urgentRepeat is the value of the group question's "Repeat a previous
// need" button.
const urgentRepeat = "repeat"

// urgentRecentNeeds is how many previous needs are offered to repeat.
const urgentRecentNeeds = 5

// Defaults of a quick filing, shown at the review where any can be changed:
// whole blood is what most urgent needs ask for; the admin is asked to
// widen after an hour, as a patient waiting for blood cannot wait long.
const (
	quickWidenHours = 1
	quickAudience   = urgent.Same
)

// quickAnswered reports, for a quick filing, that step id was answered by
// the message or a default: not asked, but listed at the review.
func quickAnswered(id string) func(*needDraft) bool {
	return func(s *needDraft) bool { return s.Quick && !slices.Contains(s.Ask, id) }
}

// urgentQuick starts a need filed in one message: what it gave is kept,
// what it lacks is asked, the rest takes defaults, then the review.
func (h *Handlers) urgentQuick(ctx context.Context, t *turn, s needDraft, p urgent.Filing) error {
	s.Quick, s.Group, s.Units, s.Phone = true, p.Group, p.Units, p.Phone
	s.Component = cmp.Or(p.Component, blood.Whole)
	if p.Hospital != "" && textbound.Within(p.Hospital, 120) {
		s.Hospital = p.Hospital
		if err := h.findHospital(ctx, &s); err != nil {
			return err
		}
		// The reception point is the hospital's until the admin says more.
		s.Address = s.Hospital
	}
	if textbound.Within(p.Note, 500) {
		s.Note = p.Note
	}
	if p.DeadlineErr == nil {
		s.Deadline = p.Deadline
	}
	s.Contact = adminName(t)
	s.WidenHours, s.Audience = quickWidenHours, quickAudience
	for _, q := range []struct {
		id      string
		missing bool
	}{
		{"club", s.ClubID == 0}, {"group", !s.Group.Known()}, {"units", s.Units == 0},
		{"hospital", s.Hospital == ""}, {"deadline", s.Deadline.IsZero()}, {"contact", s.Contact == ""},
		{"phone", s.Phone == ""},
		// A note too long to keep is asked again rather than dropped.
		{"note", p.Note != "" && s.Note == ""},
	} {
		if q.missing {
			s.Ask = append(s.Ask, q.id)
		}
	}
	if p.DeadlineErr != nil {
		if err := t.reply(ctx, h.deadlineProblem(t, p.DeadlineErr, p.Deadline), nil); err != nil {
			return err
		}
	}
	f := h.urgentFlow()
	if len(s.Ask) == 0 {
		return f.startAt(ctx, t, s, reviewStep)
	}
	return f.start(ctx, t, s)
}

// adminName is the name of the admin filing a need, the contact until they
// name another: their donor profile's, else their Telegram name.
func adminName(t *turn) string {
	name := ""
	if t.donor != nil {
		name = t.donor.FullName
	}
	if from, _ := sender(t.upd); name == "" && from != nil {
		name = strings.TrimSpace(from.FirstName + " " + from.LastName)
	}
	if !textbound.Within(name, 120) {
		return ""
	}
	return name
}

// urgentGroupChoices are the eight groups and, for an admin whose clubs
// raised needs before, "Repeat a previous need".
func (h *Handlers) urgentGroupChoices(ctx context.Context, t *turn, s *needDraft) ([]choice, error) {
	var cs []choice
	for _, g := range profile.BloodGroups {
		cs = append(cs, choice{Text: string(g), Value: string(g)})
	}
	if s.Quick {
		return cs, nil
	}
	needs, err := h.recentNeeds(ctx, t, s, 1)
	if err != nil || len(needs) == 0 {
		return cs, err
	}
	return append(cs, choice{Text: t.text("btn_urgent_repeat"), Value: urgentRepeat}), nil
}

// recentNeeds are the latest needs of the club chosen, or of every club
// the user runs.
func (h *Handlers) recentNeeds(ctx context.Context, t *turn, s *needDraft, limit int) ([]storage.Need, error) {
	clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, c := range clubs {
		if s.ClubID == 0 || c.ID == s.ClubID {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return h.d.Store.ClubNeeds(ctx, ids, limit)
}

// urgentPreviousStep lists the recent needs to repeat; the one picked
// fills every answer but the deadline, which is asked again (the old one
// is past), then the review.
func (h *Handlers) urgentPreviousStep() step[needDraft] {
	return step[needDraft]{ID: "previous", Label: "un_label_previous",
		Prompt: func(t *turn, _ *needDraft) string { return t.text("un_ask_previous") },
		Skip:   func(s *needDraft) bool { return !s.Repeating },
		Choices: func(ctx context.Context, t *turn, s *needDraft) ([]choice, error) {
			needs, err := h.recentNeeds(ctx, t, s, urgentRecentNeeds)
			var cs []choice
			for _, n := range needs {
				label := fmt.Sprintf("#%d %s · %d · %s · %s", n.ID, n.BloodGroup, n.UnitsNeeded, n.Hospital,
					n.CreatedAt.In(h.d.Location).Format("02/01"))
				cs = append(cs, choice{Text: shorten(label, 60), Value: id(n.ID)})
			}
			return cs, err
		},
		Parse: func(ctx context.Context, t *turn, s *needDraft, raw string) (string, error) {
			needID, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return t.text("use_buttons"), nil
			}
			n, err := h.d.Store.Need(ctx, needID)
			if errors.Is(err, storage.ErrNotFound) {
				return t.text("use_buttons"), nil
			}
			if err != nil {
				return "", err
			}
			clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
			if err != nil {
				return "", err
			}
			i := slices.IndexFunc(clubs, func(c storage.Unit) bool { return c.ID == n.ClubID })
			if i < 0 { // a forged button, or a club whose rights were revoked
				return t.text("use_buttons"), nil
			}
			s.ClubID, s.ClubName, s.Repeating = n.ClubID, clubs[i].Name, false
			s.Group, s.Component, s.Units = n.BloodGroup, n.Component, n.UnitsNeeded
			s.Hospital, s.Address, s.Contact, s.Phone, s.Note = n.Hospital, n.Address, n.ContactName, n.ContactPhone, n.Note
			s.HospitalID = n.HospitalID
			s.Audience, s.Deadline, s.WidenHours = n.Audience, time.Time{}, 0
			if !n.WidenAt.IsZero() {
				s.WidenHours = quickWidenHours
			}
			s.Quick, s.Ask, s.RepeatedFrom = true, []string{"deadline"}, n.ID
			return "", nil
		},
	}
}

// urgentHospitalStep asks the hospital, matched to the directory; in a
// quick filing the reception point follows it until the admin changes that.
func (h *Handlers) urgentHospitalStep() step[needDraft] {
	st := urgentTextStep("hospital", 120, func(s *needDraft) *string { return &s.Hospital })
	parse := st.Parse
	st.Parse = func(ctx context.Context, t *turn, s *needDraft, raw string) (string, error) {
		follows := s.Quick && (s.Address == "" || s.Address == s.Hospital)
		problem, err := parse(ctx, t, s, raw)
		if problem != "" || err != nil {
			return problem, err
		}
		if err := h.findHospital(ctx, s); err != nil {
			return "", err
		}
		if follows {
			s.Address = s.Hospital
		}
		return "", nil
	}
	return st
}

// urgentDeadlineStep asks the deadline, with examples from the clock.
func (h *Handlers) urgentDeadlineStep() step[needDraft] {
	return step[needDraft]{ID: "deadline", Typed: true, Label: "un_label_deadline", Answered: quickAnswered("deadline"),
		Prompt: urgentPromptWith("deadline", func(t *turn) map[string]any {
			return map[string]any{"Examples": h.deadlineExamples(t)}
		}),
		Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
			d, err := urgent.ParseDeadline(raw, h.d.Now().In(h.d.Location))
			if err != nil {
				return h.deadlineProblem(t, err, d), nil
			}
			s.Deadline = d
			return "", nil
		},
		Show: func(t *turn, s *needDraft) string { return h.showDeadline(t, s.Deadline) },
	}
}

// deadlineProblem says why a deadline is refused, showing what it was read
// as when it was understood.
func (h *Handlers) deadlineProblem(t *turn, err error, d time.Time) string {
	args := map[string]any{"Examples": h.deadlineExamples(t)}
	switch {
	case errors.Is(err, urgent.ErrDeadlinePast):
		args["When"] = h.showDeadline(t, d)
		return t.textf("un_err_deadline_past", args)
	case errors.Is(err, urgent.ErrDeadlineFar):
		args["When"] = h.showDeadline(t, d)
		return t.textf("un_err_deadline_far", args)
	}
	return t.textf("un_err_deadline", args)
}

// showDeadline is a deadline in full: time, weekday, date, and "today" or
// "tomorrow" when it is, so a misread one is caught at the review.
func (h *Handlers) showDeadline(t *turn, d time.Time) string {
	now, d := h.d.Now().In(h.d.Location), d.In(h.d.Location)
	text := t.textf("un_deadline_full", map[string]any{"Time": d.Format("15:04"), "Date": t.date(d)})
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, h.d.Location)
	switch day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, h.d.Location); {
	case day.Equal(today):
		text += " " + t.text("un_day_today")
	case day.Equal(today.AddDate(0, 0, 1)):
		text += " " + t.text("un_day_tomorrow")
	}
	return text
}

// deadlineExamples are ways to type a deadline, all ahead of the clock: a
// time later today (while the evening leaves one), tomorrow morning, and a
// date in two days.
func (h *Handlers) deadlineExamples(t *turn) string {
	now := h.d.Now().In(h.d.Location)
	var ex []string
	if now.Hour() < 20 {
		ex = append(ex, t.textf("un_ex_today", map[string]any{"Hour": now.Hour() + 3}))
	}
	ex = append(ex, t.text("un_ex_tomorrow"), t.textf("un_ex_date", map[string]any{"Date": now.AddDate(0, 0, 2).Format("02/01")}))
	return strings.Join(ex, "; ")
}
