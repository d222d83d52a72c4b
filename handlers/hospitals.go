package handlers

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"donorbot/accent"
	"donorbot/province"
	"donorbot/storage"
	"donorbot/textbound"
)

const flowHospital = "hospital"

// hospitalDraft is the answers of /hospital: a directory entry added (ID
// 0) or changed.
type hospitalDraft struct {
	ID        int64    `json:"id,omitempty"`
	Name      string   `json:"name"`
	Aliases   []string `json:"aliases,omitempty"`
	Province  string   `json:"province"`
	Ward      string   `json:"ward,omitempty"`
	Address   string   `json:"address"`
	Reception string   `json:"reception,omitempty"`
	Hours     string   `json:"hours,omitempty"`
}

// hospitals lists the directory, with how to add or change an entry.
func (h *Handlers) hospitals(ctx context.Context, t *turn) error {
	list, err := h.d.Store.Hospitals(ctx)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(t.text("hosp_list_title"))
	for _, hosp := range list {
		b.WriteString("\n\n" + t.textf("hosp_list_line", map[string]any{
			"ID": hosp.ID, "Name": hosp.Name, "Address": hospitalAddress(hosp), "Aliases": strings.Join(hosp.Aliases, ", "),
		}))
	}
	b.WriteString("\n\n" + t.text("hosp_list_hint"))
	return t.reply(ctx, textbound.Fit(b.String(), textbound.MaxMessage), nil)
}

// hospitalCmd adds a hospital (/hospital) or changes one (/hospital <id>),
// its answers shown for review at once.
func (h *Handlers) hospitalCmd(ctx context.Context, t *turn) error {
	arg := strings.TrimPrefix(strings.TrimSpace(t.args), "#")
	if arg == "" {
		return h.hospitalFlow().start(ctx, t, hospitalDraft{})
	}
	hid, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return t.reply(ctx, t.text("hosp_usage"), nil)
	}
	hosp, err := h.d.Store.Hospital(ctx, hid)
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply(ctx, t.text("hosp_usage"), nil)
	}
	if err != nil {
		return err
	}
	s := hospitalDraft{ID: hosp.ID, Name: hosp.Name, Aliases: hosp.Aliases, Province: hosp.Province, Ward: hosp.Ward,
		Address: hosp.Address, Reception: hosp.Reception, Hours: hosp.Hours}
	return h.hospitalFlow().startAt(ctx, t, s, reviewStep)
}

// hospitalFlow asks a hospital's name, short names, province, ward,
// address, reception point and hours, then the review; Confirm saves it.
func (h *Handlers) hospitalFlow() *flow[hospitalDraft] {
	text := func(id string, limit int, optional bool, field func(*hospitalDraft) *string) step[hospitalDraft] {
		st := step[hospitalDraft]{ID: id, Typed: true, Label: "hosp_label_" + id,
			Prompt: func(t *turn, _ *hospitalDraft) string { return t.text("hosp_ask_" + id) },
			Parse: func(_ context.Context, t *turn, s *hospitalDraft, raw string) (string, error) {
				raw = strings.Join(strings.Fields(raw), " ")
				if raw == "" || !textbound.Within(raw, limit) {
					return t.textf("hosp_err_text", map[string]any{"Max": limit}), nil
				}
				*field(s) = raw
				return "", nil
			},
			Show: func(t *turn, s *hospitalDraft) string { return orNone(*field(s), t.text("hosp_none")) },
		}
		if optional {
			st.Clear = func(s *hospitalDraft) { *field(s) = "" }
		}
		return st
	}
	aliases := step[hospitalDraft]{ID: "aliases", Typed: true, Label: "hosp_label_aliases",
		Prompt: func(t *turn, _ *hospitalDraft) string { return t.text("hosp_ask_aliases") },
		Parse: func(_ context.Context, t *turn, s *hospitalDraft, raw string) (string, error) {
			var out []string
			for _, a := range strings.Split(raw, ",") {
				if a = strings.Join(strings.Fields(a), " "); a != "" {
					out = append(out, a)
				}
			}
			if len(out) == 0 || len(out) > 10 || !textbound.Within(strings.Join(out, ","), 300) {
				return t.text("hosp_err_aliases"), nil
			}
			s.Aliases = out
			return "", nil
		},
		Clear: func(s *hospitalDraft) { s.Aliases = nil },
		Show: func(t *turn, s *hospitalDraft) string {
			return orNone(strings.Join(s.Aliases, ", "), t.text("hosp_none"))
		},
	}
	prov := provinceStep[hospitalDraft]("hosp", func(s *hospitalDraft) *string { return &s.Province }, nil)
	return &flow[hospitalDraft]{
		Name: flowHospital, Version: 1, Guard: h.adminOnly,
		Steps: []step[hospitalDraft]{
			text("name", 120, false, func(s *hospitalDraft) *string { return &s.Name }),
			aliases, prov,
			text("ward", 120, true, func(s *hospitalDraft) *string { return &s.Ward }),
			text("address", 300, false, func(s *hospitalDraft) *string { return &s.Address }),
			text("reception", 200, true, func(s *hospitalDraft) *string { return &s.Reception }),
			text("hours", 200, true, func(s *hospitalDraft) *string { return &s.Hours }),
		},
		Check: func(ctx context.Context, t *turn, s *hospitalDraft) (string, string, error) {
			list, err := h.d.Store.Hospitals(ctx)
			for _, other := range list {
				if other.ID != s.ID && strings.EqualFold(other.Name, s.Name) {
					return "name", t.textf("hosp_err_duplicate", map[string]any{"Name": other.Name, "ID": other.ID}), nil
				}
			}
			return "", "", err
		},
		Review: func(t *turn, s *hospitalDraft) string { return t.text("hosp_review") },
		Done: func(ctx context.Context, t *turn, s *hospitalDraft) error {
			hosp := storage.Hospital{ID: s.ID, Name: s.Name, Aliases: s.Aliases, Province: s.Province, Ward: s.Ward,
				Address: s.Address, Reception: s.Reception, Hours: s.Hours}
			hosp.MapURL = mapSearchURL(hosp)
			saved, err := h.d.Store.SaveHospital(ctx, hosp)
			if errors.Is(err, storage.ErrDuplicate) || errors.Is(err, storage.ErrNotFound) {
				return t.reply(ctx, t.text("hosp_not_saved"), nil)
			}
			if err != nil {
				return err
			}
			h.d.Log.Info("hospital saved", "hospital_id", saved.ID, "by", t.userID)
			return t.reply(ctx, t.textf("hosp_saved", map[string]any{"ID": saved.ID, "Card": h.hospitalCard(t.lang, saved)}), nil)
		},
		Cancelled: func(ctx context.Context, t *turn, _ *hospitalDraft) error {
			return t.reply(ctx, t.text("hosp_cancelled"), nil)
		},
		Restart: h.hospitalCmd,
	}
}

