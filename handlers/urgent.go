package handlers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"donorbot/blood"
	"donorbot/botapi"
	"donorbot/profile"
	"donorbot/storage"
	"donorbot/textbound"
	"donorbot/urgent"
)

const flowUrgent = "urgent"

// urgentSteps are the questions of /urgent, in order; "club" is asked only
// of admins of several clubs. Answers are kept in the Redis conversation.
var urgentSteps = []string{"club", "group", "component", "units", "hospital", "address", "deadline", "contact", "phone", "note", "widen"}

// urgentWidenHours are the offered delays before the admin is asked to
// widen an unfilled need; 0 means never.
var urgentWidenHours = []string{"1", "2", "4", "0"}

// urgentCmd starts raising an urgent need.
func (h *Handlers) urgentCmd(ctx context.Context, t *turn) error {
	clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
	if err != nil {
		return err
	}
	data := map[string]string{"audience": string(urgent.Same)}
	if len(clubs) == 1 {
		data["club"] = id(clubs[0].ID)
		return h.askUrgent(ctx, t, data, "group")
	}
	return h.askUrgent(ctx, t, data, "club")
}

func (h *Handlers) askUrgent(ctx context.Context, t *turn, data map[string]string, step string) error {
	if step == "preview" {
		return h.previewUrgent(ctx, t, data)
	}
	if err := h.d.State.SaveConversation(ctx, t.userID, storage.Conversation{Flow: flowUrgent, Step: step, Data: data}); err != nil {
		return err
	}
	text := t.text("un_ask_" + step)
	if step != "club" { // the club is not one of the need's questions
		text = t.textf("step_prefix", map[string]any{"N": indexOf(urgentSteps, step), "Total": len(urgentSteps) - 1}) + " " + text
	}
	var markup any
	stepButton := func(label, value string) botapi.Button {
		return botapi.Button{Text: label, CallbackData: encodeCallback("un", step, value)}
	}
	switch step {
	case "club":
		clubs, err := h.d.Store.AdministeredClubs(ctx, t.userID)
		if err != nil {
			return err
		}
		var bs []botapi.Button
		for _, c := range clubs {
			bs = append(bs, stepButton(shorten(c.Name, 60), id(c.ID)))
		}
		markup = rows(1, bs...)
	case "group":
		var bs []botapi.Button
		for _, g := range profile.BloodGroups {
			bs = append(bs, stepButton(string(g), urgentGroupArg(g)))
		}
		markup = rows(4, bs...)
	case "component":
		var bs []botapi.Button
		for _, c := range urgent.Components {
			bs = append(bs, stepButton(t.text("component_"+string(c)), string(c)))
		}
		markup = rows(1, bs...)
	case "note":
		markup = rows(1, stepButton(t.text("btn_unit_skip"), "skip"))
	case "widen":
		var bs []botapi.Button
		for _, hrs := range urgentWidenHours {
			label := t.textf("un_widen_hours", map[string]any{"Hours": hrs})
			if hrs == "0" {
				label = t.text("un_widen_never")
			}
			bs = append(bs, stepButton(label, hrs))
		}
		markup = rows(2, bs...)
	}
	return t.reply(ctx, text, markup)
}

// urgentGroupArg encodes a blood group for callback data ("+" and "-" are
// kept; the codec only splits on ":").
func urgentGroupArg(g profile.BloodGroup) string { return string(g) }

// urgentText takes a typed answer of /urgent.
func (h *Handlers) urgentText(ctx context.Context, t *turn, conv storage.Conversation) error {
	data := conv.Data
	if data == nil {
		data = map[string]string{}
	}
	raw := strings.TrimSpace(t.upd.Message.Text)
	value, problem := h.checkUrgentAnswer(conv.Step, raw)
	if problem != "" {
		if err := t.reply(ctx, t.text(problem), nil); err != nil {
			return err
		}
		return h.askUrgent(ctx, t, data, conv.Step)
	}
	data[conv.Step] = value
	return h.askUrgent(ctx, t, data, nextUrgentStep(conv.Step))
}

func nextUrgentStep(step string) string {
	if i := indexOf(urgentSteps, step); i+1 < len(urgentSteps) && urgentSteps[i] == step {
		return urgentSteps[i+1]
	}
	return "preview"
}

