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

// ErrNoResult is a correction of a registration that has no result yet.
var ErrNoResult = errors.New("storage: the registration has no result to correct")

// ErrResultUnchanged is a correction to the result already recorded.
var ErrResultUnchanged = errors.New("storage: the corrected result equals the recorded one")

// Result is the outcome recorded for a registration at the desk: a
// donation (Donated, VolumeML, Kind) or an on-site deferral (Until, zero
// when unknown, and Reason: a preset code of drive.DeferralReasons, or the
// text typed).
type Result struct {
	Donated  bool      `json:"donated"`
	VolumeML int       `json:"volume_ml,omitempty"`
	Kind     string    `json:"kind,omitempty"`
	Until    time.Time `json:"until,omitzero"`
	Reason   string    `json:"-"` // free-text health data: never in the audit
}

// Correction is the input of CorrectResult: the new result of a
// registration, who corrects it and when, and the day the donation (if it
// is one) took place.
type Correction struct {
	RegistrationID int64
	New            Result
	On             time.Time // calendar date of a corrected donation
	By             int64
	At             time.Time
}

// CorrectResult replaces the recorded result of a registration in one
// transaction: the old donation or deferral row goes, the new one is
// written, the registration's status follows, and a result_corrections row
// keeps who changed what when. It returns the result replaced and whom to
// tell.
func (s *Store) CorrectResult(ctx context.Context, c Correction) (Result, RecordedResult, error) {
	const (
		donation = `INSERT INTO donations (donor_id, donated_on, kind, volume_ml, source, recorded_by, registration_id)
			SELECT donor_id, $2, $3, $4, 'drive', nullif($5::bigint, 0), id FROM registrations WHERE id = $1`
		deferral = `INSERT INTO deferrals (donor_id, code, until, source, note, reason_code, registration_id)
			SELECT donor_id, 'on_site', $2, 'on_site', $3, $4, id FROM registrations WHERE id = $1`
		status = `UPDATE registrations SET status = $2, updated_at = now() WHERE id = $1`
	)
	var old Result
	var out RecordedResult
	err := s.inTx(ctx, func(tx *dbTx) error {
		r, err := lockForResult(ctx, tx, c.RegistrationID)
		if err != nil {
			return err
		}
		if old, err = recordedResult(ctx, tx, c.RegistrationID, r.Status); err != nil {
			return err
		}
		if sameResult(old, c.New) {
			return ErrResultUnchanged
		}
		if _, err := tx.ExecContext(ctx, dropResult, c.RegistrationID); err != nil {
			return err
		}
		newStatus := drive.RegDeferred
		if c.New.Donated {
			newStatus = drive.RegAttended
			_, err = tx.ExecContext(ctx, donation, c.RegistrationID, c.On.Format(time.DateOnly), c.New.Kind,
				c.New.VolumeML, c.By)
		} else {
			var until sql.NullString
			if !c.New.Until.IsZero() {
				until = sql.NullString{String: c.New.Until.Format(time.DateOnly), Valid: true}
			}
			note, code := deferralReason(c.New.Reason)
			_, err = tx.ExecContext(ctx, deferral, c.RegistrationID, until, note, code)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, status, c.RegistrationID, string(newStatus)); err != nil {
			return err
		}
		oldJSON, err1 := json.Marshal(old)
		newJSON, err2 := json.Marshal(c.New)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, auditResult, c.RegistrationID, r.DriveID, c.By, c.At, string(oldJSON), string(newJSON)); err != nil {
			return err
		}
		return recipient(ctx, tx, r.TelegramID, &out)
	})
	if err != nil {
		return Result{}, RecordedResult{}, fmt.Errorf("storage: correct result of registration %d: %w", c.RegistrationID, err)
	}
	return old, out, nil
}

func sameResult(a, b Result) bool {
	if a.Donated != b.Donated {
		return false
	}
	if a.Donated {
		return a.VolumeML == b.VolumeML && a.Kind == b.Kind
	}
	return a.Until.Equal(b.Until) && a.Reason == b.Reason
}