// provinceStep asks a province with a button for each of the 34, or typed
// ("Hà Nội", "tp hcm"); prefix names its texts (<prefix>_ask_province,
// <prefix>_label_province). saved, if set, stores the answer at once.
func provinceStep[S any](prefix string, field func(*S) *string, saved func(ctx context.Context, t *turn, code string) error) step[S] {
	return step[S]{ID: "province", Typed: true, Columns: 3, Label: prefix + "_label_province",
		Prompt: func(t *turn, _ *S) string { return t.text(prefix + "_ask_province") },
		Choices: func(context.Context, *turn, *S) ([]choice, error) {
			cs := make([]choice, len(province.All))
			for i, p := range province.All {
				cs[i] = choice{Text: p.Name, Value: p.Code}
			}
			return cs, nil
		},
		Parse: func(ctx context.Context, t *turn, s *S, raw string) (string, error) {
			code := raw
			if !province.Known(code) {
				code = province.Find(raw)
			}
			if code == "" {
				return t.text("province_unknown"), nil
			}
			*field(s) = code
			if saved != nil {
				return "", saved(ctx, t, code)
			}
			return "", nil
		},
		Show: func(_ *turn, s *S) string { return province.Name(*field(s)) },
	}
}

// mapSearchURL is a Google Maps search for the hospital: it opens the map
// app on a phone, and needs no key or coordinates an admin cannot know.
func mapSearchURL(hosp storage.Hospital) string {
	return "https://www.google.com/maps/search/?api=1&query=" + url.QueryEscape(hosp.Name+", "+hospitalAddress(hosp))
}

// hospitalAddress is the hospital's address with its ward and province,
// each added unless the address names it already.
func hospitalAddress(hosp storage.Hospital) string {
	addr := hosp.Address
	fold := func(s string) string { return strings.ToLower(accent.Fold(s)) }
	for _, part := range []string{hosp.Ward, province.Name(hosp.Province)} {
		if part != "" && !strings.Contains(fold(addr), fold(strings.TrimPrefix(part, "TP. "))) {
			addr += ", " + part
		}
	}
	return addr
}

// hospitalCard is what donors need to find the hospital: its name,
// address, map link, reception point and hours (each when known).
func (h *Handlers) hospitalCard(lang string, hosp storage.Hospital) string {
	mapURL := hosp.MapURL
	if mapURL == "" {
		mapURL = mapSearchURL(hosp)
	}
	lines := []string{h.textIn(lang, "hosp_card", map[string]any{"Name": hosp.Name, "Address": hospitalAddress(hosp), "Map": mapURL})}
	if hosp.Reception != "" {
		lines = append(lines, h.textIn(lang, "hosp_card_reception", map[string]any{"Reception": hosp.Reception}))
	}
	if hosp.Hours != "" {
		lines = append(lines, h.textIn(lang, "hosp_card_hours", map[string]any{"Hours": hosp.Hours}))
	}
	return strings.Join(lines, "\n")
}

// unitProvince sets where a club or unit acts: /unitprovince <invite code>
// <province>. Needs of a club whose hospital is not in the directory are
// placed in its province.
func (h *Handlers) unitProvince(ctx context.Context, t *turn) error {
	code, name, _ := strings.Cut(strings.TrimSpace(t.args), " ")
	prov := province.Find(name)
	if code == "" || prov == "" {
		return t.reply(ctx, t.text("unitprovince_usage"), nil)
	}
	u, err := h.d.Store.UnitByInviteCode(ctx, code)
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply(ctx, t.text("unitprovince_usage"), nil)
	}
	if err != nil {
		return err
	}
	if err := h.d.Store.SetUnitProvince(ctx, u.ID, prov); err != nil {
		return err
	}
	return t.reply(ctx, t.textf("unitprovince_set", map[string]any{"Name": u.Name, "Province": province.Name(prov)}), nil)
}
