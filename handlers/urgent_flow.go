package handlers

import (
	"context"
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

const flowUrgent = "urgent"

// needDraft is the answers of /urgent: the need a club admin is raising.
type needDraft struct {
	ClubID   int64  `json:"club"`
	ClubName string `json:"club_name"`
	// OneClub is set for an admin of one club, who is not asked which.
	OneClub   bool               `json:"one_club,omitempty"`
	Group     profile.BloodGroup `json:"group"`
	Component blood.Component    `json:"component"`
	Units     int                `json:"units"`
	Hospital  string             `json:"hospital"`
	// HospitalID is the directory hospital Hospital names (0: none);
	// Province where the need is (placeNeed), set before it is matched.
	HospitalID int64           `json:"hospital_id,omitempty"`
	Province   string          `json:"province,omitempty"`
	Address    string          `json:"address"`
	Deadline   time.Time       `json:"deadline"`
	Contact    string          `json:"contact"`
	Phone      string          `json:"phone"`
	Note       string          `json:"note,omitempty"`
	WidenHours int             `json:"widen"` // 0: never offer to widen
	Audience   urgent.Audience `json:"audience"`
	// Matched is how many donors Audience reaches, counted by the flow's
	// Check: the review, which shows it, has no database at hand.
	Matched int `json:"matched"`
	// Quick is set when the need was filed in one message or repeated:
	// only the questions of Ask are asked, the rest go to the review.
	Quick bool     `json:"quick,omitempty"`
	Ask   []string `json:"ask,omitempty"`
	// Repeating is set between "Repeat a previous need" and the pick;
	// RepeatedFrom is the need picked.
	Repeating    bool  `json:"repeating,omitempty"`
	RepeatedFrom int64 `json:"repeated_from,omitempty"`
}

// urgentQuestions are the need's questions, numbered in their prompts; the
// club, asked only of admins of several clubs, is not one of them.
var urgentQuestions = []string{"group", "component", "units", "hospital", "address", "deadline", "contact", "phone", "note", "widen", "audience"}

// urgentWidenHours are the offered delays before the admin is asked to
// widen an unfilled need; 0 means never.
var urgentWidenHours = []int{1, 2, 4, 0}

// urgentAudiences are the audiences a need may go to, narrowest first.
var urgentAudiences = []urgent.Audience{urgent.Same, urgent.Compatible, urgent.All}

// urgentCmd starts raising an urgent need.
func (h *Handlers) urgentCmd(ctx context.Context, t *turn) error {
	clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
	if err != nil {
		return err
	}
	var s needDraft
	if len(clubs) == 1 {
		s.ClubID, s.ClubName, s.OneClub = clubs[0].ID, clubs[0].Name, true
	}
	if strings.TrimSpace(t.args) != "" {
		return h.urgentQuick(ctx, t, s, urgent.ParseFiling(t.args, h.d.Now().In(h.d.Location)))
	}
	return h.urgentFlow().start(ctx, t, s)
}

// urgentFlow asks a need's questions, then previews the alert with how many
// donors it reaches; its Confirm sends it. The admin's rights are checked
// at every answer and the club's again at the send.
func (h *Handlers) urgentFlow() *flow[needDraft] {
	f := &flow[needDraft]{
		Name: flowUrgent, Version: 1, Guard: h.clubAdminOnly, ConfirmText: "btn_urgent_send",
		Steps: []step[needDraft]{
			h.urgentClubStep(),
			{ID: "group", Prompt: urgentPrompt("group"), Columns: 4, Label: "un_label_group", Answered: quickAnswered("group"),
				Choices: h.urgentGroupChoices,
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					if raw == urgentRepeat && !s.Quick {
						s.Repeating = true
						return "", nil
					}
					if !profile.BloodGroup(raw).Known() {
						return t.text("use_buttons"), nil
					}
					if s.RepeatedFrom != 0 && s.Deadline.IsZero() {
						// Back out of a repeat before its deadline was
						// given: the admin starts a need of their own.
						*s = needDraft{ClubID: s.ClubID, ClubName: s.ClubName, OneClub: s.OneClub}
					}
					s.Group, s.Repeating = profile.BloodGroup(raw), false
					return "", nil
				},
				Show: func(_ *turn, s *needDraft) string { return string(s.Group) }},
			h.urgentPreviousStep(),
			{ID: "component", Prompt: urgentPrompt("component"), Label: "un_label_component", Answered: quickAnswered("component"),
				Choices: func(_ context.Context, t *turn, _ *needDraft) ([]choice, error) {
					var cs []choice
					for _, c := range urgent.Components {
						cs = append(cs, choice{Text: t.text("component_" + string(c)), Value: string(c)})
					}
					return cs, nil
				},
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					if !slices.Contains(urgent.Components, blood.Component(raw)) {
						return t.text("use_buttons"), nil
					}
					s.Component = blood.Component(raw)
					return "", nil
				},
				Show: func(t *turn, s *needDraft) string { return t.text("component_" + string(s.Component)) }},
			{ID: "units", Prompt: urgentPrompt("units"), Typed: true, Label: "un_label_units", Answered: quickAnswered("units"),
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					n, ok := urgent.ParseUnits(raw)
					if !ok {
						return t.text("un_err_units"), nil
					}
					s.Units = n
					return "", nil
				},
				Show: func(_ *turn, s *needDraft) string { return strconv.Itoa(s.Units) }},
			h.urgentHospitalStep(),
			urgentTextStep("address", 300, func(s *needDraft) *string { return &s.Address }),
			h.urgentDeadlineStep(),
			urgentTextStep("contact", 120, func(s *needDraft) *string { return &s.Contact }),
			{ID: "phone", Prompt: urgentPrompt("phone"), Typed: true, Label: "un_label_phone", Answered: quickAnswered("phone"),
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					p, err := profile.ParsePhone(raw)
					if err != nil {
						return t.text("un_err_phone"), nil
					}
					s.Phone = p
					return "", nil
				},
				Show: func(_ *turn, s *needDraft) string { return profile.LocalPhone(s.Phone) }},
			{ID: "note", Prompt: urgentPrompt("note"), Typed: true, Label: "un_label_note", Answered: quickAnswered("note"),
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					if !textbound.Within(raw, 500) {
						return t.text("un_err_text"), nil
					}
					s.Note = raw
					return "", nil
				},
				Clear: func(s *needDraft) { s.Note = "" },
				// Listed even when skipped, so a note can still be added.
				Show: func(t *turn, s *needDraft) string {
					if s.Note == "" {
						return t.text("un_no_note")
					}
					return s.Note
				}},
			urgentWidenStep(),
			h.urgentAudienceStep(),
		},
		Check: func(ctx context.Context, t *turn, s *needDraft) (string, string, error) {
			if !s.Deadline.After(h.d.Now()) { // passed while the admin was answering
				return "deadline", h.deadlineProblem(t, urgent.ErrDeadlinePast, s.Deadline), nil
			}
			if err := h.placeNeed(ctx, s); err != nil {
				return "", "", err
			}
			matched, err := h.matchNeed(ctx, h.needOf(t, s), s.Audience)
			if err != nil {
				return "", "", err
			}
			s.Matched = len(matched)
			return "", "", nil
		},
		Review: func(t *turn, s *needDraft) string {
			return t.textf("un_preview", map[string]any{
				"Card": h.needCard(t.lang, h.needOf(t, s)), "Count": s.Matched, "Audience": t.text("aud_" + string(s.Audience)),
			})
		},
		Cancelled: func(ctx context.Context, t *turn, _ *needDraft) error {
			return t.reply(ctx, t.text("un_discarded"), nil)
		},
		Restart: h.urgentCmd,
	}
	f.Done = func(ctx context.Context, t *turn, s *needDraft) error {
		if !s.Deadline.After(h.d.Now()) {
			// The deadline passed while the review waited: back to the
			// review, whose Check asks for a new one.
			return f.review(ctx, t, storage.Conversation{Version: storage.ConversationVersion, Flow: f.Name, FlowVersion: f.Version}, s)
		}
		return h.sendUrgent(ctx, t, s)
	}
	return f
}

