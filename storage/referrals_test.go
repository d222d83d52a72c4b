package storage_test

import (
	"context"
	"testing"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
)

// TestReferrals: a donor's code is made once and kept; a fresh code held
// by another is refused; a friend is credited once, never to themselves
// or to an unknown code, and counted once onboarded; deleting the inviter
// uncredits the friend without deleting them.
func TestReferrals(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	ids := testenv.TelegramIDs(3)
	lan, binh, chi := ids[0], ids[1], ids[2]
	member(t, s, lan, 0, profile.BloodOPos)
	code, ok, err := s.ReferralCode(ctx, lan, drive.NewCode())
	if err != nil || !ok {
		t.Fatalf("first code: %q, %v, %v", code, ok, err)
	}
	if again, ok, err := s.ReferralCode(ctx, lan, drive.NewCode()); err != nil || !ok || again != code {
		t.Fatalf("second call: %q, %v, %v; want the first code %q", again, ok, err, code)
	}
	member(t, s, chi, 0, profile.BloodOPos)
	if taken, ok, err := s.ReferralCode(ctx, chi, code); err != nil || ok {
		t.Fatalf("Lan's code given to Chi: %q, %v, %v", taken, ok, err)
	}

	if _, ok, err := s.CreditReferral(ctx, lan, code); err != nil || ok {
		t.Fatalf("Lan credited to herself: %v, %v", ok, err)
	}
	if _, err := s.CreateDonor(ctx, binh, binh, "en", "v1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.CreditReferral(ctx, binh, "zzzzzzzzzz"); err != nil || ok {
		t.Fatalf("credited to an unknown code: %v, %v", ok, err)
	}
	in, ok, err := s.CreditReferral(ctx, binh, code)
	if err != nil || !ok || in.TelegramID != lan || in.ChatID != lan || in.Language != "vi" {
		t.Fatalf("credit: %+v, %v, %v", in, ok, err)
	}
	if _, ok, err := s.CreditReferral(ctx, binh, code); err != nil || ok {
		t.Fatalf("credited twice: %v, %v", ok, err)
	}
	count := func() int {
		t.Helper()
		n, err := s.ReferralCount(ctx, lan)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("a friend not yet onboarded counted: %d", n)
	}
	if err := s.CompleteOnboarding(ctx, binh); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("count %d, want 1", n)
	}
	if _, err := s.DB().Exec(`DELETE FROM donors WHERE telegram_id = $1`, lan); err != nil {
		t.Fatal(err)
	}
	var referredBy *int64
	if err := s.DB().Get(&referredBy, `SELECT referred_by FROM donors WHERE telegram_id = $1`, binh); err != nil || referredBy != nil {
		t.Fatalf("after the inviter's deletion: referred_by %v, %v", referredBy, err)
	}
}
