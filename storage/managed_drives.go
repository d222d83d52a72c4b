package storage

import (
	"context"
	"fmt"
	"time"

	"donorbot/drive"
)

// ManagedQuery selects the drives a user manages, under the rule of the
// chat commands (handlers' organizes): admins manage every drive, and
// otherwise a user manages the drives they created, every drive when they
// are an organizer without a unit, and the drives for a unit they are an
// organizer or club admin of.
type ManagedQuery struct {
	UserID int64
	// Admin is whether the user is an admin, by configuration or role: the
	// configured admins are not in the database.
	Admin bool
	// Today is the start of the bot's current day (injected clock): a
	// drive ending at or after it is upcoming, so today's drives stay on
	// top even once over, for their check-in and results.
	Today time.Time
	// Filters, zero for any.
	DriveID    int64
	CampaignID int64
	Wave       string
	UnitID     int64
	When       string // "upcoming", "past", or "" for both
	LiveOnly   bool   // drafts and published drives only, not closed or cancelled
	Offset     int
	Limit      int // 0: no limit
}

// Drive statuses a ManagedQuery's When selects.
const (
	WhenUpcoming = "upcoming"
	WhenPast     = "past"
)

// ManagedDrive is a drive with what its organizers look at first.
//
//   - Seats: the sum of its slots' capacities; SeatsLeft: the seats still
//     free by the registration rule (confirmed registrations take one).
//   - Registered, Arrived and Donated count as storage.Progress does.
type ManagedDrive struct {
	drive.Drive
	Campaign   string
	Unit       string
	Seats      int
	SeatsLeft  int
	Registered int
	Arrived    int
	Donated    int
}

type managedRow struct {
	driveRow
	Campaign   string `db:"campaign"`
	Unit       string `db:"unit"`
	Seats      int    `db:"seats"`
	SeatsLeft  int    `db:"seats_left"`
	Registered int    `db:"registered"`
	Arrived    int    `db:"arrived"`
	Donated    int    `db:"donated"`
	Total      int    `db:"total"`
}

// managedWhere is the rule of ManagedQuery over drives d for user $1,
// admin $2, then its filters ($3 to $9).
const managedWhere = `($2 OR d.created_by = $1 OR EXISTS (
		SELECT 1 FROM roles ro WHERE ro.telegram_id = $1 AND (
			ro.role = 'organizer' AND ro.unit_id IS NULL OR
			ro.role IN ('organizer', 'club_admin') AND ro.unit_id = d.audience_unit_id)))
	AND ($3 = 0 OR d.id = $3)
	AND ($4 = 0 OR d.campaign_id = $4)
	AND ($5 = '' OR d.wave = $5)
	AND ($6 = 0 OR d.audience_unit_id = $6)
	AND ($7 = '' OR ($7 = 'upcoming') = (d.ends_at >= $8))
	AND (NOT $9 OR d.status IN ('draft', 'published'))`

func (q ManagedQuery) args() []any {
	return []any{q.UserID, q.Admin, q.DriveID, q.CampaignID, q.Wave, q.UnitID, q.When, q.Today, q.LiveOnly}
}

