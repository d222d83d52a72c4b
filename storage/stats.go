package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"donorbot/drive"
)

// Progress is what happened to the registrations of a drive, or of a part
// of one (a slot, a unit, a wave of a campaign).
//
//   - Registered: registrations holding a seat or past it: every status
//     but cancelled and waitlisted.
//   - Waitlisted: still on a waitlist.
//   - CheckedIn: stamped at the check-in desk.
//   - Donated: donations recorded for the registrations (one unit each),
//     DonatedML their volume.
//   - Deferred: deferred by screening or on site. NoShow: never came.
//   - Capacity: the seats of a slot (0 for anything else).
type Progress struct {
	Key        int64     `db:"key"`
	Label      string    `db:"label"`
	Start      time.Time `db:"start"`
	Target     int       `db:"target"`
	Capacity   int       `db:"capacity"`
	Registered int       `db:"registered"`
	Waitlisted int       `db:"waitlisted"`
	CheckedIn  int       `db:"checked_in"`
	Donated    int       `db:"donated"`
	DonatedML  int       `db:"donated_ml"`
	Deferred   int       `db:"deferred"`
	NoShow     int       `db:"no_show"`
}

// Percent is Donated against Target, rounded down; 0 without a target.
func (p Progress) Percent() int {
	if p.Target <= 0 {
		return 0
	}
	return p.Donated * 100 / p.Target
}

// Add sums q into p (targets too).
func (p *Progress) Add(q Progress) {
	p.Target += q.Target
	p.Capacity += q.Capacity
	p.Registered += q.Registered
	p.Waitlisted += q.Waitlisted
	p.CheckedIn += q.CheckedIn
	p.Donated += q.Donated
	p.DonatedML += q.DonatedML
	p.Deferred += q.Deferred
	p.NoShow += q.NoShow
}

// progressColumns aggregates registrations r left-joined with their
// donations n, following the definitions of Progress.
const progressColumns = `
	count(r.id) FILTER (WHERE r.status NOT IN ('cancelled', 'waitlisted')) AS registered,
	count(r.id) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
	count(r.id) FILTER (WHERE r.checked_in_at IS NOT NULL) AS checked_in,
	count(n.id) AS donated,
	coalesce(sum(n.volume_ml), 0) AS donated_ml,
	count(r.id) FILTER (WHERE r.status = 'deferred') AS deferred,
	count(r.id) FILTER (WHERE r.status = 'no_show') AS no_show`

// DriveProgress returns the progress of the whole drive against its target.
func (s *Store) DriveProgress(ctx context.Context, driveID int64) (Progress, error) {
	const q = `SELECT d.id AS key, d.title AS label, d.starts_at AS start, d.target_units AS target,` + progressColumns + `
		FROM drives d
		LEFT JOIN registrations r ON r.drive_id = d.id
		LEFT JOIN donations n ON n.registration_id = r.id
		WHERE d.id = $1
		GROUP BY d.id`
	var p Progress
	if err := s.q(ctx).GetContext(ctx, &p, q, driveID); err != nil {
		return Progress{}, fmt.Errorf("storage: progress of drive %d: %w", driveID, mapErr(err))
	}
	return p, nil
}

// SlotProgress is the progress of one slot, Capacity its seats.
type SlotProgress struct {
	Progress
	End time.Time `db:"end"`
}

// SlotProgress returns the progress of each slot of the drive, in time order.
func (s *Store) SlotProgress(ctx context.Context, driveID int64) ([]SlotProgress, error) {
	const q = `SELECT sl.id AS key, '' AS label, sl.starts_at AS start, sl.ends_at AS end, 0 AS target,
			sl.capacity AS capacity,` + progressColumns + `
		FROM drive_slots sl
		LEFT JOIN registrations r ON r.slot_id = sl.id
		LEFT JOIN donations n ON n.registration_id = r.id
		WHERE sl.drive_id = $1
		GROUP BY sl.id
		ORDER BY sl.starts_at`
	out := []SlotProgress{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, driveID); err != nil {
		return nil, fmt.Errorf("storage: progress by slot of drive %d: %w", driveID, err)
	}
	return out, nil
}

// unitProgress counts the registrations matching where (with $1) by the
// donors' unit or club, largest first; a donor of several units counts in
// each, one of none under key 0 and an empty label.
func (s *Store) unitProgress(ctx context.Context, where string, arg int64) ([]Progress, error) {
	q := `SELECT coalesce(u.id, 0) AS key, coalesce(u.name, '') AS label,
			'epoch'::timestamptz AS start, 0 AS target,` + progressColumns + `
		FROM registrations r
		LEFT JOIN donations n ON n.registration_id = r.id
		LEFT JOIN unit_members m ON m.donor_id = r.donor_id
		LEFT JOIN units u ON u.id = m.unit_id
		WHERE ` + where + `
		GROUP BY u.id, u.name
		ORDER BY registered DESC, label`
	out := []Progress{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, arg); err != nil {
		return nil, err
	}
	return out, nil
}

// UnitProgress returns the progress of the drive by the donors' unit or
// club (see unitProgress).
func (s *Store) UnitProgress(ctx context.Context, driveID int64) ([]Progress, error) {
	out, err := s.unitProgress(ctx, `r.drive_id = $1`, driveID)
	if err != nil {
		return nil, fmt.Errorf("storage: progress by unit of drive %d: %w", driveID, err)
	}
	return out, nil
}

