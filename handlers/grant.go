package handlers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"donorbot/botapi"
	"donorbot/personref"
	"donorbot/profile"
	"donorbot/storage"
)

// flowRole is the flow of /grant and /revoke: who, which role, which club
// for a club admin, then a Yes/No on the person's card.
const flowRole = "role"

// roleDraft is /grant's or /revoke's answers. The person's card is kept
// with them so the confirmation shows what the admin saw when they chose.
type roleDraft struct {
	Revoke bool          `json:"revoke,omitempty"`
	Who    personSummary `json:"who"`
	Role   string        `json:"role,omitempty"`
	ClubID int64         `json:"club,omitempty"`
	Club   string        `json:"club_name,omitempty"`
	Answer string        `json:"answer,omitempty"` // yes|no at the confirmation
}

// personSummary is what an admin reads of a person, and where and in which
// language the person is told.
type personSummary struct {
	ID    int64    `json:"id,omitempty"`
	Name  string   `json:"name,omitempty"` // "" if they never onboarded
	Phone string   `json:"phone,omitempty"`
	Units []string `json:"units,omitempty"`
	Lang  string   `json:"lang,omitempty"`
}

// The roles /grant gives, in the order offered.
var grantableRoles = []string{storage.RoleOrganizer, storage.RoleAdmin, storage.RoleClubAdmin}

// grant gives a role to a person named by a forwarded message, an
// @username, a phone or a Telegram id, after a Yes on their card.
func (h *Handlers) grant(ctx context.Context, t *turn) error { return h.startRoleChange(ctx, t, false) }

// revoke takes a role back, the person named and confirmed as for grant.
func (h *Handlers) revoke(ctx context.Context, t *turn) error { return h.startRoleChange(ctx, t, true) }

// startRoleChange takes what the command's arguments already say and asks
// the rest; an argument that is refused is explained and asked again.
func (h *Handlers) startRoleChange(ctx context.Context, t *turn, revoke bool) error {
	s := roleDraft{Revoke: revoke}
	problem := ""
	cmd, err := personref.ParseCommand(t.args)
	switch {
	case errors.Is(err, personref.ErrExtra):
		problem = t.text("grant_usage")
	case errors.Is(err, personref.ErrPhone):
		problem = t.text("grant_bad_phone")
	case err != nil:
		problem = t.text("grant_unrecognized")
	case cmd.Who.Kind != personref.None:
		problem, err = h.takePerson(ctx, t, &s, cmd.Who)
		if err == nil && problem == "" && cmd.Role != "" {
			problem, err = h.takeRole(ctx, t, &s, cmd.Role)
		}
		if err == nil && problem == "" && cmd.Club != "" && !revoke {
			problem, err = h.takeClub(ctx, t, &s, cmd.Club)
		}
		if err != nil {
			return err
		}
	default: // "/grant organizer": the role is known, the person is asked
		s.Role = cmd.Role
	}
	if problem != "" {
		if err := t.reply(ctx, problem, nil); err != nil {
			return err
		}
	}
	return h.roleFlow().start(ctx, t, s)
}

