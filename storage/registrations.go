package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"donorbot/drive"
)

var (
	// ErrAlreadyRegistered is a second live registration of a donor for one
	// drive. It wraps ErrDuplicate.
	ErrAlreadyRegistered = fmt.Errorf("%w: donor already registered for this drive", ErrDuplicate)
	// ErrDriveNotOpen is a registration or move into a slot of a drive that
	// is not published, or a slot that has started.
	ErrDriveNotOpen = errors.New("storage: drive is not open for registration")
	// ErrNotLive is a change of a registration that is neither confirmed nor
	// waitlisted (cancelled, attended...).
	ErrNotLive = errors.New("storage: registration is not live")
	// ErrSlotFull refuses a move into a slot without a free seat: a move
	// never trades a seat for a place on a waitlist.
	ErrSlotFull = errors.New("storage: slot is full")
	// ErrOtherDrive is a move into a slot of another drive.
	ErrOtherDrive = errors.New("storage: slot belongs to another drive")

	// errMoved: the registration changed slot between reading it and locking
	// its slot; the transaction starts over.
	errMoved = errors.New("storage: registration moved meanwhile")
)

// Promotion is a waitlisted registration confirmed because a seat freed, with
// what the caller needs to tell the donor.
type Promotion struct {
	Registration drive.Registration
	TelegramID   int64
	ChatID       int64
	Language     string
}

// regColumns reads a registration r with its waitlist position, 1 for the
// next to be confirmed. The position counts the rows queued before r, so it
// is right in a RETURNING clause too, which sees the table as it was.
const regColumns = `r.id, r.donor_id, r.drive_id, r.slot_id, r.status, r.allowed_volume_ml,
	r.created_at, r.updated_at,
	CASE WHEN r.status = 'waitlisted' THEN 1 + (SELECT count(*) FROM registrations w
		WHERE w.slot_id = r.slot_id AND w.status = 'waitlisted' AND w.id <> r.id
		AND (w.queued_at, w.id) < (r.queued_at, r.id)) ELSE 0 END AS position`

// regRow mirrors regColumns.
type regRow struct {
	ID              int64         `db:"id"`
	DonorID         int64         `db:"donor_id"`
	DriveID         int64         `db:"drive_id"`
	SlotID          int64         `db:"slot_id"`
	Status          string        `db:"status"`
	AllowedVolumeML sql.NullInt64 `db:"allowed_volume_ml"`
	CreatedAt       time.Time     `db:"created_at"`
	UpdatedAt       time.Time     `db:"updated_at"`
	Position        int           `db:"position"`
}