// CampaignUnitProgress returns the progress of the campaign's drives that
// were not cancelled by the donors' unit or club (see unitProgress).
func (s *Store) CampaignUnitProgress(ctx context.Context, campaignID int64) ([]Progress, error) {
	out, err := s.unitProgress(ctx, `r.drive_id IN (SELECT id FROM drives
		WHERE campaign_id = $1 AND status <> 'cancelled')`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("storage: progress by unit of campaign %d: %w", campaignID, err)
	}
	return out, nil
}

// CampaignDrive is the progress of one drive of a campaign (Key is the
// drive, Label its wave or else its title), with what decides who manages
// it.
type CampaignDrive struct {
	Progress
	CampaignID     int64  `db:"campaign_id"`
	Campaign       string `db:"campaign"`
	Wave           string `db:"wave"`
	CreatedBy      int64  `db:"created_by"`
	AudienceUnitID int64  `db:"audience_unit_id"`
}

// CampaignDrives returns the progress of each drive of the campaign (of
// every campaign when campaignID is 0) that was not cancelled, by campaign
// then in date order. A campaign's plan is the sum of these drives'
// targets, and what it collected the sum of their donations.
func (s *Store) CampaignDrives(ctx context.Context, campaignID int64) ([]CampaignDrive, error) {
	const q = `SELECT d.id AS key, coalesce(nullif(d.wave, ''), d.title) AS label, d.starts_at AS start,
			d.target_units AS target, 0 AS capacity,` + progressColumns + `,
			d.campaign_id, c.name AS campaign, d.wave, d.created_by,
			coalesce(d.audience_unit_id, 0) AS audience_unit_id
		FROM drives d
		JOIN campaigns c ON c.id = d.campaign_id
		LEFT JOIN registrations r ON r.drive_id = d.id
		LEFT JOIN donations n ON n.registration_id = r.id
		WHERE ($1::bigint = 0 OR d.campaign_id = $1) AND d.status <> 'cancelled'
		GROUP BY d.id, c.id
		ORDER BY c.name, c.id, d.starts_at, d.id`
	out := []CampaignDrive{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, campaignID); err != nil {
		return nil, fmt.Errorf("storage: progress of campaign %d: %w", campaignID, err)
	}
	return out, nil
}

// CampaignProgress returns the progress of each drive (wave) of the
// campaign that was not cancelled, in date order (see CampaignDrives).
func (s *Store) CampaignProgress(ctx context.Context, campaignID int64) ([]Progress, error) {
	drives, err := s.CampaignDrives(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	out := make([]Progress, len(drives))
	for i, d := range drives {
		out[i] = d.Progress
	}
	return out, nil
}

// WaveProgress is the progress of one wave of a campaign: its drives summed.
type WaveProgress struct {
	Progress
	// Number is the wave's number (drive.WaveNumber), 0 for a wave named
	// otherwise; Label is then the name as typed, or the drive's title.
	Number   int
	Drives   int
	DriveIDs []int64
}

// Waves sums a campaign's drives (as CampaignDrives returns them) by wave,
// in the order of each wave's first drive. "Đợt 3" and "Wave 3" are one
// wave; a drive without a numbered wave is grouped by its label.
func Waves(drives []CampaignDrive) []WaveProgress {
	out := []WaveProgress{}
	index := map[string]int{}
	for _, d := range drives {
		n, numbered := drive.WaveNumber(d.Wave)
		key := "#" + strconv.Itoa(n)
		if !numbered {
			n, key = 0, "="+d.Label
		}
		i, seen := index[key]
		if !seen {
			i = len(out)
			index[key] = i
			out = append(out, WaveProgress{Number: n, Progress: Progress{Key: d.Key, Label: d.Label, Start: d.Start}})
		}
		out[i].Drives++
		out[i].DriveIDs = append(out[i].DriveIDs, d.Key)
		out[i].Add(d.Progress)
	}
	return out
}

// CampaignByName finds a campaign by its name, whatever the letter case.
// Case is folded in Go: lower() in a database with the C locale leaves
// Vietnamese capitals (Đ, Ỏ...) alone, and campaigns are few.
func (s *Store) CampaignByName(ctx context.Context, name string) (drive.Campaign, error) {
	const q = `SELECT id, name, created_by, created_at FROM campaigns ORDER BY id`
	rows, err := s.q(ctx).QueryxContext(ctx, q)
	if err != nil {
		return drive.Campaign{}, fmt.Errorf("storage: campaign %q: %w", name, err)
	}
	defer rows.Close()
	name = strings.TrimSpace(name)
	for rows.Next() {
		var c drive.Campaign
		if err := rows.Scan(&c.ID, &c.Name, &c.CreatedBy, &c.CreatedAt); err != nil {
			return drive.Campaign{}, fmt.Errorf("storage: campaign %q: %w", name, err)
		}
		if strings.EqualFold(c.Name, name) {
			return c, nil
		}
	}
	if err := rows.Err(); err != nil {
		return drive.Campaign{}, fmt.Errorf("storage: campaign %q: %w", name, err)
	}
	return drive.Campaign{}, fmt.Errorf("storage: campaign %q: %w", name, ErrNotFound)
}

// SetDriveCampaign puts the drive in the campaign (0: in none).
func (s *Store) SetDriveCampaign(ctx context.Context, driveID, campaignID int64) error {
	const q = `UPDATE drives SET campaign_id = $2, updated_at = now() WHERE id = $1`
	res, err := s.q(ctx).ExecContext(ctx, q, driveID, sql.NullInt64{Int64: campaignID, Valid: campaignID != 0})
	if err != nil {
		return fmt.Errorf("storage: set campaign of drive %d: %w", driveID, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: set campaign of drive %d: %w", driveID, ErrNotFound)
	}
	return nil
}