const (
	dropResult = `WITH a AS (DELETE FROM donations WHERE registration_id = $1)
		DELETE FROM deferrals WHERE registration_id = $1`
	auditResult = `INSERT INTO result_corrections (registration_id, drive_id, changed_by, changed_at, old_result, new_result)
		VALUES ($1, $2, $3, $4, $5, $6)`
	// noResultJSON is the audit's new_result of an undone result.
	noResultJSON = `{"none":true}`
)

// recordedResult reads the result of a registration whose status is
// status: ErrNoResult unless it is attended or deferred.
func recordedResult(ctx context.Context, q querier, registrationID int64, status string) (Result, error) {
	const (
		donation = `SELECT volume_ml, kind FROM donations WHERE registration_id = $1`
		deferral = `SELECT until, coalesce(reason_code, note, '') FROM deferrals WHERE registration_id = $1`
	)
	var res Result
	switch drive.RegStatus(status) {
	case drive.RegAttended:
		var volume sql.NullInt64
		if err := q.QueryRowxContext(ctx, donation, registrationID).Scan(&volume, &res.Kind); err != nil {
			return res, fmt.Errorf("recorded donation: %w", err)
		}
		res.Donated, res.VolumeML = true, int(volume.Int64)
	case drive.RegDeferred:
		var until sql.NullTime
		if err := q.QueryRowxContext(ctx, deferral, registrationID).Scan(&until, &res.Reason); err != nil {
			return res, fmt.Errorf("recorded deferral: %w", err)
		}
		res.Until = until.Time
	default:
		return res, ErrNoResult
	}
	return res, nil
}

// RecordedResult is the result recorded for a registration, or ErrNoResult.
func (s *Store) RecordedResult(ctx context.Context, registrationID int64) (Result, error) {
	const status = `SELECT status FROM registrations WHERE id = $1`
	var st string
	if err := s.q(ctx).GetContext(ctx, &st, status, registrationID); err != nil {
		return Result{}, fmt.Errorf("storage: result of registration %d: %w", registrationID, mapErr(err))
	}
	res, err := recordedResult(ctx, s.q(ctx), registrationID, st)
	if err != nil {
		return Result{}, fmt.Errorf("storage: result of registration %d: %w", registrationID, err)
	}
	return res, nil
}

// Undo is the input of UndoResult: whose result goes, who undoes it, when.
type Undo struct {
	RegistrationID int64
	By             int64
	At             time.Time
}

// UndoResult removes the recorded result of a registration in one
// transaction, as if never recorded: the donation or deferral row goes, the
// registration is live and checked in again (confirmed: the donor came and
// was seen), and a result_corrections row keeps who undid what when. It
// returns the result removed and whom to tell; ErrNoResult without one.
func (s *Store) UndoResult(ctx context.Context, u Undo) (Result, RecordedResult, error) {
	const live = `UPDATE registrations SET status = 'confirmed', updated_at = now() WHERE id = $1`
	var old Result
	var out RecordedResult
	err := s.inTx(ctx, func(tx *dbTx) error {
		r, err := lockForResult(ctx, tx, u.RegistrationID)
		if err != nil {
			return err
		}
		if old, err = recordedResult(ctx, tx, u.RegistrationID, r.Status); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, dropResult, u.RegistrationID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, live, u.RegistrationID); err != nil {
			return err
		}
		oldJSON, err := json.Marshal(old)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, auditResult, u.RegistrationID, r.DriveID, u.By, u.At, string(oldJSON), noResultJSON); err != nil {
			return err
		}
		return recipient(ctx, tx, r.TelegramID, &out)
	})
	if err != nil {
		return Result{}, RecordedResult{}, fmt.Errorf("storage: undo result of registration %d: %w", u.RegistrationID, err)
	}
	return old, out, nil
}
