package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"donorbot/internal/testenv"
	"donorbot/profile"
	"donorbot/storage"
)

// TestUsernameFollowsItsLastHolder: a username is found as last seen, not
// case-sensitive; when another donor takes it, it names them, and a donor
// who drops theirs is no longer found by it.
func TestUsernameFollowsItsLastHolder(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testenv.DB(t))
	ids := testenv.TelegramIDs(2)
	lan, binh := ids[0], ids[1]
	for i, id := range ids {
		member(t, s, id, 0, profile.BloodOPos)
		if err := s.SetDonorName(ctx, id, []string{"Nguyễn Thị Lan", "Trần Văn Bình"}[i]); err != nil {
			t.Fatal(err)
		}
	}
	name := fmt.Sprintf("giot_hong_%d", lan)
	if err := s.NoteUsername(ctx, lan, name); err != nil {
		t.Fatal(err)
	}
	if p, err := s.PersonByUsername(ctx, "GIOT_HONG_"+fmt.Sprint(lan)); err != nil || p.TelegramID != lan || p.Name != "Nguyễn Thị Lan" {
		t.Fatalf("by username: %+v, %v", p, err)
	}
	if err := s.NoteUsername(ctx, binh, name); err != nil {
		t.Fatal(err)
	}
	if p, err := s.PersonByUsername(ctx, name); err != nil || p.TelegramID != binh {
		t.Fatalf("after Bình took it: %+v, %v", p, err)
	}
	if err := s.NoteUsername(ctx, binh, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PersonByUsername(ctx, name); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a dropped username still names someone: %v", err)
	}
}
