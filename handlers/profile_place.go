package handlers

import (
	"context"
	"slices"
	"strings"

	"donorbot/profile"
	"donorbot/province"
	"donorbot/textbound"
)

// editPlace is the profile edit flow's field for where the donor lives:
// their province, then their ward or commune. It is no onboarding
// question (profile.Steps): nobody must say where they live to donate, but
// urgent needs of their province reach them first. A settings screen links
// to it with the edit:v1:place button.
const editPlace = "place"

// editable reports whether the profile edit flow changes field.
func editable(field string) bool {
	return field == editPlace || slices.Contains(profile.Steps, profile.Step(field))
}

// placeSteps ask the donor's province (a button for each of the 34) and
// then their ward, typed or skipped; each answer is saved at once, like
// every profile answer (profileForm).
func (h *Handlers) placeSteps() []step[profileForm] {
	prov := provinceStep[profileForm]("place", func(s *profileForm) *string { return &s.Province },
		func(ctx context.Context, t *turn, code string) error {
			return h.d.Store.SetDonorProvince(ctx, t.userID, code)
		})
	ward := step[profileForm]{ID: "ward", Typed: true,
		Prompt: func(t *turn, _ *profileForm) string { return t.text("place_ask_ward") },
		Parse: func(ctx context.Context, t *turn, _ *profileForm, raw string) (string, error) {
			raw = strings.Join(strings.Fields(raw), " ")
			if raw == "" || !textbound.Within(raw, 120) {
				return t.text("place_err_ward"), nil
			}
			return "", h.d.Store.SetDonorWard(ctx, t.userID, raw)
		},
		// Skip leaves the ward as it is: none after a change of province
		// (SetDonorProvince forgets the old one's).
		Clear: func(*profileForm) {},
	}
	steps := []step[profileForm]{prov, ward}
	for i := range steps {
		steps[i].Skip = func(s *profileForm) bool { return s.Field != editPlace }
	}
	return steps
}

// donorPlace is where the donor said they live, "ward, province", or "".
func (h *Handlers) donorPlace(ctx context.Context, t *turn) (string, error) {
	code, ward, err := h.d.Store.DonorPlace(ctx, t.userID)
	if err != nil || code == "" {
		return "", err
	}
	if ward == "" {
		return province.Name(code), nil
	}
	return ward + ", " + province.Name(code), nil
}
