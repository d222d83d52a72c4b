package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"donorbot/drive"
)

var (
	// ErrDriveStatus is a status change or edit the drive's status does not
	// allow: publishing a drive that is not a draft, editing a closed one.
	ErrDriveStatus = errors.New("storage: not allowed in the drive's status")
	// ErrDriveHasRegistrations refuses to rebuild the slots of a drive that
	// has registrations: they would lose their slot.
	ErrDriveHasRegistrations = errors.New("storage: drive has registrations, its slots cannot change")
)

// driveRow mirrors the drives table.
type driveRow struct {
	ID             int64           `db:"id"`
	CampaignID     sql.NullInt64   `db:"campaign_id"`
	Code           string          `db:"code"`
	Wave           string          `db:"wave"`
	Title          string          `db:"title"`
	Organizer      string          `db:"organizer"`
	Hospital       string          `db:"hospital"`
	Venue          string          `db:"venue"`
	Lat            sql.NullFloat64 `db:"lat"`
	Lon            sql.NullFloat64 `db:"lon"`
	StartsAt       time.Time       `db:"starts_at"`
	EndsAt         time.Time       `db:"ends_at"`
	TargetUnits    int             `db:"target_units"`
	AudienceUnitID sql.NullInt64   `db:"audience_unit_id"`
	VenueID        sql.NullInt64   `db:"venue_id"`
	HospitalID     sql.NullInt64   `db:"hospital_id"`
	AnnounceAt     sql.NullTime    `db:"announce_at"`
	Status         string          `db:"status"`
	CreatedBy      int64           `db:"created_by"`
	CreatedAt      time.Time       `db:"created_at"`
	UpdatedAt      time.Time       `db:"updated_at"`
}

const driveColumns = `d.id, d.campaign_id, d.code, d.wave, d.title, d.organizer, d.hospital,
	d.venue, d.lat, d.lon, d.starts_at, d.ends_at, d.target_units, d.audience_unit_id, d.venue_id,
	d.hospital_id, d.announce_at, d.status, d.created_by, d.created_at, d.updated_at`

