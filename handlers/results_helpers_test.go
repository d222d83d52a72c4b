package handlers_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/profile"
)

// seededDonor stores an onboarded donor straight through storage, faster
// than walking onboarding for every person of a list.
type seededDonor struct {
	id                 int64
	name, phone, blood string
	sex                profile.Sex
	birth              time.Time
}

func seedDonor(t *testing.T, b *bottest.Bot, d seededDonor) {
	t.Helper()
	ctx := context.Background()
	s := b.Store
	if d.sex == "" {
		d.sex = profile.SexMale
	}
	if d.birth.IsZero() {
		d.birth = time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
	}
	if d.blood == "" {
		d.blood = "O+"
	}
	if _, err := s.CreateDonor(ctx, d.id, d.id, "vi", "test"); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		s.SetDonorName(ctx, d.id, d.name), s.SetDonorPhone(ctx, d.id, d.phone), s.SetDonorSex(ctx, d.id, d.sex),
		s.SetDonorBirthDate(ctx, d.id, d.birth), s.SetDonorWeight(ctx, d.id, 60),
		s.SetDonorBloodGroup(ctx, d.id, profile.BloodGroup(d.blood)), s.CompleteOnboarding(ctx, d.id),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// registerScreened registers the donor in the slot with stored screening
// answers and allowed volume, as the screening journey leaves it.
func registerScreened(t *testing.T, b *bottest.Bot, donorID, slotID int64, answers string, volume int) drive.Registration {
	t.Helper()
	ctx := context.Background()
	reg, err := b.Store.Register(ctx, donorID, slotID, b.Now())
	if err != nil {
		t.Fatal(err)
	}
	if answers != "" {
		if _, err := b.Store.SetScreening(ctx, reg.ID, []byte(answers), volume, reg.Status, b.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
