package handlers

import (
	"context"
	"strconv"
	"strings"

	"donorbot/botapi"
	"donorbot/profile"
)

// profile shows the donor's profile with a button per field to edit it.
func (h *Handlers) profile(ctx context.Context, t *turn) error {
	if t.donor == nil {
		return h.needConsent(ctx, t)
	}
	if !t.donor.Onboarded() {
		if err := t.reply(ctx, t.text("profile_incomplete"), nil); err != nil {
			return err
		}
		return h.resumeOnboarding(ctx, t)
	}
	return h.showProfile(ctx, t)
}

func (h *Handlers) showProfile(ctx context.Context, t *turn) error {
	d := t.donor
	units, err := h.d.Store.DonorUnits(ctx, t.userID)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(units))
	for _, u := range units {
		names = append(names, u.Name)
	}
	place, err := h.donorPlace(ctx, t)
	if err != nil {
		return err
	}
	none := t.text("value_none")
	blood := string(d.BloodGroup)
	if !d.BloodGroup.Known() {
		blood = t.text("btn_blood_unknown")
	}
	text := t.textf("profile_show", map[string]any{
		"Name":   shorten(d.FullName, profile.MaxNameLen),
		"Phone":  profile.LocalPhone(d.Phone),
		"Sex":    t.text("btn_" + string(d.Sex)),
		"Birth":  t.day(d.BirthDate),
		"Weight": strconv.FormatFloat(d.WeightKg, 'f', -1, 64),
		"Blood":  blood,
		"Units":  orNone(strings.Join(names, ", "), none),
		"Place":  orNone(place, none),
	})
	var bs []botapi.Button
	for _, s := range profile.Steps {
		bs = append(bs, botapi.Button{Text: t.text("btn_edit_" + string(s)), CallbackData: encodeCallback("edit", string(s))})
	}
	bs = append(bs, botapi.Button{Text: t.text("btn_edit_" + editPlace), CallbackData: encodeCallback("edit", editPlace)})
	return t.reply(ctx, text, rows(2, bs...))
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