func (r driveRow) drive() drive.Drive {
	d := drive.Drive{
		ID: r.ID, CampaignID: r.CampaignID.Int64, Code: r.Code, Wave: r.Wave, Title: r.Title,
		Organizer: r.Organizer, Hospital: r.Hospital, Venue: r.Venue,
		Start: r.StartsAt, End: r.EndsAt, TargetUnits: r.TargetUnits,
		AudienceUnitID: r.AudienceUnitID.Int64, VenueID: r.VenueID.Int64, HospitalID: r.HospitalID.Int64,
		AnnounceAt: r.AnnounceAt.Time, Status: drive.Status(r.Status),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Lat.Valid && r.Lon.Valid {
		d.Point = &drive.Point{Lat: r.Lat.Float64, Lon: r.Lon.Float64}
	}
	return d
}

// slotRow mirrors drive_slots with the counts of live registrations.
type slotRow struct {
	ID         int64     `db:"id"`
	DriveID    int64     `db:"drive_id"`
	StartsAt   time.Time `db:"starts_at"`
	EndsAt     time.Time `db:"ends_at"`
	Capacity   int       `db:"capacity"`
	Confirmed  int       `db:"confirmed"`
	Waitlisted int       `db:"waitlisted"`
}

func (r slotRow) slot() drive.Slot {
	return drive.Slot{ID: r.ID, DriveID: r.DriveID, Start: r.StartsAt, End: r.EndsAt,
		Capacity: r.Capacity, Confirmed: r.Confirmed, Waitlisted: r.Waitlisted}
}

// draftArgs are the drives columns an organizer edits, in the order of the
// $2.. placeholders of CreateDrive and UpdateDrive.
func draftArgs(in drive.DraftInput) []any {
	var lat, lon sql.NullFloat64
	if in.Point != nil {
		lat = sql.NullFloat64{Float64: in.Point.Lat, Valid: true}
		lon = sql.NullFloat64{Float64: in.Point.Lon, Valid: true}
	}
	return []any{
		sql.NullInt64{Int64: in.CampaignID, Valid: in.CampaignID != 0},
		strings.TrimSpace(in.Wave), strings.TrimSpace(in.Title), strings.TrimSpace(in.Organizer),
		strings.TrimSpace(in.Hospital), strings.TrimSpace(in.Venue), lat, lon,
		in.Start, in.End, in.TargetUnits,
		sql.NullInt64{Int64: in.AudienceUnitID, Valid: in.AudienceUnitID != 0},
		sql.NullInt64{Int64: in.VenueID, Valid: in.VenueID != 0},
		sql.NullInt64{Int64: in.HospitalID, Valid: in.HospitalID != 0},
		sql.NullTime{Time: in.AnnounceAt, Valid: !in.AnnounceAt.IsZero()},
	}
}

// CreateCampaign adds a campaign; a name already taken is ErrDuplicate.
func (s *Store) CreateCampaign(ctx context.Context, name string, createdBy int64) (drive.Campaign, error) {
	const q = `INSERT INTO campaigns (name, created_by) VALUES ($1, $2)
		RETURNING id, name, created_by, created_at`
	var c drive.Campaign
	err := s.guarded(ctx, func(db querier) error {
		return db.QueryRowxContext(ctx, q, strings.TrimSpace(name), createdBy).
			Scan(&c.ID, &c.Name, &c.CreatedBy, &c.CreatedAt)
	})
	if err != nil {
		return drive.Campaign{}, fmt.Errorf("storage: create campaign %q: %w", name, mapErr(err))
	}
	return c, nil
}

// Campaigns lists campaigns, newest first, limit at a time from offset.
func (s *Store) Campaigns(ctx context.Context, offset, limit int) ([]drive.Campaign, error) {
	const q = `SELECT id, name, created_by, created_at FROM campaigns
		ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT $2`
	rows := []struct {
		ID        int64     `db:"id"`
		Name      string    `db:"name"`
		CreatedBy int64     `db:"created_by"`
		CreatedAt time.Time `db:"created_at"`
	}{}
	if err := s.q(ctx).SelectContext(ctx, &rows, q, offset, limit); err != nil {
		return nil, fmt.Errorf("storage: campaigns: %w", err)
	}
	cs := make([]drive.Campaign, len(rows))
	for i, r := range rows {
		cs[i] = drive.Campaign{ID: r.ID, Name: r.Name, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	}
	return cs, nil
}

// Campaign returns the campaign with the given id.
func (s *Store) Campaign(ctx context.Context, id int64) (drive.Campaign, error) {
	const q = `SELECT id, name, created_by, created_at FROM campaigns WHERE id = $1`
	var c drive.Campaign
	if err := s.q(ctx).QueryRowxContext(ctx, q, id).Scan(&c.ID, &c.Name, &c.CreatedBy, &c.CreatedAt); err != nil {
		return drive.Campaign{}, fmt.Errorf("storage: campaign %d: %w", id, mapErr(err))
	}
	return c, nil
}

// CreateDrive stores a draft drive and its slots, cut from the window by
// drive.Slots, in one transaction, under a fresh public code. The caller has
// checked in with drive.ValidateDraft; the database re-checks the bounds.
func (s *Store) CreateDrive(ctx context.Context, in drive.DraftInput, createdBy int64) (drive.Drive, []drive.Slot, error) {
	slots, err := drive.Slots(in.Start, in.End, in.SlotLength, in.SlotCapacity)
	if err != nil {
		return drive.Drive{}, nil, fmt.Errorf("storage: create drive: %w", err)
	}
	// 50 random bits collide about never; retrying is cheaper than reasoning.
	for attempt := 1; ; attempt++ {
		d, created, err := s.createDrive(ctx, in, createdBy, slots)
		if err == nil {
			return d, created, nil
		}
		var pqErr *pq.Error
		if attempt == 3 || !errors.As(err, &pqErr) || pqErr.Constraint != "drives_code_key" {
			return drive.Drive{}, nil, fmt.Errorf("storage: create drive %q: %w", in.Title, mapErr(err))
		}
	}
}

func (s *Store) createDrive(ctx context.Context, in drive.DraftInput, createdBy int64, slots []drive.Slot) (drive.Drive, []drive.Slot, error) {
	const q = `INSERT INTO drives AS d (code, campaign_id, wave, title, organizer, hospital, venue,
		lat, lon, starts_at, ends_at, target_units, audience_unit_id, venue_id, hospital_id, announce_at,
		created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		RETURNING ` + driveColumns
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return drive.Drive{}, nil, err
	}
	defer tx.Rollback()
	args := append([]any{drive.NewCode()}, draftArgs(in)...)
	var r driveRow
	if err := tx.GetContext(ctx, &r, q, append(args, createdBy)...); err != nil {
		return drive.Drive{}, nil, err
	}
	created, err := insertSlots(ctx, tx, r.ID, slots)
	if err != nil {
		return drive.Drive{}, nil, err
	}
	if err := tx.Commit(); err != nil {
		return drive.Drive{}, nil, err
	}
	return r.drive(), created, nil
}

func insertSlots(ctx context.Context, tx *dbTx, driveID int64, slots []drive.Slot) ([]drive.Slot, error) {
	const q = `INSERT INTO drive_slots (drive_id, starts_at, ends_at, capacity) VALUES ($1, $2, $3, $4)
		RETURNING id, drive_id, starts_at, ends_at, capacity, 0 AS confirmed, 0 AS waitlisted`
	created := make([]drive.Slot, len(slots))
	for i, sl := range slots {
		var r slotRow
		if err := tx.GetContext(ctx, &r, q, driveID, sl.Start, sl.End, sl.Capacity); err != nil {
			return nil, fmt.Errorf("slot %s: %w", sl.Start.Format(time.RFC3339), err)
		}
		created[i] = r.slot()
	}
	return created, nil
}

// Drive returns the drive with the given id.
func (s *Store) Drive(ctx context.Context, id int64) (drive.Drive, error) {
	const q = `SELECT ` + driveColumns + ` FROM drives d WHERE d.id = $1`
	var r driveRow
	if err := s.read(ctx).GetContext(ctx, &r, q, id); err != nil {
		return drive.Drive{}, fmt.Errorf("storage: drive %d: %w", id, mapErr(err))
	}
	return r.drive(), nil
}

// DriveByCode returns the drive with the given public code, in any status:
// the caller tells a donor who followed an old link that it was cancelled.
func (s *Store) DriveByCode(ctx context.Context, code string) (drive.Drive, error) {
	const q = `SELECT ` + driveColumns + ` FROM drives d WHERE d.code = $1`
	var r driveRow
	if err := s.read(ctx).GetContext(ctx, &r, q, code); err != nil {
		return drive.Drive{}, fmt.Errorf("storage: drive %q: %w", code, mapErr(err))
	}
	return r.drive(), nil
}

// lockSlots locks the drive's slot rows, in id order like every writer, and
// returns them. Register, Cancel and Move lock the one slot they change, so
// a status change or slot rebuild that holds every slot lock never
// interleaves with a registration.
func lockSlots(ctx context.Context, tx *dbTx, driveID int64) ([]drive.Slot, error) {
	const q = `SELECT id, drive_id, starts_at, ends_at, capacity, 0 AS confirmed, 0 AS waitlisted
		FROM drive_slots WHERE drive_id = $1 ORDER BY id FOR UPDATE`
	rows := []slotRow{}
	if err := tx.SelectContext(ctx, &rows, q, driveID); err != nil {
		return nil, fmt.Errorf("lock slots: %w", err)
	}
	slots := make([]drive.Slot, len(rows))
	for i, r := range rows {
		slots[i] = r.slot()
	}
	return slots, nil
}

// lockDrive locks the drive row (after its slots) and returns it.
func lockDrive(ctx context.Context, tx *dbTx, id int64) (drive.Drive, error) {
	const q = `SELECT ` + driveColumns + ` FROM drives d WHERE d.id = $1 FOR UPDATE`
	var r driveRow
	if err := tx.GetContext(ctx, &r, q, id); err != nil {
		return drive.Drive{}, mapErr(err)
	}
	return r.drive(), nil
}

// UpdateDrive replaces what the organizer entered for a draft or published
// drive. The slots are rebuilt only when the window, slot length or capacity
// changed, and then only while the drive has no registration at all
// (ErrDriveHasRegistrations): a registration must never lose its slot. A
// closed or cancelled drive is ErrDriveStatus.
func (s *Store) UpdateDrive(ctx context.Context, id int64, in drive.DraftInput) (drive.Drive, []drive.Slot, error) {
	const q = `UPDATE drives d SET campaign_id = $2, wave = $3, title = $4, organizer = $5,
		hospital = $6, venue = $7, lat = $8, lon = $9, starts_at = $10, ends_at = $11,
		target_units = $12, audience_unit_id = $13, venue_id = $14, hospital_id = $15,
		announce_at = $16, updated_at = now()
		WHERE d.id = $1 RETURNING ` + driveColumns
	const countRegs = `SELECT count(*) FROM registrations WHERE drive_id = $1`
	const deleteSlots = `DELETE FROM drive_slots WHERE drive_id = $1`
	wrap := func(err error) error { return fmt.Errorf("storage: update drive %d: %w", id, err) }
	want, err := drive.Slots(in.Start, in.End, in.SlotLength, in.SlotCapacity)
	if err != nil {
		return drive.Drive{}, nil, wrap(err)
	}
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return drive.Drive{}, nil, wrap(err)
	}
	defer tx.Rollback()
	slots, err := lockSlots(ctx, tx, id)
	if err != nil {
		return drive.Drive{}, nil, wrap(err)
	}
	old, err := lockDrive(ctx, tx, id)
	if err != nil {
		return drive.Drive{}, nil, wrap(err)
	}
	if old.Status.Final() {
		return drive.Drive{}, nil, wrap(fmt.Errorf("%w: %s", ErrDriveStatus, old.Status))
	}
	if !sameSlots(slots, want) {
		var n int
		if err := tx.GetContext(ctx, &n, countRegs, id); err != nil {
			return drive.Drive{}, nil, wrap(err)
		}
		if n > 0 {
			return drive.Drive{}, nil, wrap(fmt.Errorf("%w: %d", ErrDriveHasRegistrations, n))
		}
		if _, err := tx.ExecContext(ctx, deleteSlots, id); err != nil {
			return drive.Drive{}, nil, wrap(err)
		}
		if slots, err = insertSlots(ctx, tx, id, want); err != nil {
			return drive.Drive{}, nil, wrap(err)
		}
	}
	var r driveRow
	if err := tx.GetContext(ctx, &r, q, append([]any{id}, draftArgs(in)...)...); err != nil {
		return drive.Drive{}, nil, wrap(mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return drive.Drive{}, nil, wrap(err)
	}
	return r.drive(), slots, nil
}

// sameSlots reports whether stored slots (in id order, which is start order)
// are the ones wanted.
func sameSlots(stored, want []drive.Slot) bool {
	if len(stored) != len(want) {
		return false
	}
	for i := range stored {
		if !stored[i].Start.Equal(want[i].Start) || !stored[i].End.Equal(want[i].End) ||
			stored[i].Capacity != want[i].Capacity {
			return false
		}
	}
	return true
}

// PublishDrive opens a draft drive to registration. A drive that is not a
// draft is ErrDriveStatus; one over by now is drive.ErrDateInPast.
func (s *Store) PublishDrive(ctx context.Context, id int64, now time.Time) (drive.Drive, error) {
	notOver := func(d drive.Drive) error {
		if !d.End.After(now) {
			return fmt.Errorf("%w: ended %s", drive.ErrDateInPast, d.End.Format(time.RFC3339))
		}
		return nil
	}
	return s.setDriveStatus(ctx, id, drive.StatusPublished, notOver, drive.StatusDraft)
}

// CancelDrive cancels a draft or published drive. Its registrations keep
// their status, so DriveRegistrants still lists whom to tell.
func (s *Store) CancelDrive(ctx context.Context, id int64) (drive.Drive, error) {
	return s.setDriveStatus(ctx, id, drive.StatusCancelled, nil, drive.StatusDraft, drive.StatusPublished)
}

// CloseDrive closes a published drive to registration, typically once it is
// over; reminders stop, the thank-you still goes to those who attended.
func (s *Store) CloseDrive(ctx context.Context, id int64) (drive.Drive, error) {
	return s.setDriveStatus(ctx, id, drive.StatusClosed, nil, drive.StatusPublished)
}

// setDriveStatus moves a drive from one of the from statuses to to; check,
// when not nil, vets the locked drive first.
func (s *Store) setDriveStatus(ctx context.Context, id int64, to drive.Status, check func(drive.Drive) error,
	from ...drive.Status) (drive.Drive, error) {
	const q = `UPDATE drives d SET status = $2, updated_at = now() WHERE d.id = $1 RETURNING ` + driveColumns
	wrap := func(err error) error { return fmt.Errorf("storage: drive %d to %s: %w", id, to, err) }
	tx, err := s.begin(ctx, nil)
	if err != nil {
		return drive.Drive{}, wrap(err)
	}
	defer tx.Rollback()
	// The slot locks wait for registrations in flight: none commits into a
	// drive after it is cancelled, so DriveRegistrants misses nobody.
	if _, err := lockSlots(ctx, tx, id); err != nil {
		return drive.Drive{}, wrap(err)
	}
	old, err := lockDrive(ctx, tx, id)
	if err != nil {
		return drive.Drive{}, wrap(err)
	}
	allowed := false
	for _, f := range from {
		allowed = allowed || old.Status == f
	}
	if !allowed {
		return drive.Drive{}, wrap(fmt.Errorf("%w: drive is %s", ErrDriveStatus, old.Status))
	}
	if check != nil {
		if err := check(old); err != nil {
			return drive.Drive{}, wrap(err)
		}
	}
	var r driveRow
	if err := tx.GetContext(ctx, &r, q, id, string(to)); err != nil {
		return drive.Drive{}, wrap(mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return drive.Drive{}, wrap(err)
	}
	return r.drive(), nil
}

// DriveListing is a drive with its live registration counts and the seats
// left in its slots that have not started.
type DriveListing struct {
	Drive      drive.Drive
	Confirmed  int
	Waitlisted int
	SeatsLeft  int
}

// UpcomingDrives lists the published drives not over at now that are open
// to every donor or to one of audienceUnitIDs (the donor's units), soonest
// first, limit at a time from offset.
func (s *Store) UpcomingDrives(ctx context.Context, now time.Time, audienceUnitIDs []int64, offset, limit int) ([]DriveListing, error) {
	if audienceUnitIDs == nil {
		audienceUnitIDs = []int64{} // NULL would make unnest($2) NULL, not empty
	}
	return s.upcomingDrives(ctx, upcomingDrivesOfUnits, now, pq.Array(audienceUnitIDs), offset, limit)
}

// UpcomingDrivesFor is UpcomingDrives for the donor's own units, read in
// the same statement (a donor not stored is in none).
func (s *Store) UpcomingDrivesFor(ctx context.Context, now time.Time, donorTelegramID int64, offset, limit int) ([]DriveListing, error) {
	return s.upcomingDrives(ctx, upcomingDrivesOfDonor, now, donorTelegramID, offset, limit)
}

var (
	upcomingDrivesOfUnits = upcomingDrivesQuery(`SELECT unnest($2::bigint[])`)
	upcomingDrivesOfDonor = upcomingDrivesQuery(`SELECT m.unit_id FROM unit_members m
		JOIN donors dn ON dn.id = m.donor_id WHERE dn.telegram_id = $2`)
)

// upcomingDrivesQuery lists the drives of UpcomingDrives whose audience,
// if any, is among the units audience selects.
func upcomingDrivesQuery(audience string) string {
	return `SELECT ` + driveColumns + `,
		coalesce(sum(c.confirmed), 0) AS confirmed, coalesce(sum(c.waitlisted), 0) AS waitlisted,
		coalesce(sum(greatest(sl.capacity - coalesce(c.confirmed, 0), 0)) FILTER (WHERE sl.starts_at > $1), 0) AS seats_left
		FROM drives d
		JOIN drive_slots sl ON sl.drive_id = d.id
		LEFT JOIN LATERAL ` + liveBySlot("d.id") + ` c ON c.slot_id = sl.id
		WHERE d.status = 'published' AND d.ends_at > $1
		  AND (d.audience_unit_id IS NULL OR d.audience_unit_id IN (` + audience + `))
		GROUP BY d.id
		ORDER BY d.starts_at, d.id
		OFFSET $3 LIMIT $4`
}

func (s *Store) upcomingDrives(ctx context.Context, q string, now time.Time, audience any, offset, limit int) ([]DriveListing, error) {
	rows := []struct {
		driveRow
		Confirmed  int `db:"confirmed"`
		Waitlisted int `db:"waitlisted"`
		SeatsLeft  int `db:"seats_left"`
	}{}
	if err := s.read(ctx).SelectContext(ctx, &rows, q, now, audience, offset, limit); err != nil {
		return nil, fmt.Errorf("storage: upcoming drives: %w", err)
	}
	out := make([]DriveListing, len(rows))
	for i, r := range rows {
		out[i] = DriveListing{Drive: r.drive(), Confirmed: r.Confirmed, Waitlisted: r.Waitlisted, SeatsLeft: r.SeatsLeft}
	}
	return out, nil
}

// DriveSlots lists the drive's slots in time order with their confirmed and
// waitlisted counts (drive.Slot.SeatsLeft gives the seats left).
func (s *Store) DriveSlots(ctx context.Context, driveID int64) ([]drive.Slot, error) {
	rows := []slotRow{}
	if err := s.read(ctx).SelectContext(ctx, &rows, driveSlotsQuery, driveID); err != nil {
		return nil, fmt.Errorf("storage: slots of drive %d: %w", driveID, err)
	}
	slots := make([]drive.Slot, len(rows))
	for i, r := range rows {
		slots[i] = r.slot()
	}
	return slots, nil
}

// Registrant is a donor with a live registration, to be told about a change
// of the drive.
type Registrant struct {
	RegistrationID int64           `db:"registration_id"`
	SlotID         int64           `db:"slot_id"`
	Status         drive.RegStatus `db:"status"`
	TelegramID     int64           `db:"telegram_id"`
	ChatID         int64           `db:"chat_id"`
	Language       string          `db:"language"`
	Unreachable    bool            `db:"unreachable"` // the donor blocked the bot
}

// DriveRegistrants lists the donors with a confirmed or waitlisted
// registration for the drive, by slot and waitlist order.
func (s *Store) DriveRegistrants(ctx context.Context, driveID int64) ([]Registrant, error) {
	const q = `SELECT r.id AS registration_id, r.slot_id, r.status, dn.telegram_id, dn.chat_id,
		dn.language, dn.unreachable_at IS NOT NULL AS unreachable
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE r.drive_id = $1 AND r.status IN ('confirmed', 'waitlisted')
		ORDER BY r.slot_id, r.status, r.queued_at, r.id`
	out := []Registrant{}
	if err := s.read(ctx).SelectContext(ctx, &out, q, driveID); err != nil {
		return nil, fmt.Errorf("storage: registrants of drive %d: %w", driveID, err)
	}
	return out, nil
}
