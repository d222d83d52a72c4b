package handlers

import (
	"context"
	"errors"
	"fmt"

	"donorbot/profile"
)

// saveAnswer parses raw for step and stores it. problem is the message id
// explaining why raw was refused, or "".
func (h *Handlers) saveAnswer(ctx context.Context, t *turn, step profile.Step, raw string) (problem string, err error) {
	s := h.d.Store
	var perr error
	switch step {
	case profile.StepName:
		var name string
		if name, perr = profile.ParseFullName(raw); perr == nil {
			err = s.SetDonorName(ctx, t.userID, name)
		}
	case profile.StepPhone:
		var phone string
		if phone, perr = profile.ParsePhone(raw); perr == nil {
			err = s.SetDonorPhone(ctx, t.userID, phone)
		}
	case profile.StepSex:
		var sex profile.Sex
		if sex, perr = profile.ParseSex(raw); perr == nil {
			err = s.SetDonorSex(ctx, t.userID, sex)
		} else {
			return "use_buttons", nil
		}
	case profile.StepBirth:
		birth, perr2 := profile.ParseBirthDate(raw, h.today())
		if perr = perr2; perr == nil {
			err = s.SetDonorBirthDate(ctx, t.userID, birth)
		}
	case profile.StepWeight:
		var kg float64
		if kg, perr = profile.ParseWeight(raw); perr == nil {
			err = s.SetDonorWeight(ctx, t.userID, kg)
		}
	case profile.StepBlood:
		g := profile.BloodUnknown
		if raw != "unknown" {
			g, perr = profile.ParseBloodGroup(raw)
		}
		if perr != nil {
			return "use_buttons", nil
		}
		err = s.SetDonorBloodGroup(ctx, t.userID, g)
	default:
		return "use_buttons", nil
	}
	if perr != nil {
		return problemMessage(perr), nil
	}
	if err != nil {
		return "", fmt.Errorf("save %s of %d: %w", step, t.userID, err)
	}
	return "", nil
}

// inputProblems maps each parser error to the message explaining it.
var inputProblems = []struct {
	err error
	id  string
}{
	{profile.ErrNameTooShort, "err_name_too_short"},
	{profile.ErrNameTooLong, "err_name_too_long"},
	{profile.ErrNameInvalid, "err_name_invalid"},
	{profile.ErrPhoneNotVietnamese, "err_phone_not_vn"},
	{profile.ErrPhoneInvalid, "err_phone_invalid"},
	{profile.ErrDateInvalid, "err_date_invalid"},
	{profile.ErrDateFuture, "err_date_future"},
	{profile.ErrAgeOutOfRange, "err_age_out_of_range"},
	{profile.ErrWeightInvalid, "err_weight_invalid"},
	{profile.ErrWeightOutOfRange, "err_weight_out_of_range"},
	{profile.ErrBloodGroupInvalid, "err_blood_invalid"},
	{profile.ErrSexInvalid, "use_buttons"},
}

func problemMessage(err error) string {
	for _, p := range inputProblems {
		if errors.Is(err, p.err) {
			return p.id
		}
	}
	return "use_buttons"
}