// ManagedDrives lists the drives the user manages with their counts:
// upcoming ones first by date, then past ones most recent first; and how
// many there are over all pages.
func (s *Store) ManagedDrives(ctx context.Context, q ManagedQuery) ([]ManagedDrive, int, error) {
	const query = `SELECT ` + driveColumns + `,
			coalesce(c.name, '') AS campaign, coalesce(u.name, '') AS unit,
			coalesce(sl.seats, 0) AS seats, coalesce(sl.seats_left, 0) AS seats_left,
			rg.registered, rg.arrived, rg.donated, count(*) OVER () AS total
		FROM drives d
		LEFT JOIN campaigns c ON c.id = d.campaign_id
		LEFT JOIN units u ON u.id = d.audience_unit_id
		LEFT JOIN LATERAL (
			SELECT sum(x.capacity) AS seats, sum(greatest(x.capacity - x.confirmed, 0)) AS seats_left
			FROM (SELECT s.capacity, count(r.id) FILTER (WHERE r.status = 'confirmed') AS confirmed
				FROM drive_slots s LEFT JOIN registrations r ON r.slot_id = s.id
				WHERE s.drive_id = d.id GROUP BY s.id) x) sl ON true
		CROSS JOIN LATERAL (
			SELECT count(*) FILTER (WHERE r.status NOT IN ('cancelled', 'waitlisted')) AS registered,
				count(*) FILTER (WHERE r.checked_in_at IS NOT NULL) AS arrived,
				count(n.id) AS donated
			FROM registrations r LEFT JOIN donations n ON n.registration_id = r.id
			WHERE r.drive_id = d.id) rg
		WHERE ` + managedWhere + `
		ORDER BY d.ends_at < $8, CASE WHEN d.ends_at >= $8 THEN d.starts_at END, d.starts_at DESC, d.id
		OFFSET $10 LIMIT nullif($11, 0)`
	rows := []managedRow{}
	args := append(q.args(), q.Offset, q.Limit)
	if err := s.q(ctx).SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: drives managed by %d: %w", q.UserID, err)
	}
	out := make([]ManagedDrive, len(rows))
	total := 0
	for i, r := range rows {
		out[i] = ManagedDrive{Drive: r.drive(), Campaign: r.Campaign, Unit: r.Unit, Seats: r.Seats,
			SeatsLeft: r.SeatsLeft, Registered: r.Registered, Arrived: r.Arrived, Donated: r.Donated}
		total = r.Total
	}
	if len(rows) == 0 && q.Offset > 0 {
		// count(*) OVER () sees no row past the last page.
		if err := s.q(ctx).GetContext(ctx, &total, `SELECT count(*) FROM drives d WHERE `+managedWhere, q.args()...); err != nil {
			return nil, 0, fmt.Errorf("storage: drives managed by %d: %w", q.UserID, err)
		}
	}
	return out, total, nil
}

// Named is an id and a name, for a filter's choices.
type Named struct {
	ID   int64  `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
}

// ManagedFilters are the choices of the filters of the user's drives: the
// campaigns, waves and units of the drives they manage, by name.
type ManagedFilters struct {
	Campaigns []Named
	Waves     []string
	Units     []Named
}

// ManagedDriveFilters lists the campaigns, waves and units of the drives q
// may select: those of every drive the user manages, whatever q's filters.
func (s *Store) ManagedDriveFilters(ctx context.Context, q ManagedQuery) (ManagedFilters, error) {
	mine := ManagedQuery{UserID: q.UserID, Admin: q.Admin, Today: q.Today}
	args := mine.args()
	f := ManagedFilters{Campaigns: []Named{}, Waves: []string{}, Units: []Named{}}
	wrap := func(err error) error {
		return fmt.Errorf("storage: filters of drives managed by %d: %w", q.UserID, err)
	}
	if err := s.q(ctx).SelectContext(ctx, &f.Campaigns, `SELECT DISTINCT c.id, c.name
		FROM drives d JOIN campaigns c ON c.id = d.campaign_id WHERE `+managedWhere+` ORDER BY c.name, c.id`, args...); err != nil {
		return f, wrap(err)
	}
	if err := s.q(ctx).SelectContext(ctx, &f.Waves, `SELECT DISTINCT d.wave
		FROM drives d WHERE `+managedWhere+` AND d.wave <> '' ORDER BY d.wave`, args...); err != nil {
		return f, wrap(err)
	}
	if err := s.q(ctx).SelectContext(ctx, &f.Units, `SELECT DISTINCT u.id, u.name
		FROM drives d JOIN units u ON u.id = d.audience_unit_id WHERE `+managedWhere+` ORDER BY u.name, u.id`, args...); err != nil {
		return f, wrap(err)
	}
	return f, nil
}

// SlotSeats is a slot with its seats taken: registrations holding or having
// held a seat (every status but cancelled and waitlisted).
type SlotSeats struct {
	ID       int64     `db:"id"`
	Start    time.Time `db:"starts_at"`
	End      time.Time `db:"ends_at"`
	Capacity int       `db:"capacity"`
	Taken    int       `db:"taken"`
}

// DriveSlotSeats lists the drive's slots in time order with seats taken.
func (s *Store) DriveSlotSeats(ctx context.Context, driveID int64) ([]SlotSeats, error) {
	const q = `SELECT sl.id, sl.starts_at, sl.ends_at, sl.capacity,
			count(r.id) FILTER (WHERE r.status NOT IN ('cancelled', 'waitlisted')) AS taken
		FROM drive_slots sl LEFT JOIN registrations r ON r.slot_id = sl.id
		WHERE sl.drive_id = $1 GROUP BY sl.id ORDER BY sl.starts_at`
	out := []SlotSeats{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, driveID); err != nil {
		return nil, fmt.Errorf("storage: seats of the slots of drive %d: %w", driveID, err)
	}
	return out, nil
}
