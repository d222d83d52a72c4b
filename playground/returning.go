package playground

import (
	"context"
	"errors"
	"fmt"
	"time"

	"donorbot/demo"
	"donorbot/profile"
	"donorbot/storage"
)

// seedReturningDonor makes Bình an onboarded member of the first demo club
// and of the demo unit with three donations, the last one of whole blood 84
// days ago (12 weeks): eligible again today, so the scheduler's first run
// recalls them with the demo drives. Like demo.Seed it keeps what exists, so
// a restart on a later day finds the same Bình (recalled then, or up to
// the recall's grace days late).
func (p *Playground) seedReturningDonor(ctx context.Context, store *storage.Store, sum demo.Summary, now time.Time) error {
	u, _ := p.user(ReturningDonorID)
	if _, err := store.Donor(ctx, u.ID); err == nil {
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("playground: returning donor: %w", err)
	}
	if _, err := store.CreateDonor(ctx, u.ID, u.ID, u.Lang, demo.ConsentVersion); err != nil {
		return fmt.Errorf("playground: returning donor: %w", err)
	}
	id := u.ID
	steps := []func() error{
		func() error { return store.SetDonorName(ctx, id, "Trần Thanh Bình") },
		func() error { return store.SetDonorPhone(ctx, id, u.Phone) },
		func() error { return store.SetDonorSex(ctx, id, profile.SexMale) },
		func() error { return store.SetDonorBirthDate(ctx, id, time.Date(1992, 8, 19, 0, 0, 0, 0, time.UTC)) },
		func() error { return store.SetDonorWeight(ctx, id, 64) },
		func() error { return store.SetDonorBloodGroup(ctx, id, profile.BloodOPos) },
		func() error { return store.CompleteOnboarding(ctx, id) },
		func() error { return store.JoinUnit(ctx, id, sum.Clubs[0].ID) },
		func() error { return store.JoinUnit(ctx, id, sum.Unit.ID) },
		func() error { return store.SetOnCall(ctx, id, true, time.Time{}) },
		func() error { return store.SetDonorProvince(ctx, id, "hcm") },
		func() error { return store.SetDonorWard(ctx, id, "phường Sài Gòn") },
		func() error {
			return store.AddDonation(ctx, id, now.AddDate(-2, -1, 0), "whole_blood", 350, "self_report", 0)
		},
		func() error {
			return store.AddDonation(ctx, id, now.AddDate(-1, 0, -3), "whole_blood", 350, "self_report", 0)
		},
		func() error {
			return store.AddDonation(ctx, id, now.AddDate(0, 0, -84), "whole_blood", 450, "self_report", 0)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("playground: returning donor: %w", err)
		}
	}
	return nil
}