// checkUrgentAnswer normalizes a typed answer or names the message that
// explains what is wrong with it.
func (h *Handlers) checkUrgentAnswer(step, raw string) (string, string) {
	switch step {
	case "club", "group", "component":
		return "", "use_buttons"
	case "units":
		if n, err := strconv.Atoi(raw); err != nil || n < 1 || n > 50 {
			return "", "un_err_units"
		}
	case "hospital", "contact":
		if raw == "" || !textbound.Within(raw, 120) {
			return "", "un_err_text"
		}
	case "address":
		if raw == "" || !textbound.Within(raw, 300) {
			return "", "un_err_text"
		}
	case "note":
		if !textbound.Within(raw, 500) {
			return "", "un_err_text"
		}
	case "phone":
		p, err := profile.ParsePhone(raw)
		if err != nil {
			return "", "un_err_phone"
		}
		return p, ""
	case "deadline":
		d, ok := h.parseDeadline(raw)
		if !ok {
			return "", "un_err_deadline"
		}
		return d.Format(time.RFC3339), ""
	case "widen":
		if n, err := strconv.Atoi(raw); err != nil || n < 0 || n > 72 {
			return "", "un_err_widen"
		}
	}
	return raw, ""
}

// parseDeadline reads "18:00 25/11/2026", "25/11/2026 18:00" or "18:00"
// (today) in the bot's time zone; it must lie in the next 30 days.
func (h *Handlers) parseDeadline(raw string) (time.Time, bool) {
	raw = strings.Join(strings.Fields(strings.NewReplacer("h", ":", "H", ":").Replace(raw)), " ")
	now := h.d.Now().In(h.d.Location)
	for _, layout := range []string{"15:04 2/1/2006", "2/1/2006 15:04", "15:04"} {
		d, err := time.ParseInLocation(layout, raw, h.d.Location)
		if err != nil {
			continue
		}
		if layout == "15:04" {
			d = time.Date(now.Year(), now.Month(), now.Day(), d.Hour(), d.Minute(), 0, 0, h.d.Location)
		}
		return d, d.After(now) && d.Before(now.AddDate(0, 0, 30))
	}
	return time.Time{}, false
}

// onUrgentButton handles the buttons of /urgent: steps, audience, send, discard.
func (h *Handlers) onUrgentButton(ctx context.Context, t *turn) error {
	data, ok, err := h.flowButton(ctx, t, flowUrgent, "aud", "send", "discard")
	if !ok || err != nil {
		return err
	}
	action, value := t.cb.arg(0), t.cb.arg(1)
	switch action {
	case "club":
		clubID, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return h.askUrgent(ctx, t, data, "club")
		}
		if ok, err := h.d.Store.IsClubAdmin(ctx, t.userID, clubID); err != nil || !ok {
			if err != nil {
				return err
			}
			return h.askUrgent(ctx, t, data, "club")
		}
	case "group":
		if !profile.BloodGroup(value).Known() {
			return h.askUrgent(ctx, t, data, "group")
		}
	case "component":
		if !slices.Contains(urgent.Components, blood.Component(value)) {
			return h.askUrgent(ctx, t, data, "component")
		}
	case "note":
		value = ""
	case "widen":
		if !slices.Contains(urgentWidenHours, value) {
			return h.askUrgent(ctx, t, data, "widen")
		}
	case "aud":
		if !urgent.Audience(value).Valid() {
			return h.previewUrgent(ctx, t, data)
		}
		data["audience"] = value
		return h.previewUrgent(ctx, t, data)
	case "discard":
		if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
			return err
		}
		return t.reply(ctx, t.text("un_discarded"), nil)
	case "send":
		return h.sendUrgent(ctx, t, data)
	default:
		return t.reply(ctx, t.text("button_stale"), nil)
	}
	data[action] = value
	return h.askUrgent(ctx, t, data, nextUrgentStep(action))
}

// urgentDraft turns the answers into a need; ok is false if an answer is
// missing (a conversation from an older release) or no longer valid.
func (h *Handlers) urgentDraft(t *turn, data map[string]string) (storage.Need, bool) {
	clubID, err1 := strconv.ParseInt(data["club"], 10, 64)
	units, err2 := strconv.Atoi(data["units"])
	deadline, err3 := time.Parse(time.RFC3339, data["deadline"])
	hours, err4 := strconv.Atoi(data["widen"])
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return storage.Need{}, false
	}
	n := storage.Need{
		ClubID: clubID, CreatedBy: t.userID, BloodGroup: profile.BloodGroup(data["group"]),
		Component: blood.Component(data["component"]), UnitsNeeded: units, Hospital: data["hospital"],
		Address: data["address"], Deadline: deadline, ContactName: data["contact"], ContactPhone: data["phone"],
		Note: data["note"], Audience: urgent.Audience(data["audience"]), AdminChatID: t.chatID, AdminLang: t.lang,
	}
	if hours > 0 {
		n.WidenAt = h.d.Now().Add(time.Duration(hours) * time.Hour)
	}
	return n, n.BloodGroup.Known() && n.Audience.Valid() && deadline.After(h.d.Now())
}

