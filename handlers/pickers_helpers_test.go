package handlers_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"donorbot/drive"
	"donorbot/internal/bottest"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// newUnit creates a unit of a name no other test uses.
func newUnit(t *testing.T, b *bottest.Bot, name string) storage.Unit {
	t.Helper()
	n := strconv.FormatInt(testenv.TelegramID(), 10)
	u, err := b.Store.CreateUnit(context.Background(), "unit", name+" "+n, "pk"+n)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// grant gives user role (for unit, or 0).
func grant(t *testing.T, b *bottest.Bot, user int64, role string, unit int64) {
	t.Helper()
	if err := b.Store.GrantRole(context.Background(), user, role, unit, 1); err != nil {
		t.Fatal(err)
	}
}

// unitDrive stores a published drive for unit (0: everyone) created by
// createdBy, of two 30-minute slots of 3 seats starting at start, in
// campaign (0: none). A start in the past is written after publishing, as
// a drive that took place.
func unitDrive(t *testing.T, b *bottest.Bot, title string, start time.Time, unit, createdBy, campaign int64) drive.Drive {
	t.Helper()
	ctx := context.Background()
	shift := time.Duration(0)
	if start.Before(b.Now()) {
		shift = b.Now().Add(24 * time.Hour).Sub(start)
	}
	s := b.Store
	d, _, err := s.CreateDrive(ctx, drive.DraftInput{
		Title: title, Wave: "Đợt 1", Organizer: "Công an phường", Hospital: "Bệnh viện Chợ Rẫy",
		Venue: "201B Nguyễn Chí Thanh", Start: start.Add(shift), End: start.Add(shift + time.Hour),
		SlotLength: 30 * time.Minute, SlotCapacity: 3, TargetUnits: 40, AudienceUnitID: unit,
	}, createdBy)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = s.PublishDrive(ctx, d.ID, b.Now()); err != nil {
		t.Fatal(err)
	}
	if shift != 0 {
		back := strconv.FormatInt(int64(shift/time.Second), 10) + " seconds"
		for _, q := range []string{
			`UPDATE drives SET starts_at = starts_at - $2::interval, ends_at = ends_at - $2::interval WHERE id = $1`,
			`UPDATE drive_slots SET starts_at = starts_at - $2::interval, ends_at = ends_at - $2::interval WHERE drive_id = $1`,
		} {
			if _, err := s.DB().Exec(q, d.ID, back); err != nil {
				t.Fatal(err)
			}
		}
	}
	if campaign != 0 {
		if err := s.SetDriveCampaign(ctx, d.ID, campaign); err != nil {
			t.Fatal(err)
		}
	}
	d, err = s.Drive(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