func (h *Handlers) roleFlow() *flow[roleDraft] {
	return &flow[roleDraft]{
		Name: flowRole, Version: 1, Guard: h.adminOnly,
		Steps: []step[roleDraft]{{
			ID: "who",
			Prompt: func(t *turn, s *roleDraft) string {
				return t.text(pick(s.Revoke, "revoke_ask_who", "grant_ask_who"))
			},
			Typed: true, Forwards: true,
			Parse: func(ctx context.Context, t *turn, s *roleDraft, raw string) (string, error) {
				if m := t.upd.Message; m != nil && m.ForwardOrigin != nil {
					return h.takeForward(ctx, t, s, m.ForwardOrigin)
				}
				ref, err := personref.Parse(raw)
				switch {
				case errors.Is(err, personref.ErrPhone):
					return t.text("grant_bad_phone"), nil
				case err != nil || ref.Kind == personref.None:
					return t.text("grant_unrecognized"), nil
				}
				return h.takePerson(ctx, t, s, ref)
			},
			Skip: func(s *roleDraft) bool { return s.Who.ID != 0 },
		}, {
			ID: "role",
			Prompt: func(t *turn, s *roleDraft) string {
				return t.textf(pick(s.Revoke, "revoke_ask_role", "grant_ask_role"), map[string]any{"Name": t.personName(s.Who)})
			},
			Choices: func(ctx context.Context, t *turn, s *roleDraft) ([]choice, error) {
				roles := grantableRoles
				if s.Revoke {
					held, err := h.heldRoleNames(ctx, s.Who.ID)
					if err != nil {
						return nil, err
					}
					roles = held
				}
				out := make([]choice, 0, len(roles))
				for _, r := range roles {
					out = append(out, choice{Text: t.text("role_btn_" + r), Value: r})
				}
				return out, nil
			},
			Parse: func(ctx context.Context, t *turn, s *roleDraft, raw string) (string, error) {
				return h.takeRole(ctx, t, s, raw)
			},
			Skip: func(s *roleDraft) bool { return s.Role != "" },
		}, {
			ID:     "club",
			Prompt: func(t *turn, _ *roleDraft) string { return t.text("grant_ask_club") },
			Choices: func(ctx context.Context, t *turn, _ *roleDraft) ([]choice, error) {
				units, err := h.d.Store.Units(ctx, 0, 50)
				if err != nil {
					return nil, err
				}
				var out []choice
				for _, u := range units {
					if u.Kind == "club" && len(out) < 10 {
						out = append(out, choice{Text: u.Name, Value: strconv.FormatInt(u.ID, 10)})
					}
				}
				return out, nil
			},
			Typed: true,
			Parse: func(ctx context.Context, t *turn, s *roleDraft, raw string) (string, error) {
				return h.takeClub(ctx, t, s, raw)
			},
			Skip: func(s *roleDraft) bool { return s.Revoke || s.Role != storage.RoleClubAdmin || s.ClubID != 0 },
		}, {
			ID: "confirm",
			Prompt: func(t *turn, s *roleDraft) string {
				return t.textf(pick(s.Revoke, "revoke_confirm", "grant_confirm"), map[string]any{
					"Role": t.roleWords(s.Role, s.Club), "Person": t.personCard(s.Who)})
			},
			Choices: func(_ context.Context, t *turn, _ *roleDraft) ([]choice, error) {
				return []choice{{Text: t.text("grant_btn_yes"), Value: "yes"}, {Text: t.text("grant_btn_no"), Value: "no"}}, nil
			},
			Columns: 2,
			Parse: func(_ context.Context, t *turn, s *roleDraft, raw string) (string, error) {
				if raw != "yes" && raw != "no" {
					return t.text("use_buttons"), nil
				}
				s.Answer = raw
				return "", nil
			},
			Commit: func(s *roleDraft) bool { return s.Answer != "" },
		}},
		Done: func(ctx context.Context, t *turn, s *roleDraft) error {
			if s.Answer != "yes" {
				return t.reply(ctx, t.textf("grant_kept", map[string]any{"Name": t.personName(s.Who)}), nil)
			}
			if s.Revoke {
				return h.revokeConfirmed(ctx, t, s)
			}
			return h.grantConfirmed(ctx, t, s)
		},
	}
}

// takeForward names the person whose message was forwarded: a person who
// hides their account behind forwards cannot be named this way.
func (h *Handlers) takeForward(ctx context.Context, t *turn, s *roleDraft, o *models.MessageOrigin) (string, error) {
	switch {
	case o.MessageOriginUser != nil && !o.MessageOriginUser.SenderUser.IsBot:
		return h.takePerson(ctx, t, s, personref.Ref{Kind: personref.ByID, ID: o.MessageOriginUser.SenderUser.ID})
	case o.MessageOriginHiddenUser != nil:
		return t.text("grant_hidden"), nil
	}
	return t.text("grant_forward_not_person"), nil
}

// takePerson finds the person a reference names. An id names anyone, even
// someone who never started the bot; a username or a phone only an
// onboarded donor, and a phone only one.
func (h *Handlers) takePerson(ctx context.Context, t *turn, s *roleDraft, ref personref.Ref) (string, error) {
	var p storage.Person
	var err error
	switch ref.Kind {
	case personref.ByID:
		p, err = h.d.Store.PersonByID(ctx, ref.ID)
		if errors.Is(err, storage.ErrNotFound) {
			p, err = storage.Person{TelegramID: ref.ID}, nil
		}
	case personref.ByUsername:
		p, err = h.d.Store.PersonByUsername(ctx, ref.Username)
		if errors.Is(err, storage.ErrNotFound) {
			return t.textf("grant_no_username", map[string]any{"Username": ref.Username}), nil
		}
	case personref.ByPhone:
		var people []storage.Person
		people, err = h.d.Store.PeopleByPhone(ctx, ref.Phone)
		phone := map[string]any{"Phone": profile.LocalPhone(ref.Phone)}
		switch {
		case err != nil:
		case len(people) == 0:
			return t.textf("grant_no_phone", phone), nil
		case len(people) > 1:
			return t.textf("grant_phone_ambiguous", phone), nil
		default:
			p = people[0]
		}
	default:
		return t.text("grant_unrecognized"), nil
	}
	if err != nil {
		return "", err
	}
	if p.TelegramID == t.userID {
		return t.text("grant_self"), nil
	}
	if p.Language == "" {
		if p.Language, err = h.d.State.Language(ctx, p.TelegramID); err != nil || p.Language == "" {
			p.Language = languageFor("")
		}
	}
	s.Who = personSummary{ID: p.TelegramID, Name: p.Name, Phone: p.Phone, Units: p.Units, Lang: p.Language}
	if s.Revoke {
		held, err := h.heldRoleNames(ctx, p.TelegramID)
		if err != nil {
			return "", err
		}
		if len(held) == 0 {
			s.Who = personSummary{}
			return t.textf("revoke_holds_nothing", map[string]any{"Name": t.personName(personSummaryOf(p))}), nil
		}
	}
	return "", nil
}