// previewUrgent shows the need with how many members each audience reaches,
// a switch between audiences, Send and Discard.
func (h *Handlers) previewUrgent(ctx context.Context, t *turn, data map[string]string) error {
	n, ok := h.urgentDraft(t, data)
	if !ok {
		if err := t.reply(ctx, t.text("un_err_deadline"), nil); err != nil {
			return err
		}
		return h.askUrgent(ctx, t, data, "deadline")
	}
	if err := h.d.State.SaveConversation(ctx, t.userID, storage.Conversation{Flow: flowUrgent, Step: "preview", Data: data}); err != nil {
		return err
	}
	kb := rows(1)
	var count int
	for _, a := range []urgent.Audience{urgent.Same, urgent.Compatible, urgent.All} {
		matched, err := h.matchNeed(ctx, n, a)
		if err != nil {
			return err
		}
		label := t.textf("btn_aud_"+string(a), map[string]any{"Count": len(matched)})
		if a == n.Audience {
			label = "✅ " + label
			count = len(matched)
		}
		kb = kb.With(botapi.Button{Text: label, CallbackData: encodeCallback("un", "aud", string(a))})
	}
	kb = kb.With(botapi.Button{Text: t.text("btn_urgent_send"), CallbackData: encodeCallback("un", "send", "x")},
		botapi.Button{Text: t.text("btn_discard"), CallbackData: encodeCallback("un", "discard", "x")})
	text := t.textf("un_preview", map[string]any{
		"Card": h.needCard(t.lang, n), "Contact": n.ContactName, "Phone": n.ContactPhone,
		"Count": count, "Audience": t.text("aud_" + string(n.Audience)),
	})
	return t.reply(ctx, text, kb)
}

// matchNeed lists the donors need n reaches with audience a, most suitable
// first, leaving out those already alerted for it.
func (h *Handlers) matchNeed(ctx context.Context, n storage.Need, a urgent.Audience) ([]urgent.Candidate, error) {
	groups := urgent.Groups(n.BloodGroup, n.Component, a)
	today := h.today()
	cands, err := h.d.Store.NeedCandidates(ctx, n.ID, n.ClubID, groups, a == urgent.All, today)
	if err != nil {
		return nil, err
	}
	return urgent.Match(cands, groups, today), nil
}

// needCard renders a need's public part: what, how much, where, by when.
// The contact's phone is not in it: only donors who accept see it.
func (h *Handlers) needCard(lang string, n storage.Need) string {
	text := h.textIn(lang, "urgent_card", map[string]any{
		"Group": string(n.BloodGroup), "Component": h.textIn(lang, "component_"+string(n.Component), nil),
		"Units": n.UnitsNeeded, "Hospital": n.Hospital,
		"Deadline": n.Deadline.In(h.d.Location).Format("15:04 02/01/2006"),
	})
	if n.Note != "" {
		text += "\n" + h.textIn(lang, "urgent_note", map[string]any{"Note": n.Note})
	}
	return text
}

// sendUrgent stores the need, shows the admin its live status message and
// alerts the matching donors.
func (h *Handlers) sendUrgent(ctx context.Context, t *turn, data map[string]string) error {
	n, ok := h.urgentDraft(t, data)
	if !ok {
		return h.previewUrgent(ctx, t, data)
	}
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
	if err := h.d.State.EndConversation(ctx, t.userID); err != nil {
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

// alertNeed alerts the donors that audience a adds to need n, through the
// broadcast engine (one broadcast per language, most suitable first), and
// returns how many.
func (h *Handlers) alertNeed(ctx context.Context, n storage.Need, a urgent.Audience) (int, error) {
	matched, err := h.matchNeed(ctx, n, a)
	if err != nil || len(matched) == 0 {
		return 0, err
	}
	ids := make([]int64, len(matched))
	for i, c := range matched {
		ids[i] = c.TelegramID
	}
	added, err := h.d.Store.AddAlerts(ctx, n.ID, ids)
	if errors.Is(err, storage.ErrNeedNotOpen) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	byLang := map[string][]urgent.Candidate{}
	for _, c := range matched {
		if slices.Contains(added, c.TelegramID) {
			byLang[c.Language] = append(byLang[c.Language], c)
		}
	}
	for _, lang := range languages {
		if err := h.startAlerts(ctx, n, lang, byLang[lang]); err != nil {
			return 0, err
		}
	}
	h.d.Log.Info("urgent need alerted", "need_id", n.ID, "club_id", n.ClubID, "audience", string(a), "alerted", len(added))
	return len(added), nil
}
