package profile

import (
	"testing"
	"time"
)

// TestNextStep: onboarding resumes at the first unanswered question, in the
// order of Steps, so a conversation lost from Redis can be rebuilt.
func TestNextStep(t *testing.T) {
	birth := time.Date(1995, 3, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		d    Donor
		want Step
	}{
		{"Fresh", Donor{}, StepName},
		{"NameOnly", Donor{FullName: "An"}, StepPhone},
		{"Phone", Donor{FullName: "An", Phone: "+84912345678"}, StepSex},
		{"Sex", Donor{FullName: "An", Phone: "+84912345678", Sex: SexFemale}, StepBirth},
		{"Birth", Donor{FullName: "An", Phone: "+84912345678", Sex: SexFemale, BirthDate: birth}, StepWeight},
		{"Weight", Donor{FullName: "An", Phone: "+84912345678", Sex: SexFemale, BirthDate: birth, WeightKg: 50}, StepBlood},
		{"BloodUnknownIsAnAnswer", Donor{FullName: "An", Phone: "+84912345678", Sex: SexFemale, BirthDate: birth, WeightKg: 50, BloodGroupAnswered: true}, StepUnit},
		{"Onboarded", Donor{OnboardedAt: birth}, StepDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.NextStep(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
