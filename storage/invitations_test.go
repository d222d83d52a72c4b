package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestInvitationAcceptedOnce: the same accept delivered ten times at once
// joins the donor once and reports a change once, so the admin is told
// once; the invitation is then closed for good.
func TestInvitationAcceptedOnce(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	ids := testenv.TelegramIDs(3)
	admin, invitee, other := ids[0], ids[1], ids[2]
	name := fmt.Sprintf("CLB Mời %d", invitee)
	club, err := s.CreateUnit(ctx, "club", name, fmt.Sprintf("moi%d", invitee))
	if err != nil {
		t.Fatal(err)
	}
	member(t, s, invitee, 0, "O+")
	phone := fmt.Sprintf("+8491%07d", invitee%10_000_000)
	if err := s.SetDonorPhone(ctx, invitee, phone); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	inv, sent, err := s.InviteToClub(ctx, storage.NewInvitation{ClubID: club.ID, Phone: phone,
		InvitedBy: admin, AdminChatID: admin, AdminLang: "vi", Now: now, TTL: time.Hour, Cooldown: time.Hour})
	if err != nil || !sent {
		t.Fatalf("invite: sent %v, %v", sent, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	changed := 0
	for range 10 {
		wg.Go(func() {
			a, err := s.AnswerInvitation(ctx, inv.ID, invitee, true, now.Add(time.Minute))
			if err != nil {
				t.Error(err)
				return
			}
			if a.Status != storage.InvitationAccepted || a.ClubName != name {
				t.Errorf("answer = %+v", a)
			}
			mu.Lock()
			defer mu.Unlock()
			if a.Changed {
				changed++
			}
		})
	}
	wg.Wait()
	if n, err := s.CountMembers(ctx, club.ID); err != nil || n != 1 || changed != 1 {
		t.Errorf("members %d (%v), changed %d times; want 1 and 1", n, err, changed)
	}
	// Someone else's tap on the invitation finds nothing.
	if _, err := s.AnswerInvitation(ctx, inv.ID, other, true, now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another user's answer: %v, want ErrNotFound", err)
	}
}