func personSummaryOf(p storage.Person) personSummary {
	return personSummary{ID: p.TelegramID, Name: p.Name, Phone: p.Phone, Units: p.Units}
}

// takeRole takes the role to give or take back: one the person does not
// hold yet, or one they hold.
func (h *Handlers) takeRole(ctx context.Context, t *turn, s *roleDraft, role string) (string, error) {
	if !isGrantable(role) {
		return t.text("use_buttons"), nil
	}
	data := map[string]any{"Name": t.personName(s.Who), "Role": t.roleWords(role, "")}
	if s.Revoke {
		held, err := h.heldRoleNames(ctx, s.Who.ID)
		if err != nil || slices.Contains(held, role) {
			s.Role = role
			return "", err
		}
		return t.textf("revoke_not_held", data), nil
	}
	if role != storage.RoleClubAdmin {
		holds, err := h.holdsRole(ctx, s.Who.ID, role, 0)
		if err != nil || holds {
			return t.textf("grant_already", data), err
		}
	}
	s.Role = role
	return "", nil
}

// takeClub takes the club a club admin is given, by its number, its invite
// code or its button.
func (h *Handlers) takeClub(ctx context.Context, t *turn, s *roleDraft, arg string) (string, error) {
	club, err := h.unitByArg(ctx, arg)
	if errors.Is(err, storage.ErrNotFound) || err == nil && club.Kind != "club" {
		return t.text("grant_no_club"), nil
	}
	if err != nil {
		return "", err
	}
	holds, err := h.holdsRole(ctx, s.Who.ID, storage.RoleClubAdmin, club.ID)
	if err != nil || holds {
		return t.textf("grant_already", map[string]any{"Name": t.personName(s.Who),
			"Role": t.roleWords(storage.RoleClubAdmin, club.Name)}), err
	}
	s.ClubID, s.Club = club.ID, club.Name
	return "", nil
}

// grantConfirmed gives the role after the Yes, checked again (another
// admin may have given it meanwhile), and tells the person.
func (h *Handlers) grantConfirmed(ctx context.Context, t *turn, s *roleDraft) error {
	data := map[string]any{"Name": t.personName(s.Who), "Role": t.roleWords(s.Role, s.Club)}
	holds, err := h.holdsRole(ctx, s.Who.ID, s.Role, s.ClubID)
	if err != nil {
		return err
	}
	if holds {
		return t.reply(ctx, t.textf("grant_already", data), nil)
	}
	if err := h.d.Store.GrantRole(ctx, s.Who.ID, s.Role, s.ClubID, t.userID); err != nil {
		return err
	}
	h.afterRolesChange(ctx, t, s.Who.ID)
	lang := s.Who.Lang
	told := h.textIn(lang, "grant_told_"+s.Role, map[string]any{"Club": s.Club})
	h.tellAfterCommit(ctx, s.Who.ID, told, h.roleNextSteps(lang, s.Role))
	return t.reply(ctx, t.textf("grant_done", data), nil)
}

// revokeConfirmed takes the role back (in every unit) and tells the person.
func (h *Handlers) revokeConfirmed(ctx context.Context, t *turn, s *roleDraft) error {
	data := map[string]any{"Name": t.personName(s.Who), "Role": t.roleWords(s.Role, "")}
	held, err := h.d.Store.RevokeRole(ctx, s.Who.ID, s.Role)
	if err != nil {
		return err
	}
	if !held {
		return t.reply(ctx, t.textf("revoke_not_held", data), nil)
	}
	h.afterRolesChange(ctx, t, s.Who.ID)
	lang := s.Who.Lang
	h.tellAfterCommit(ctx, s.Who.ID, h.textIn(lang, "revoke_told", map[string]any{
		"Role": h.roleWordsIn(lang, s.Role, "")}), nil)
	return t.reply(ctx, t.textf("revoke_done", data), nil)
}