func (r regRow) registration() drive.Registration {
	return drive.Registration{ID: r.ID, DonorID: r.DonorID, DriveID: r.DriveID, SlotID: r.SlotID,
		Status: drive.RegStatus(r.Status), WaitlistPosition: r.Position,
		AllowedVolumeML: int(r.AllowedVolumeML.Int64), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// Register gives the donor a seat in the slot, or a place on its waitlist
// when its seats are taken. A donor with a live registration for the drive
// gets ErrAlreadyRegistered; a slot of a drive that is not published, or that
// has started by now, ErrDriveNotOpen; a slot or donor that does not exist,
// ErrNotFound.
func (s *Store) Register(ctx context.Context, donorTelegramID, slotID int64, now time.Time) (drive.Registration, error) {
	reg, _, err := s.register(ctx, donorTelegramID, slotID, now, false)
	return reg, err
}

// RegisterCrediting is Register that also credits the registration to the
// donor's latest recall sent by now that offered its drive, for /stats and
// /metrics; recalled reports whether there was one.
func (s *Store) RegisterCrediting(ctx context.Context, donorTelegramID, slotID int64, now time.Time) (reg drive.Registration, recalled bool, err error) {
	return s.register(ctx, donorTelegramID, slotID, now, true)
}

func (s *Store) register(ctx context.Context, donorTelegramID, slotID int64, now time.Time, credit bool) (drive.Registration, bool, error) {
	// One round trip locks the slot and inserts after the lock (see
	// migration 00034): the insert sees every registration committed by
	// earlier holders of the lock and the drive's current status (a drive
	// being cancelled holds the lock too, see setDriveStatus). The recall
	// is found in it too.
	const q = `SELECT * FROM register_in_slot($1, $2, $3, $4)`
	wrap := func(err error) error {
		return fmt.Errorf("storage: register donor %d in slot %d: %w", donorTelegramID, slotID, err)
	}
	// A live registration is no conflict error but no row: nothing fails
	// that the caller handles, so no savepoint is needed. A new
	// registration has no screening answers: the unit keeps the sender's
	// EligibilityRecord.
	db, err := s.writeSparingRecord(ctx)
	if err != nil {
		return drive.Registration{}, false, wrap(err)
	}
	var r struct {
		ID              sql.NullInt64  `db:"id"`
		DonorID         sql.NullInt64  `db:"donor_id"`
		DriveID         sql.NullInt64  `db:"drive_id"`
		SlotID          sql.NullInt64  `db:"slot_id"`
		Status          sql.NullString `db:"status"`
		AllowedVolumeML sql.NullInt64  `db:"allowed_volume_ml"`
		CreatedAt       sql.NullTime   `db:"created_at"`
		UpdatedAt       sql.NullTime   `db:"updated_at"`
		Position        sql.NullInt64  `db:"position"`
		Recalled        sql.NullBool   `db:"recalled"`
		DonorKnown      sql.NullBool   `db:"donor_known"`
		SlotOpen        sql.NullBool   `db:"slot_open"`
	}
	if err := db.GetContext(ctx, &r, q, donorTelegramID, slotID, now, credit); err != nil {
		return drive.Registration{}, false, wrap(mapErr(err))
	}
	switch {
	case !r.SlotOpen.Valid:
		return drive.Registration{}, false, wrap(fmt.Errorf("slot %d: %w", slotID, ErrNotFound))
	case !r.DonorKnown.Bool:
		return drive.Registration{}, false, wrap(fmt.Errorf("donor %d: %w", donorTelegramID, ErrNotFound))
	case !r.SlotOpen.Bool:
		return drive.Registration{}, false, wrap(ErrDriveNotOpen)
	case !r.ID.Valid:
		return drive.Registration{}, false, wrap(ErrAlreadyRegistered)
	}
	reg := regRow{ID: r.ID.Int64, DonorID: r.DonorID.Int64, DriveID: r.DriveID.Int64, SlotID: r.SlotID.Int64,
		Status: r.Status.String, AllowedVolumeML: r.AllowedVolumeML, CreatedAt: r.CreatedAt.Time,
		UpdatedAt: r.UpdatedAt.Time, Position: int(r.Position.Int64)}
	return reg.registration(), r.Recalled.Bool, nil
}

// donorID is the row id of the donor, the unit of work's sender's as
// DonorWithRecord read it.
func (s *Store) donorID(ctx context.Context, telegramID int64) (int64, error) {
	if w := workFrom(ctx); w != nil && w.db == s.db && w.sender != nil && w.sender.telegramID == telegramID {
		return w.sender.id, nil
	}
	var id int64
	if err := s.read(ctx).GetContext(ctx, &id, `SELECT id FROM donors WHERE telegram_id = $1`, telegramID); err != nil {
		return 0, fmt.Errorf("donor %d: %w", telegramID, mapErr(err))
	}
	return id, nil
}

// lockedReg is a registration locked for a change, with its slot locked first.
type lockedReg struct {
	ID, DriveID, SlotID int64
	Status              drive.RegStatus
}

// lockRegistration locks the registration's slot, then the registration, in
// the order every writer uses (slots by id, then registrations), so that a
// cancel and the promotion of the same waitlisted donor, or two donors
// swapping slots, cannot deadlock. A non-zero alsoSlotID is locked with the
// registration's slot, in id order, and returned. With ownerTelegramID != 0
// a registration of another donor is ErrNotFound.
func lockRegistration(ctx context.Context, tx *dbTx, id, ownerTelegramID, alsoSlotID int64) (lockedReg, drive.Slot, error) {
	const lock = `SELECT id, drive_id, slot_id, status FROM registrations WHERE id = $1 FOR UPDATE`
	slotID, also, err := lockRegistrationSlot(ctx, tx, id, ownerTelegramID, alsoSlotID)
	if err != nil {
		return lockedReg{}, drive.Slot{}, err
	}
	var r lockedReg
	if err := tx.QueryRowxContext(ctx, lock, id).Scan(&r.ID, &r.DriveID, &r.SlotID, &r.Status); err != nil {
		return lockedReg{}, drive.Slot{}, fmt.Errorf("registration %d: %w", id, mapErr(err))
	}
	if r.SlotID != slotID {
		return lockedReg{}, drive.Slot{}, errMoved
	}
	return r, also, nil
}

// lockRegistrationSlot is the first half of lockRegistration: it locks the
// registration's slot (and alsoSlotID's) and returns its id. The caller
// then locks the registration and checks it is still in that slot.
func lockRegistrationSlot(ctx context.Context, tx *dbTx, id, ownerTelegramID, alsoSlotID int64) (int64, drive.Slot, error) {
	// One round trip finds the registration's slot and locks it with
	// alsoSlotID's: the rows are sorted before they are locked. The slot
	// is found on the statement's snapshot, taken before any lock wait, so
	// a registration moved meanwhile is caught by the caller (errMoved).
	const find = `WITH reg AS (
			SELECT r.slot_id FROM registrations r JOIN donors dn ON dn.id = r.donor_id
			WHERE r.id = $1 AND ($2::bigint = 0 OR dn.telegram_id = $2))
		SELECT sl.id, sl.drive_id, sl.starts_at, sl.ends_at, sl.capacity, 0 AS confirmed, 0 AS waitlisted,
			sl.id = (SELECT slot_id FROM reg) AS of_registration
		FROM drive_slots sl
		WHERE (sl.id = (SELECT slot_id FROM reg) OR sl.id = $3) AND EXISTS (SELECT 1 FROM reg)
		ORDER BY sl.id FOR UPDATE OF sl`
	var rows []struct {
		slotRow
		OfRegistration bool `db:"of_registration"`
	}
	if err := tx.SelectContext(ctx, &rows, find, id, ownerTelegramID, alsoSlotID); err != nil {
		return 0, drive.Slot{}, fmt.Errorf("registration %d: %w", id, err)
	}
	var slotID int64
	var also drive.Slot
	for _, row := range rows {
		if row.OfRegistration {
			slotID = row.ID
		}
		if row.ID == alsoSlotID {
			also = row.slot()
		}
	}
	if slotID == 0 {
		return 0, drive.Slot{}, fmt.Errorf("registration %d: %w", id, ErrNotFound)
	}
	if alsoSlotID != 0 && also.ID == 0 {
		return 0, drive.Slot{}, fmt.Errorf("slot %d: %w", alsoSlotID, ErrNotFound)
	}
	return slotID, also, nil
}

// inTx runs f in a transaction and commits, starting over (twice at most)
// when a registration moved under it.
func (s *Store) inTx(ctx context.Context, f func(tx *dbTx) error) error {
	return s.inTxFrom(ctx, func() (*dbTx, error) { return s.begin(ctx, nil) }, f)
}

// inFlatTx is inTx for an f that may run without a savepoint (beginFlat):
// its handled failures (not found, moved, not live) all come before its
// first write.
func (s *Store) inFlatTx(ctx context.Context, f func(tx *dbTx) error) error {
	return s.inTxFrom(ctx, func() (*dbTx, error) { return s.beginFlat(ctx) }, f)
}

func (s *Store) inTxFrom(ctx context.Context, begin func() (*dbTx, error), f func(tx *dbTx) error) error {
	for attempt := 1; ; attempt++ {
		tx, err := begin()
		if err != nil {
			return err
		}
		err = f(tx)
		if err == nil {
			err = tx.Commit()
		}
		tx.Rollback() // no-op after Commit
		if !errors.Is(err, errMoved) || attempt == 3 {
			return err
		}
	}
}

// promote confirms the first waitlisted registration of the slot (the one
// queued earliest) if the slot has a free seat, has not started by now and
// its drive is published. It returns nil when nobody was promoted.
func promote(ctx context.Context, tx *dbTx, slotID int64, now time.Time) (*Promotion, error) {
	const q = `UPDATE registrations r SET status = 'confirmed', updated_at = now()
		FROM donors dn
		WHERE dn.id = r.donor_id AND r.id = (
			SELECT w.id FROM registrations w
			JOIN drive_slots sl ON sl.id = w.slot_id JOIN drives d ON d.id = sl.drive_id
			WHERE w.slot_id = $1 AND w.status = 'waitlisted'
			  AND d.status = 'published' AND sl.starts_at > $2
			  AND (SELECT count(*) FROM registrations c
			       WHERE c.slot_id = $1 AND c.status = 'confirmed') < sl.capacity
			ORDER BY w.queued_at, w.id LIMIT 1)
		RETURNING ` + regColumns + `, dn.telegram_id, dn.chat_id, dn.language`
	var r struct {
		regRow
		TelegramID int64  `db:"telegram_id"`
		ChatID     int64  `db:"chat_id"`
		Language   string `db:"language"`
	}
	if err := tx.GetContext(ctx, &r, q, slotID, now); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("promote in slot %d: %w", slotID, err)
	}
	return &Promotion{Registration: r.registration(), TelegramID: r.TelegramID, ChatID: r.ChatID, Language: r.Language}, nil
}

// setRegStatus changes a locked registration's status and,
// when that frees a confirmed seat, promotes the first of the waitlist.
func setRegStatus(ctx context.Context, tx *dbTx, r lockedReg, to drive.RegStatus, now time.Time) (*Promotion, error) {
	const q = `UPDATE registrations SET status = $2, updated_at = now() WHERE id = $1`
	if _, err := tx.ExecContext(ctx, q, r.ID, string(to)); err != nil {
		return nil, err
	}
	if r.Status == drive.RegConfirmed && to != drive.RegConfirmed {
		return promote(ctx, tx, r.SlotID, now)
	}
	return nil, nil
}

// Cancel cancels the donor's registration. When it held a seat, the first
// donor on the slot's waitlist is confirmed in the same transaction and
// returned, for the caller to tell them; otherwise the promotion is nil. A
// registration of another donor is ErrNotFound, one that is not live
// ErrNotLive.
func (s *Store) Cancel(ctx context.Context, donorTelegramID, registrationID int64, now time.Time) (*Promotion, error) {
	var promoted *Promotion
	err := s.inFlatTx(ctx, func(tx *dbTx) error {
		done, err := cancelRegistration(ctx, tx, registrationID, donorTelegramID, now)
		if err != nil {
			return err
		}
		promoted, err = done.promotion(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: donor %d cancel registration %d: %w", donorTelegramID, registrationID, err)
	}
	return promoted, nil
}

// Move moves the donor's live registration to another slot of the same drive
// that has a free seat; the registration is confirmed there, and a seat it
// held in the old slot goes to the first of that slot's waitlist (returned,
// or nil). A full slot is ErrSlotFull, a slot of another drive ErrOtherDrive,
// a closed drive or a slot started by now ErrDriveNotOpen. Reminders already
// sent are forgotten, so the new slot gets its own.
func (s *Store) Move(ctx context.Context, donorTelegramID, registrationID, newSlotID int64, now time.Time) (drive.Registration, *Promotion, error) {
	const target = `SELECT d.status = 'published' AND sl.starts_at > $2 AS open,
		(SELECT count(*) FROM registrations c WHERE c.slot_id = sl.id AND c.status = 'confirmed') < sl.capacity AS free
		FROM drive_slots sl JOIN drives d ON d.id = sl.drive_id WHERE sl.id = $1`
	const move = `UPDATE registrations r SET slot_id = $2, status = 'confirmed',
		queued_at = clock_timestamp(), updated_at = now() WHERE r.id = $1 RETURNING ` + regColumns
	const forget = `DELETE FROM reminders_sent WHERE registration_id = $1`
	const get = `SELECT ` + regColumns + ` FROM registrations r WHERE r.id = $1`
	var moved regRow
	var promoted *Promotion
	err := s.inFlatTx(ctx, func(tx *dbTx) error {
		promoted = nil
		r, sl, err := lockRegistration(ctx, tx, registrationID, donorTelegramID, newSlotID)
		if err != nil {
			return err
		}
		switch {
		case !r.Status.Live():
			return fmt.Errorf("%w: %s", ErrNotLive, r.Status)
		case r.SlotID == newSlotID:
			return tx.GetContext(ctx, &moved, get, r.ID)
		case sl.DriveID != r.DriveID:
			return fmt.Errorf("%w: slot %d is in drive %d", ErrOtherDrive, newSlotID, sl.DriveID)
		}
		var open, free bool
		if err := tx.QueryRowxContext(ctx, target, newSlotID, now).Scan(&open, &free); err != nil {
			return err
		}
		if !open {
			return ErrDriveNotOpen
		}
		if !free {
			return ErrSlotFull
		}
		if err := tx.GetContext(ctx, &moved, move, r.ID, newSlotID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, forget, r.ID); err != nil {
			return err
		}
		if r.Status == drive.RegConfirmed {
			promoted, err = promote(ctx, tx, r.SlotID, now)
		}
		return err
	})
	if err != nil {
		return drive.Registration{}, nil, fmt.Errorf("storage: donor %d move registration %d to slot %d: %w",
			donorTelegramID, registrationID, newSlotID, err)
	}
	return moved.registration(), promoted, nil
}

// MyRegistration is a registration with its drive and slot (without counts).
type MyRegistration struct {
	Registration drive.Registration
	Drive        drive.Drive
	Slot         drive.Slot
}

// myRegColumns reads a drive d, a slot sl and a registration r.
const myRegColumns = driveColumns + `, sl.id AS slot_id, sl.starts_at AS slot_starts_at,
	sl.ends_at AS slot_ends_at, sl.capacity AS slot_capacity,
	r.id AS reg_id, r.donor_id AS reg_donor_id, r.status AS reg_status,
	r.allowed_volume_ml AS reg_allowed_volume_ml, r.created_at AS reg_created_at,
	r.updated_at AS reg_updated_at,
	CASE WHEN r.status = 'waitlisted' THEN 1 + (SELECT count(*) FROM registrations w
		WHERE w.slot_id = r.slot_id AND w.status = 'waitlisted'
		AND (w.queued_at, w.id) < (r.queued_at, r.id)) ELSE 0 END AS reg_position`

type myRegRow struct {
	driveRow
	SlotID          int64         `db:"slot_id"`
	SlotStartsAt    time.Time     `db:"slot_starts_at"`
	SlotEndsAt      time.Time     `db:"slot_ends_at"`
	SlotCapacity    int           `db:"slot_capacity"`
	RegID           int64         `db:"reg_id"`
	RegDonorID      int64         `db:"reg_donor_id"`
	RegStatus       string        `db:"reg_status"`
	RegAllowedVolML sql.NullInt64 `db:"reg_allowed_volume_ml"`
	RegCreatedAt    time.Time     `db:"reg_created_at"`
	RegUpdatedAt    time.Time     `db:"reg_updated_at"`
	RegPosition     int           `db:"reg_position"`
}

func (r myRegRow) myRegistration() MyRegistration {
	return MyRegistration{
		Registration: regRow{ID: r.RegID, DonorID: r.RegDonorID, DriveID: r.driveRow.ID, SlotID: r.SlotID,
			Status: r.RegStatus, AllowedVolumeML: r.RegAllowedVolML, CreatedAt: r.RegCreatedAt,
			UpdatedAt: r.RegUpdatedAt, Position: r.RegPosition}.registration(),
		Drive: r.drive(),
		Slot: drive.Slot{ID: r.SlotID, DriveID: r.driveRow.ID, Start: r.SlotStartsAt, End: r.SlotEndsAt,
			Capacity: r.SlotCapacity},
	}
}

// MyRegistrations lists the donor's registrations, cancelled ones aside:
// upcoming (as of now) first, soonest first, then those of the 90 days
// before now, latest first; 50 at most.
func (s *Store) MyRegistrations(ctx context.Context, donorTelegramID int64, now time.Time) ([]MyRegistration, error) {
	const q = `SELECT ` + myRegColumns + `
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		JOIN drive_slots sl ON sl.id = r.slot_id JOIN drives d ON d.id = r.drive_id
		WHERE dn.telegram_id = $1 AND r.status <> 'cancelled' AND sl.ends_at > $2::timestamptz - interval '90 days'
		ORDER BY sl.ends_at <= $2,
			CASE WHEN sl.ends_at > $2 THEN sl.starts_at END,
			sl.starts_at DESC
		LIMIT 50`
	rows := []myRegRow{}
	if err := s.read(ctx).SelectContext(ctx, &rows, q, donorTelegramID, now); err != nil {
		return nil, fmt.Errorf("storage: registrations of donor %d: %w", donorTelegramID, err)
	}
	out := make([]MyRegistration, len(rows))
	for i, r := range rows {
		out[i] = r.myRegistration()
	}
	return out, nil
}

// Registration returns one of the donor's registrations, in any status; a
// registration of another donor is ErrNotFound.
func (s *Store) Registration(ctx context.Context, donorTelegramID, registrationID int64) (MyRegistration, error) {
	const q = `SELECT ` + myRegColumns + `
		FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		JOIN drive_slots sl ON sl.id = r.slot_id JOIN drives d ON d.id = r.drive_id
		WHERE r.id = $1 AND dn.telegram_id = $2`
	var r myRegRow
	if err := s.read(ctx).GetContext(ctx, &r, q, registrationID, donorTelegramID); err != nil {
		return MyRegistration{}, fmt.Errorf("storage: registration %d of donor %d: %w",
			registrationID, donorTelegramID, mapErr(err))
	}
	return r.myRegistration(), nil
}

// SetScreening stores the outcome of the pre-donation questionnaire for a
// live registration: the answers (health data: never log them), the largest
// bag allowed (250, 350 or 450 ml; 0 for unknown), and status, which is
// drive.RegDeferred when screening defers the donor, or the registration's
// live status (either live status: an eligible donor keeps their place,
// screening promotes nobody from the waitlist). A deferral frees a confirmed
// seat, which goes to the first of the waitlist (returned, or nil). The
// caller checks the registration is the donor's (Registration).
func (s *Store) SetScreening(ctx context.Context, registrationID int64, answers json.RawMessage,
	allowedVolumeML int, status drive.RegStatus, now time.Time) (*Promotion, error) {
	promoted, _, err := s.setScreening(ctx, registrationID, answers, allowedVolumeML, status, now, false)
	return promoted, err
}

// SetScreeningConfirmed is SetScreening for a donor who keeps a confirmed
// seat (status drive.RegConfirmed), who is then sent a calendar file: it
// also returns that file's SEQUENCE, recorded as sent in the same
// statement (see NextCalendarSequence).
func (s *Store) SetScreeningConfirmed(ctx context.Context, registrationID int64, answers json.RawMessage,
	allowedVolumeML int, now time.Time) (calendarSequence int, err error) {
	_, seq, err := s.setScreening(ctx, registrationID, answers, allowedVolumeML, drive.RegConfirmed, now, true)
	return seq, err
}

func (s *Store) setScreening(ctx context.Context, registrationID int64, answers json.RawMessage,
	allowedVolumeML int, status drive.RegStatus, now time.Time, calendar bool) (*Promotion, int, error) {
	const q = `UPDATE registrations SET screening_answers = $2, allowed_volume_ml = $3, updated_at = now(),
			calendar_sequence = CASE WHEN $4 THEN coalesce(calendar_sequence + 1, 0) ELSE calendar_sequence END
		WHERE id = $1 RETURNING coalesce(calendar_sequence, 0)`
	wrap := func(err error) error {
		return fmt.Errorf("storage: screening of registration %d: %w", registrationID, err)
	}
	if status != drive.RegDeferred && !status.Live() {
		return nil, 0, wrap(fmt.Errorf("status %q is not a screening outcome", status))
	}
	var raw any // NULL unless answers are given
	if len(answers) > 0 {
		if !json.Valid(answers) {
			return nil, 0, wrap(errors.New("answers are not JSON"))
		}
		raw = string(answers)
	}
	volume := sql.NullInt64{Int64: int64(allowedVolumeML), Valid: allowedVolumeML != 0}
	if status != drive.RegDeferred {
		seq, err := s.screenLive(ctx, registrationID, raw, volume, calendar)
		if err != nil {
			return nil, 0, wrap(err)
		}
		return nil, seq, nil
	}
	var promoted *Promotion
	var seq int
	err := s.inFlatTx(ctx, func(tx *dbTx) error {
		r, _, err := lockRegistration(ctx, tx, registrationID, 0, 0)
		if err != nil {
			return err
		}
		if !r.Status.Live() {
			return fmt.Errorf("%w: %s", ErrNotLive, r.Status)
		}
		if err := tx.GetContext(ctx, &seq, q, r.ID, raw, volume, calendar); err != nil {
			return err
		}
		promoted, err = setRegStatus(ctx, tx, r, drive.RegDeferred, now)
		return err
	})
	if err != nil {
		return nil, 0, wrap(err)
	}
	return promoted, seq, nil
}

// screenLive stores the screening of a registration that keeps its place.
// It changes no seat count, so it needs no slot lock: the update locks the
// registration alone, and rechecks that it is live on the newest version
// once any writer before it committed. A round trip, where locking the
// slot then the registration took three.
func (s *Store) screenLive(ctx context.Context, registrationID int64, answers any, volume sql.NullInt64, calendar bool) (int, error) {
	const q = `UPDATE registrations SET screening_answers = $2, allowed_volume_ml = $3, updated_at = now(),
			calendar_sequence = CASE WHEN $4 THEN coalesce(calendar_sequence + 1, 0) ELSE calendar_sequence END
		WHERE id = $1 AND status IN ('confirmed', 'waitlisted') RETURNING coalesce(calendar_sequence, 0)`
	var seq int
	err := s.q(ctx).GetContext(ctx, &seq, q, registrationID, answers, volume, calendar)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, s.whyNotLive(ctx, registrationID)
	}
	return seq, err
}

// whyNotLive is why a change of a live registration changed nothing: it
// is not found, or not live.
func (s *Store) whyNotLive(ctx context.Context, registrationID int64) error {
	const q = `SELECT status FROM registrations WHERE id = $1`
	var status drive.RegStatus
	if err := s.q(ctx).GetContext(ctx, &status, q, registrationID); err != nil {
		return fmt.Errorf("registration %d: %w", registrationID, mapErr(err))
	}
	return fmt.Errorf("%w: %s", ErrNotLive, status)
}

// MarkAttendance records what happened on the day for a registration of the
// drive: drive.RegAttended (who then gets a thank-you), RegNoShow or
// RegDeferred. A cancelled registration, or one of another drive, is
// ErrNotFound: the organizer's list was stale.
func (s *Store) MarkAttendance(ctx context.Context, driveID, registrationID int64, status drive.RegStatus) error {
	const q = `UPDATE registrations SET status = $3, updated_at = now()
		WHERE id = $2 AND drive_id = $1 AND status <> 'cancelled'`
	wrap := func(err error) error {
		return fmt.Errorf("storage: mark registration %d of drive %d %s: %w", registrationID, driveID, status, err)
	}
	if status != drive.RegAttended && status != drive.RegNoShow && status != drive.RegDeferred {
		return wrap(errors.New("not an attendance status"))
	}
	res, err := s.q(ctx).ExecContext(ctx, q, driveID, registrationID, string(status))
	if err != nil {
		return wrap(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap(err)
	} else if n == 0 {
		return wrap(ErrNotFound)
	}
	return nil
}

// ScreeningAnswers returns the screening answers stored with one of the
// donor's registrations; nil when none were stored. A registration of
// another donor is ErrNotFound.
func (s *Store) ScreeningAnswers(ctx context.Context, donorTelegramID, registrationID int64) (json.RawMessage, error) {
	const q = `SELECT r.screening_answers FROM registrations r JOIN donors dn ON dn.id = r.donor_id
		WHERE r.id = $1 AND dn.telegram_id = $2`
	var raw []byte
	if err := s.q(ctx).GetContext(ctx, &raw, q, registrationID, donorTelegramID); err != nil {
		return nil, fmt.Errorf("storage: screening answers of registration %d: %w", registrationID, mapErr(err))
	}
	return raw, nil
}