// urgentPrompt is the question of step id with its number: among all the
// questions, or among those a quick filing asks (none when it asks one, or
// when an answer is changed at the review).
func urgentPrompt(id string) func(*turn, *needDraft) string {
	return urgentPromptWith(id, nil)
}

// urgentPromptWith is urgentPrompt of a question with data.
func urgentPromptWith(id string, data func(*turn) map[string]any) func(*turn, *needDraft) string {
	return func(t *turn, s *needDraft) string {
		question := t.text("un_ask_" + id)
		if data != nil {
			question = t.textf("un_ask_"+id, data(t))
		}
		n := map[string]any{"N": slices.Index(urgentQuestions, id) + 1, "Total": len(urgentQuestions)}
		if s.Quick {
			asked := slices.DeleteFunc(slices.Clone(s.Ask), func(q string) bool { return q == "club" })
			n = map[string]any{"N": slices.Index(asked, id) + 1, "Total": len(asked)}
			if len(asked) < 2 || n["N"] == 0 {
				return question
			}
		}
		return t.textf("step_prefix", n) + " " + question
	}
}

// urgentTextStep asks a typed answer of at most limit characters.
func urgentTextStep(id string, limit int, field func(*needDraft) *string) step[needDraft] {
	return step[needDraft]{ID: id, Prompt: urgentPrompt(id), Typed: true, Label: "un_label_" + id, Answered: quickAnswered(id),
		Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
			if !textbound.Within(raw, limit) {
				return t.text("un_err_text"), nil
			}
			*field(s) = raw
			return "", nil
		},
		Show: func(_ *turn, s *needDraft) string { return *field(s) },
	}
}