// tellAfterCommit tells another user once the turn has committed, so no
// one is told of a change that rolled back. The change stands if the
// message fails (they blocked the bot, or never started it).
func (h *Handlers) tellAfterCommit(ctx context.Context, chatID int64, text string, markup any) {
	w := storage.WorkOf(ctx)
	if w == nil {
		return
	}
	w.After(func(ctx context.Context) error {
		if err := h.tell(ctx, chatID, text, markup); err != nil {
			h.d.Log.Warn("person not told of their role", "user_id", chatID, "err", err)
		}
		return nil
	})
}

// holdsRole reports whether the user holds the role in the unit (0: none);
// an admin by configuration holds admin.
func (h *Handlers) holdsRole(ctx context.Context, userID int64, role string, unitID int64) (bool, error) {
	if role == storage.RoleAdmin {
		return h.d.IsAdmin(ctx, userID)
	}
	held, err := h.d.Store.RolesOf(ctx, userID)
	for _, r := range held {
		if r.Role == role && r.UnitID == unitID {
			return true, err
		}
	}
	return false, err
}

// heldRoleNames lists the roles the user holds in the roles table, each once.
func (h *Handlers) heldRoleNames(ctx context.Context, userID int64) ([]string, error) {
	held, err := h.d.Store.RolesOf(ctx, userID)
	var names []string
	for _, r := range held {
		if !slices.Contains(names, r.Role) {
			names = append(names, r.Role)
		}
	}
	return names, err
}

// roleNextSteps are the buttons under the news of a role: the first
// commands the role opens, run as if typed.
func (h *Handlers) roleNextSteps(lang, role string) botapi.InlineKeyboard {
	var buttons []botapi.Button
	for _, command := range roleNextCommands[role] {
		buttons = append(buttons, botapi.Button{Text: h.textIn(lang, "grant_next_"+command, nil),
			CallbackData: encodeCallback("rnx", command)})
	}
	return rows(1, buttons...)
}

// roleNextCommands are the commands offered under the news of each role.
var roleNextCommands = map[string][]string{
	storage.RoleOrganizer: {"newdrive", "help"},
	storage.RoleAdmin:     {"grant", "audit", "help"},
	storage.RoleClubAdmin: {"urgent", "invite"},
}

// onRoleNext runs a command offered under the news of a role. The command
// checks the tapper's role itself, as when typed.
func (h *Handlers) onRoleNext(ctx context.Context, t *turn) error {
	command := t.cb.arg(0)
	fn, ok := h.commands[command]
	offered := false
	for _, commands := range roleNextCommands {
		offered = offered || slices.Contains(commands, command)
	}
	if !ok || !offered || len(t.cb.Args) != 1 {
		return t.answer(ctx, t.text("button_stale"))
	}
	if err := t.answer(ctx, ""); err != nil {
		return err
	}
	return fn(ctx, t)
}

// personName is how an admin reads a person's name: a Telegram id only for
// someone who never onboarded, said so.
func (t *turn) personName(p personSummary) string {
	if p.Name != "" {
		return p.Name
	}
	return t.textf("person_not_onboarded", map[string]any{"ID": p.ID})
}

// personCard is the person's name, local phone and units.
func (t *turn) personCard(p personSummary) string {
	return t.textf("person_card", map[string]any{"Name": t.personName(p),
		"Phone": profile.LocalPhone(p.Phone), "Units": strings.Join(p.Units, ", ")})
}

// roleWords names a role in words, with its club if it has one.
func (t *turn) roleWords(role, club string) string { return t.h.roleWordsIn(t.lang, role, club) }

func (h *Handlers) roleWordsIn(lang, role, club string) string {
	return h.textIn(lang, "role_"+role, map[string]any{"Club": club})
}

func isGrantable(role string) bool { return slices.Contains(grantableRoles, role) }

// pick is a when the condition holds, else b.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// auditUser names who exported a list in /audit: their name and local
// phone, or their id for someone who never onboarded, said so.
func (t *turn) auditUser(id int64, people map[int64]storage.Person) string {
	p, ok := people[id]
	if !ok || p.Name == "" {
		return t.personName(personSummary{ID: id})
	}
	return t.textf("audit_user", map[string]any{"Name": p.Name, "Phone": profile.LocalPhone(p.Phone)})
}
