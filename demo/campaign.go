package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"donorbot/drive"
	"donorbot/mobilize"
	"donorbot/storage"
)

// demoDrives are the two waves of the demo campaign. days is counted from
// today; the first drive is filled halfway by the demo donors. The second
// has auto-fill on and is 10 days away, its first checkpoint: the
// playground's first scheduler run sends its first wave of invitations,
// so the organizer sees the forecast and a wave at once.
var demoDrives = []struct {
	wave, title, hospital, venue string
	days, startHour, startMin    int
	hours                        time.Duration
	capacity, target, halfFull   int
	autofill                     bool
	point                        drive.Point
}{
	{"Đợt 1", "Ngày hội hiến máu Chủ nhật Đỏ", "Bệnh viện Truyền máu Huyết học",
		"Nhà Văn hóa Thanh niên, 4 Phạm Ngọc Thạch, Phường Sài Gòn, TP. Hồ Chí Minh", 2, 7, 30, 4 * time.Hour, 3, 60, 12, false,
		drive.Point{Lat: 10.7798, Lon: 106.6990}},
	{"Đợt 2", "Giọt hồng Bách Khoa", "Bệnh viện Chợ Rẫy",
		"Nhà thi đấu Đại học Bách Khoa, 268 Lý Thường Kiệt, Phường Diên Hồng, TP. Hồ Chí Minh", 10, 13, 30, 3 * time.Hour, 4, 40, 0, true,
		drive.Point{Lat: 10.7721, Lon: 106.6578}},
}

// demoVenues are the demo drives' places in the console's venue directory,
// so the form offers them as an organizer's usual venues.
var demoVenues = []drive.Venue{
	{Name: "Nhà Văn hóa Thanh niên", Address: "4 Phạm Ngọc Thạch", Ward: "Phường Sài Gòn", Province: "hcm"},
	{Name: "Nhà thi đấu Đại học Bách Khoa", Address: "268 Lý Thường Kiệt", Ward: "Phường Diên Hồng", Province: "hcm"},
}

// ensureVenues puts demoVenues in the directory; SaveVenue keeps one row
// per place, so a second run adds nothing.
func ensureVenues(ctx context.Context, store *storage.Store) error {
	for _, v := range demoVenues {
		if _, err := store.SaveVenue(ctx, v, 0); err != nil {
			return fmt.Errorf("demo: venue %s: %w", v.Name, err)
		}
	}
	return nil
}

// ensureCampaign creates the campaign and, when it has no upcoming drives
// (a first run, or the demo dates have passed since), its published drives
// with their registrations, dated from now.
func ensureCampaign(ctx context.Context, store *storage.Store, now time.Time, sum *Summary) (bool, error) {
	c, created, err := campaign(ctx, store)
	if err != nil {
		return false, err
	}
	sum.Campaign = c
	var ids []int64
	// No storage method lists a campaign's drives; demo data may ask SQL.
	const q = `SELECT id FROM drives WHERE campaign_id = $1 AND starts_at > $2 AND status = 'published'
		ORDER BY starts_at`
	if err := store.DB().SelectContext(ctx, &ids, q, c.ID, now); err != nil {
		return false, fmt.Errorf("demo: drives of campaign %d: %w", c.ID, err)
	}
	if len(ids) == len(demoDrives) {
		for _, id := range ids {
			d, err := store.Drive(ctx, id)
			if err != nil {
				return false, fmt.Errorf("demo: %w", err)
			}
			sum.Drives = append(sum.Drives, d)
		}
		return created, nil
	}
	// The first wave is over: the waves start again from now, and what is
	// left of the old ones is cancelled, so that no drive is listed twice.
	for _, id := range ids {
		if _, err := store.CancelDrive(ctx, id); err != nil {
			return false, fmt.Errorf("demo: %w", err)
		}
	}
	loc := now.Location()
	for _, dd := range demoDrives {
		day := now.AddDate(0, 0, dd.days)
		start := time.Date(day.Year(), day.Month(), day.Day(), dd.startHour, dd.startMin, 0, 0, loc)
		point := dd.point
		in := drive.DraftInput{CampaignID: c.ID, Wave: dd.wave, Title: dd.title, Organizer: "Hội Chữ thập đỏ TP.HCM",
			Hospital: dd.hospital, Venue: dd.venue, Point: &point, Start: start, End: start.Add(dd.hours),
			SlotLength: 30 * time.Minute, SlotCapacity: dd.capacity, TargetUnits: dd.target}
		if err := drive.ValidateDraft(in, now); err != nil {
			return false, fmt.Errorf("demo: drive %q: %w", dd.title, err)
		}
		d, slots, err := store.CreateDrive(ctx, in, organizerID)
		if err != nil {
			return false, fmt.Errorf("demo: %w", err)
		}
		if d, err = store.PublishDrive(ctx, d.ID, now); err != nil {
			return false, fmt.Errorf("demo: %w", err)
		}
		if dd.autofill {
			a := storage.Autofill{On: true, Checkpoints: mobilize.DefaultCheckpoints}
			if err := store.SetAutofill(ctx, d.ID, a, now); err != nil {
				return false, fmt.Errorf("demo: %w", err)
			}
		}
		for j := range dd.halfFull {
			if _, err := store.Register(ctx, int64(FirstDonorID+j), slots[j%len(slots)].ID, now); err != nil {
				return false, fmt.Errorf("demo: %w", err)
			}
		}
		sum.Drives = append(sum.Drives, d)
	}
	return true, nil
}

func campaign(ctx context.Context, store *storage.Store) (drive.Campaign, bool, error) {
	c, err := store.CreateCampaign(ctx, CampaignName, organizerID)
	if err == nil {
		return c, true, nil
	}
	if !errors.Is(err, storage.ErrDuplicate) {
		return c, false, fmt.Errorf("demo: %w", err)
	}
	for offset := 0; ; offset += 100 {
		page, err := store.Campaigns(ctx, offset, 100)
		if err != nil {
			return c, false, fmt.Errorf("demo: %w", err)
		}
		for _, c := range page {
			if c.Name == CampaignName {
				return c, false, nil
			}
		}
		if len(page) < 100 {
			return c, false, fmt.Errorf("demo: campaign %q exists but is not listed", CampaignName)
		}
	}
}