// urgentClubStep asks an admin of several clubs which one needs blood.
func (h *Handlers) urgentClubStep() step[needDraft] {
	return step[needDraft]{ID: "club", Label: "un_label_club", Answered: quickAnswered("club"),
		Prompt: func(t *turn, _ *needDraft) string { return t.text("un_ask_club") },
		Skip:   func(s *needDraft) bool { return s.OneClub },
		Choices: func(ctx context.Context, t *turn, _ *needDraft) ([]choice, error) {
			clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
			var cs []choice
			for _, c := range clubs {
				cs = append(cs, choice{Text: shorten(c.Name, 60), Value: id(c.ID)})
			}
			return cs, err
		},
		Parse: func(ctx context.Context, t *turn, s *needDraft, raw string) (string, error) {
			clubID, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return t.text("use_buttons"), nil
			}
			clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
			if err != nil {
				return "", err
			}
			i := slices.IndexFunc(clubs, func(c storage.Unit) bool { return c.ID == clubID })
			if i < 0 { // a forged button, or a club whose rights were revoked
				return t.text("use_buttons"), nil
			}
			s.ClubID, s.ClubName = clubID, clubs[i].Name
			return "", nil
		},
		Show: func(_ *turn, s *needDraft) string { return s.ClubName },
	}
}

// urgentWidenStep asks when to offer widening an unfilled need.
func urgentWidenStep() step[needDraft] {
	label := func(t *turn, hours int) string {
		if hours == 0 {
			return t.text("un_widen_never")
		}
		return t.textf("un_widen_hours", map[string]any{"Hours": hours})
	}
	return step[needDraft]{ID: "widen", Prompt: urgentPrompt("widen"), Columns: 2, Typed: true, Label: "un_label_widen", Answered: quickAnswered("widen"),
		Choices: func(_ context.Context, t *turn, _ *needDraft) ([]choice, error) {
			var cs []choice
			for _, hrs := range urgentWidenHours {
				cs = append(cs, choice{Text: label(t, hrs), Value: strconv.Itoa(hrs)})
			}
			return cs, nil
		},
		Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 0 || n > 72 {
				return t.text("un_err_widen"), nil
			}
			s.WidenHours = n
			return "", nil
		},
		Show: func(t *turn, s *needDraft) string { return label(t, s.WidenHours) },
	}
}

// urgentAudienceStep asks who gets the alert, each choice with how many
// donors it reaches now.
func (h *Handlers) urgentAudienceStep() step[needDraft] {
	return step[needDraft]{ID: "audience", Prompt: urgentPrompt("audience"), Label: "un_label_audience", Answered: quickAnswered("audience"),
		Choices: func(ctx context.Context, t *turn, s *needDraft) ([]choice, error) {
			if err := h.placeNeed(ctx, s); err != nil {
				return nil, err
			}
			var cs []choice
			for _, a := range urgentAudiences {
				matched, err := h.matchNeed(ctx, h.needOf(t, s), a)
				if err != nil {
					return nil, err
				}
				cs = append(cs, choice{Text: t.textf("btn_aud_"+string(a), map[string]any{"Count": len(matched)}), Value: string(a)})
			}
			return cs, nil
		},
		Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
			if !urgent.Audience(raw).Valid() {
				return t.text("use_buttons"), nil
			}
			s.Audience = urgent.Audience(raw)
			return "", nil
		},
		Show: func(t *turn, s *needDraft) string { return t.text("aud_" + string(s.Audience)) },
	}
}

// needOf is the need the answers describe, raised by the user of t.
func (h *Handlers) needOf(t *turn, s *needDraft) storage.Need {
	n := storage.Need{
		ClubID: s.ClubID, CreatedBy: t.userID, BloodGroup: s.Group, Component: s.Component, UnitsNeeded: s.Units,
		Hospital: s.Hospital, Address: s.Address, Deadline: s.Deadline, ContactName: s.Contact, ContactPhone: s.Phone,
		Note: s.Note, Audience: s.Audience, AdminChatID: t.chatID, AdminLang: t.lang,
		HospitalID: s.HospitalID, Province: s.Province,
	}
	if s.WidenHours > 0 {
		n.WidenAt = h.d.Now().Add(time.Duration(s.WidenHours) * time.Hour)
	}
	return n
}

// sendUrgent stores the need, shows the admin its live status message and
// alerts the matching donors.
func (h *Handlers) sendUrgent(ctx context.Context, t *turn, s *needDraft) error {
	if err := h.placeNeed(ctx, s); err != nil { // the review's Check placed it, but kept no state
		return err
	}
	n := h.needOf(t, s)
	if ok, err := h.d.Store.IsClubAdmin(ctx, t.userID, n.ClubID); err != nil || !ok {
		if err != nil {
			return err
		}
		return t.reply(ctx, t.text("club_admin_only"), nil)
	}
	n, err := h.d.Store.CreateNeed(ctx, n)
	if err != nil {
		return err
	}
	if err := h.showNeedStatus(ctx, n.ID, t.chatID, t.lang); err != nil {
		return err
	}
	sent, err := h.alertNeed(ctx, n, n.Audience)
	if err != nil {
		return err
	}
	if sent == 0 {
		if err := t.reply(ctx, t.text("un_nobody"), nil); err != nil {
			return err
		}
	}
	return h.refreshNeedStatus(ctx, n.ID)
}
