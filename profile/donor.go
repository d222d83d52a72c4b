package profile

import "time"

// Donor is a person who consented to donorbot keeping their data. Fields
// filled during onboarding are zero until answered.
type Donor struct {
	ID             int64
	TelegramID     int64
	ChatID         int64
	Language       string
	ConsentVersion string
	ConsentAt      time.Time
	FullName       string
	Phone          string
	Sex            Sex
	BirthDate      time.Time // zero until answered; a calendar date (UTC midnight)
	WeightKg       float64   // zero until answered
	BloodGroup     BloodGroup
	// BloodGroupAnswered separates "I don't know" (BloodUnknown) from "not asked yet".
	BloodGroupAnswered bool
	OnboardedAt        time.Time // zero while onboarding is unfinished
	UnreachableAt      time.Time // zero unless the donor blocked the bot
	Username           string    // Telegram @username last seen, without the @; "" for none
}

// Onboarded reports whether the donor finished onboarding.
func (d Donor) Onboarded() bool { return !d.OnboardedAt.IsZero() }

// Step names one onboarding question.
type Step string

// The onboarding steps, in the order they are asked.
const (
	StepName   Step = "name"
	StepPhone  Step = "phone"
	StepSex    Step = "sex"
	StepBirth  Step = "birth"
	StepWeight Step = "weight"
	StepBlood  Step = "blood"
	StepUnit   Step = "unit"
	StepDone   Step = "done"
)

// Steps lists the onboarding steps in order (StepDone excluded).
var Steps = []Step{StepName, StepPhone, StepSex, StepBirth, StepWeight, StepBlood, StepUnit}

// NextStep is the first onboarding question the donor has not answered. It is
// derived from the stored profile, so onboarding resumes after any loss of
// conversation state.
func (d Donor) NextStep() Step {
	switch {
	case d.Onboarded():
		return StepDone
	case d.FullName == "":
		return StepName
	case d.Phone == "":
		return StepPhone
	case d.Sex == "":
		return StepSex
	case d.BirthDate.IsZero():
		return StepBirth
	case d.WeightKg == 0:
		return StepWeight
	case !d.BloodGroupAnswered:
		return StepBlood
	default:
		return StepUnit
	}
}
