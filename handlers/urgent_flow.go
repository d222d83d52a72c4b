package handlers

import (
	"context"
	"slices"
	"strconv"
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
	OneClub    bool               `json:"one_club,omitempty"`
	Group      profile.BloodGroup `json:"group"`
	Component  blood.Component    `json:"component"`
	Units      int                `json:"units"`
	Hospital   string             `json:"hospital"`
	Address    string             `json:"address"`
	Deadline   time.Time          `json:"deadline"`
	Contact    string             `json:"contact"`
	Phone      string             `json:"phone"`
	Note       string             `json:"note,omitempty"`
	WidenHours int                `json:"widen"` // 0: never offer to widen
	Audience   urgent.Audience    `json:"audience"`
	// Matched is how many donors Audience reaches, counted by the flow's
	// Check: the review, which shows it, has no database at hand.
	Matched int `json:"matched"`
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
			{ID: "group", Prompt: urgentPrompt("group"), Columns: 4, Label: "un_label_group",
				Choices: func(context.Context, *turn, *needDraft) ([]choice, error) {
					var cs []choice
					for _, g := range profile.BloodGroups {
						cs = append(cs, choice{Text: string(g), Value: string(g)})
					}
					return cs, nil
				},
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					if !profile.BloodGroup(raw).Known() {
						return t.text("use_buttons"), nil
					}
					s.Group = profile.BloodGroup(raw)
					return "", nil
				},
				Show: func(_ *turn, s *needDraft) string { return string(s.Group) }},
			{ID: "component", Prompt: urgentPrompt("component"), Label: "un_label_component",
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
			{ID: "units", Prompt: urgentPrompt("units"), Typed: true, Label: "un_label_units",
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					n, err := strconv.Atoi(raw)
					if err != nil || n < 1 || n > 50 {
						return t.text("un_err_units"), nil
					}
					s.Units = n
					return "", nil
				},
				Show: func(_ *turn, s *needDraft) string { return strconv.Itoa(s.Units) }},
			urgentTextStep("hospital", 120, func(s *needDraft) *string { return &s.Hospital }),
			urgentTextStep("address", 300, func(s *needDraft) *string { return &s.Address }),
			{ID: "deadline", Prompt: urgentPrompt("deadline"), Typed: true, Label: "un_label_deadline",
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					d, ok := h.parseDeadline(raw)
					if !ok {
						return t.text("un_err_deadline"), nil
					}
					s.Deadline = d
					return "", nil
				},
				Show: func(t *turn, s *needDraft) string { return h.clock(s.Deadline) + " " + t.date(s.Deadline) }},
			urgentTextStep("contact", 120, func(s *needDraft) *string { return &s.Contact }),
			{ID: "phone", Prompt: urgentPrompt("phone"), Typed: true, Label: "un_label_phone",
				Parse: func(_ context.Context, t *turn, s *needDraft, raw string) (string, error) {
					p, err := profile.ParsePhone(raw)
					if err != nil {
						return t.text("un_err_phone"), nil
					}
					s.Phone = p
					return "", nil
				},
				Show: func(_ *turn, s *needDraft) string { return profile.LocalPhone(s.Phone) }},
			{ID: "note", Prompt: urgentPrompt("note"), Typed: true, Label: "un_label_note",
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
				return "deadline", t.text("un_err_deadline"), nil
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

// urgentPrompt is the question of step id with its number.
func urgentPrompt(id string) func(*turn, *needDraft) string {
	return func(t *turn, _ *needDraft) string {
		n := map[string]any{"N": slices.Index(urgentQuestions, id) + 1, "Total": len(urgentQuestions)}
		return t.textf("step_prefix", n) + " " + t.text("un_ask_"+id)
	}
}

// urgentTextStep asks a typed answer of at most limit characters.
func urgentTextStep(id string, limit int, field func(*needDraft) *string) step[needDraft] {
	return step[needDraft]{ID: id, Prompt: urgentPrompt(id), Typed: true, Label: "un_label_" + id,
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
	return step[needDraft]{ID: "club", Label: "un_label_club",
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
	return step[needDraft]{ID: "widen", Prompt: urgentPrompt("widen"), Columns: 2, Typed: true, Label: "un_label_widen",
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
	return step[needDraft]{ID: "audience", Prompt: urgentPrompt("audience"), Label: "un_label_audience",
		Choices: func(ctx context.Context, t *turn, s *needDraft) ([]choice, error) {
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
	}
	if s.WidenHours > 0 {
		n.WidenAt = h.d.Now().Add(time.Duration(s.WidenHours) * time.Hour)
	}
	return n
}

// sendUrgent stores the need, shows the admin its live status message and
// alerts the matching donors.
func (h *Handlers) sendUrgent(ctx context.Context, t *turn, s *needDraft) error {
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
