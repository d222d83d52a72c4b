package storage_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"donorbot/drive"
	"donorbot/internal/testenv"
	"donorbot/storage"
)

// newDonors creates n consenting donors and returns their Telegram ids, from
// a range no other test uses.
func newDonors(t testing.TB, s *storage.Store, n int) []int64 {
	t.Helper()
	base := 5_000_000_000_000 + rand.Int64N(1_000_000_000_000)
	ids := make([]int64, n)
	var g errgroup.Group
	g.SetLimit(8)
	for i := range ids {
		ids[i] = base + int64(i)
		g.Go(func() error {
			_, err := s.CreateDonor(context.Background(), ids[i], ids[i], "vi", "v1")
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("CreateDonor: %v", err)
	}
	return ids
}

// draft is a valid draft starting at start: slots of 30 minutes over
// slots*30 minutes, capacity seats each.
func draft(start time.Time, slots, capacity int) drive.DraftInput {
	return drive.DraftInput{
		Wave: "Đợt 3", Title: "Ngày hội hiến máu tình nguyện", Organizer: "Công an quận 1",
		Hospital: "Bệnh viện Chợ Rẫy", Venue: "201B Nguyễn Chí Thanh, quận 5",
		Start: start, End: start.Add(time.Duration(slots) * 30 * time.Minute),
		SlotLength: 30 * time.Minute, SlotCapacity: capacity, TargetUnits: 250,
	}
}

// registerAll registers each donor in the slot, in order.
func registerAll(t testing.TB, s *storage.Store, donors []int64, slotID int64) []drive.Registration {
	t.Helper()
	regs := make([]drive.Registration, 0, len(donors))
	for _, id := range donors {
		r, err := s.Register(context.Background(), id, slotID, testNow)
		if err != nil {
			t.Fatal(err)
		}
		regs = append(regs, r)
	}
	return regs
}

// publishedDrive creates and publishes a drive starting at start.
func publishedDrive(t testing.TB, s *storage.Store, start time.Time, slots, capacity int) (drive.Drive, []drive.Slot) {
	t.Helper()
	ctx := context.Background()
	d, sl, err := s.CreateDrive(ctx, draft(start, slots, capacity), 4242)
	if err != nil {
		t.Fatalf("CreateDrive: %v", err)
	}
	if d, err = s.PublishDrive(ctx, d.ID, testNow); err != nil {
		t.Fatalf("PublishDrive: %v", err)
	}
	return d, sl
}

// testNow is the instant storage tests apply time rules at: a Thursday,
// 10:00 in Vietnam, so no test depends on the time of day it runs at.
var testNow = time.Date(2030, time.May, 16, 3, 0, 0, 0, time.UTC)

// unique is a name suffix no other call in the process returns.
func unique() string { return strconv.FormatInt(testenv.TelegramID(), 36) }

func tomorrow() time.Time { return testNow.Add(24 * time.Hour) }

func TestCreateDrive(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	c, err := s.CreateCampaign(ctx, "Hành trình đỏ "+unique(), 4242)
	if err != nil {
		t.Fatalf("CreateCampaign: %v", err)
	}
	if _, err := s.CreateCampaign(ctx, c.Name, 4242); !errors.Is(err, storage.ErrDuplicate) {
		t.Errorf("CreateCampaign twice: %v, want ErrDuplicate", err)
	}
	if cs, err := s.Campaigns(ctx, 0, 1000); err != nil || !slices.ContainsFunc(cs, func(x drive.Campaign) bool { return x.ID == c.ID }) {
		t.Errorf("Campaigns = %v, %v; want it to hold %d", cs, err, c.ID)
	}
	in := draft(tomorrow(), 4, 25)
	in.CampaignID = c.ID
	in.Point = &drive.Point{Lat: 10.7578, Lon: 106.6594}
	d, slots, err := s.CreateDrive(ctx, in, 4242)
	if err != nil {
		t.Fatalf("CreateDrive: %v", err)
	}
	if d.Status != drive.StatusDraft || d.CampaignID != c.ID || d.Title != in.Title || !d.Start.Equal(in.Start) ||
		!d.End.Equal(in.End) || d.Point == nil || *d.Point != *in.Point || d.AudienceUnitID != 0 || d.CreatedBy != 4242 {
		t.Errorf("CreateDrive = %+v", d)
	}
	if !drive.ValidCode(d.Code) {
		t.Errorf("code %q is not valid", d.Code)
	}
	if len(slots) != 4 || !slots[0].Start.Equal(in.Start) || !slots[3].End.Equal(in.End) || slots[2].Capacity != 25 {
		t.Errorf("slots = %+v", slots)
	}
	for _, get := range []func() (drive.Drive, error){
		func() (drive.Drive, error) { return s.Drive(ctx, d.ID) },
		func() (drive.Drive, error) { return s.DriveByCode(ctx, d.Code) },
	} {
		if got, err := get(); err != nil || got.ID != d.ID || got.Code != d.Code || got.Venue != in.Venue {
			t.Errorf("got %+v, %v; want drive %d", got, err, d.ID)
		}
	}
	if _, err := s.Drive(ctx, -1); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Drive(-1) = %v, want ErrNotFound", err)
	}
	if _, err := s.DriveByCode(ctx, "nonexistent"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DriveByCode(nonexistent) = %v, want ErrNotFound", err)
	}
	bad := draft(tomorrow(), 2, 0)
	if _, _, err := s.CreateDrive(ctx, bad, 4242); !errors.Is(err, drive.ErrCapacity) {
		t.Errorf("CreateDrive with capacity 0 = %v, want drive.ErrCapacity", err)
	}
}

func TestDriveStatus(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	d, _, err := s.CreateDrive(ctx, draft(tomorrow(), 2, 5), 4242)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CloseDrive(ctx, d.ID); !errors.Is(err, storage.ErrDriveStatus) {
		t.Errorf("CloseDrive(draft) = %v, want ErrDriveStatus", err)
	}
	if got, err := s.PublishDrive(ctx, d.ID, testNow); err != nil || got.Status != drive.StatusPublished {
		t.Fatalf("PublishDrive = %v, %v", got.Status, err)
	}
	if _, err := s.PublishDrive(ctx, d.ID, testNow); !errors.Is(err, storage.ErrDriveStatus) {
		t.Errorf("PublishDrive twice = %v, want ErrDriveStatus", err)
	}
	if got, err := s.CloseDrive(ctx, d.ID); err != nil || got.Status != drive.StatusClosed {
		t.Errorf("CloseDrive = %v, %v", got.Status, err)
	}
	if _, err := s.CancelDrive(ctx, d.ID); !errors.Is(err, storage.ErrDriveStatus) {
		t.Errorf("CancelDrive(closed) = %v, want ErrDriveStatus", err)
	}
	if _, err := s.PublishDrive(ctx, -1, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("PublishDrive(-1) = %v, want ErrNotFound", err)
	}
	// A drive of tomorrow by the wall clock, published as of its end: the
	// rule reads only the time it is given.
	past, _, err := s.CreateDrive(ctx, draft(tomorrow(), 2, 5), 4242)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishDrive(ctx, past.ID, past.End); !errors.Is(err, drive.ErrDateInPast) {
		t.Errorf("PublishDrive(over) = %v, want drive.ErrDateInPast", err)
	}
	if _, err := s.PublishDrive(ctx, past.ID, past.End.Add(-time.Minute)); err != nil {
		t.Errorf("PublishDrive a minute before its end: %v", err)
	}
}

func TestUpdateDrive(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	in := draft(tomorrow(), 2, 5)
	d, slots, err := s.CreateDrive(ctx, in, 4242)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKRebuildsSlotsWithoutRegistrations", func(t *testing.T) {
		in.End = in.Start.Add(2 * time.Hour)
		got, newSlots, err := s.UpdateDrive(ctx, d.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if !got.End.Equal(in.End) || len(newSlots) != 4 || newSlots[0].ID == slots[0].ID {
			t.Errorf("UpdateDrive = %+v, %+v", got, newSlots)
		}
		// The old slot vanished: registering in it is ErrNotFound.
		if _, err := s.PublishDrive(ctx, d.ID, testNow); err != nil {
			t.Fatal(err)
		}
		donor := newDonors(t, s, 1)[0]
		if _, err := s.Register(ctx, donor, slots[0].ID, testNow); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Register in a vanished slot = %v, want ErrNotFound", err)
		}
		if _, err := s.Register(ctx, donor, newSlots[0].ID, testNow); err != nil {
			t.Fatal(err)
		}
		slots = newSlots
	})
	t.Run("OKTextEditsWithRegistrations", func(t *testing.T) {
		in.Title, in.TargetUnits, in.Hospital = "Chủ nhật đỏ", 400, "Viện Huyết học - Truyền máu TW"
		got, same, err := s.UpdateDrive(ctx, d.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Chủ nhật đỏ" || got.TargetUnits != 400 || got.Status != drive.StatusPublished ||
			len(same) != len(slots) || same[0].ID != slots[0].ID {
			t.Errorf("UpdateDrive = %+v, %+v", got, same)
		}
	})
	t.Run("ErrDriveHasRegistrations", func(t *testing.T) {
		moved := in
		moved.Start, moved.End = in.Start.Add(time.Hour), in.End.Add(time.Hour)
		if _, _, err := s.UpdateDrive(ctx, d.ID, moved); !errors.Is(err, storage.ErrDriveHasRegistrations) {
			t.Errorf("UpdateDrive = %v, want ErrDriveHasRegistrations", err)
		}
		bigger := in
		bigger.SlotCapacity = 10
		if _, _, err := s.UpdateDrive(ctx, d.ID, bigger); !errors.Is(err, storage.ErrDriveHasRegistrations) {
			t.Errorf("UpdateDrive = %v, want ErrDriveHasRegistrations", err)
		}
	})
	t.Run("ErrDriveStatus", func(t *testing.T) {
		if _, err := s.CancelDrive(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.UpdateDrive(ctx, d.ID, in); !errors.Is(err, storage.ErrDriveStatus) {
			t.Errorf("UpdateDrive(cancelled) = %v, want ErrDriveStatus", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, _, err := s.UpdateDrive(ctx, -1, in); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("UpdateDrive(-1) = %v, want ErrNotFound", err)
		}
	})
}

func TestUpcomingDrives(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	unit, err := s.CreateUnit(ctx, "club", "CLB Ngân hàng máu sống "+drive.NewCode(), drive.NewCode())
	if err != nil {
		t.Fatal(err)
	}
	open, openSlots := publishedDrive(t, s, tomorrow(), 2, 3)
	club := draft(tomorrow().Add(time.Hour), 1, 10)
	club.AudienceUnitID = unit.ID
	clubDrive, _, err := s.CreateDrive(ctx, club, 4242)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishDrive(ctx, clubDrive.ID, testNow); err != nil {
		t.Fatal(err)
	}
	draftDrive, _, err := s.CreateDrive(ctx, draft(tomorrow(), 1, 10), 4242)
	if err != nil {
		t.Fatal(err)
	}
	donors := newDonors(t, s, 5)
	for _, id := range donors[:4] { // 3 confirmed and 1 waitlisted in the first slot
		if _, err := s.Register(ctx, id, openSlots[0].ID, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Register(ctx, donors[4], openSlots[1].ID, testNow); err != nil {
		t.Fatal(err)
	}

	find := func(ls []storage.DriveListing, id int64) *storage.DriveListing {
		for i := range ls {
			if ls[i].Drive.ID == id {
				return &ls[i]
			}
		}
		return nil
	}
	all, err := s.UpcomingDrives(ctx, testNow, nil, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if l := find(all, open.ID); l == nil || l.Confirmed != 4 || l.Waitlisted != 1 || l.SeatsLeft != 2 {
		t.Errorf("listing of the open drive = %+v, want 4 confirmed, 1 waitlisted, 2 seats left", l)
	}
	if find(all, clubDrive.ID) != nil || find(all, draftDrive.ID) != nil {
		t.Error("a club drive or a draft is listed for a donor outside the club")
	}
	members, err := s.UpcomingDrives(ctx, testNow, []int64{unit.ID + 1000, unit.ID}, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if l := find(members, clubDrive.ID); l == nil || l.SeatsLeft != 10 {
		t.Errorf("club drive listing for members = %+v", l)
	}
	if later, err := s.UpcomingDrives(ctx, open.End, nil, 0, 10000); err != nil || find(later, open.ID) != nil {
		t.Errorf("a drive over is listed: %v", err)
	}
	// During the drive, only the seats of slots not started are left.
	if during, err := s.UpcomingDrives(ctx, openSlots[1].Start, nil, 0, 10000); err != nil {
		t.Fatal(err)
	} else if l := find(during, open.ID); l == nil || l.SeatsLeft != 0 {
		t.Errorf("listing during the last slot = %+v, want 0 seats left", l)
	}

	slots, err := s.DriveSlots(ctx, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 2 || slots[0].Confirmed != 3 || slots[0].Waitlisted != 1 || slots[0].SeatsLeft() != 0 ||
		slots[1].Confirmed != 1 || slots[1].SeatsLeft() != 2 {
		t.Errorf("DriveSlots = %+v", slots)
	}
	regs, err := s.DriveRegistrants(ctx, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range regs {
		ids = append(ids, r.TelegramID)
		if r.ChatID != r.TelegramID || r.Language != "vi" || !r.Status.Live() {
			t.Errorf("registrant %+v", r)
		}
	}
	if slices.Sort(ids); !slices.Equal(ids, donors) {
		t.Errorf("DriveRegistrants = %v, want %v", ids, donors)
	}
}

// Concurrent status changes and registrations: once CancelDrive returns,
// DriveRegistrants lists every registration that succeeded.
func TestCancelDriveMissesNoRegistrant(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	d, slots := publishedDrive(t, s, tomorrow(), 4, 50)
	donors := newDonors(t, s, 100)
	var mu sync.Mutex
	var registered []int64
	var wg sync.WaitGroup
	for i, id := range donors {
		wg.Go(func() {
			if _, err := s.Register(ctx, id, slots[i%len(slots)].ID, testNow); err == nil {
				mu.Lock()
				registered = append(registered, id)
				mu.Unlock()
			} else if !errors.Is(err, storage.ErrDriveNotOpen) {
				t.Errorf("Register: %v", err)
			}
		})
		if i == 50 {
			if _, err := s.CancelDrive(ctx, d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	regs, err := s.DriveRegistrants(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(regs) != len(registered) {
		t.Errorf("DriveRegistrants right after CancelDrive: %d, but %d registrations succeeded", len(regs), len(registered))
	}
}
