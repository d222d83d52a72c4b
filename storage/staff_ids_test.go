package storage_test

import (
	"context"
	"testing"

	"donorbot/storage"
)

// TestStaffIDsBeyondInt32: Telegram ids of accounts made since 2021 exceed
// 2^31. An admin or organizer with such an id still grants roles, records
// donations and follows a broadcast's progress: a parameter PostgreSQL would
// type as integer (nullif($n, 0)) is cast to bigint.
func TestStaffIDsBeyondInt32(t *testing.T) {
	ctx := context.Background()
	s := openPool(t)
	staff := int64(7_500_000_000)
	donors := newDonors(t, s, 2)
	if err := s.GrantRole(ctx, donors[0], storage.RoleOrganizer, 0, staff); err != nil {
		t.Errorf("GrantRole by %d: %v", staff, err)
	}
	if err := s.AddDonation(ctx, donors[0], testNow, "whole_blood", 350, "drive", staff); err != nil {
		t.Errorf("AddDonation recorded by %d: %v", staff, err)
	}
	d, slots := publishedDrive(t, s, tomorrow(), 1, 5)
	regs := registerAll(t, s, donors[1:], slots[0].ID)
	if err := s.CheckIn(ctx, d.ID, regs[0].ID, staff, tomorrow()); err != nil {
		t.Fatalf("CheckIn by %d: %v", staff, err)
	}
	_, err := s.RecordDonation(ctx, storage.DonationInput{RegistrationID: regs[0].ID, On: tomorrow(),
		Kind: "whole_blood", VolumeML: 350, Source: "drive", RecordedBy: staff})
	if err != nil {
		t.Errorf("RecordDonation recorded by %d: %v", staff, err)
	}
	b := newBroadcast(t, s, storage.NewBroadcast{CreatedBy: staff, ProgressChatID: staff, Recipients: donors})
	if b.ProgressChatID != staff {
		t.Errorf("progress chat %d, want %d", b.ProgressChatID, staff)
	}
}
