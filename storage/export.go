package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/history"
	"donorbot/screening"
)

// ExportRow is one registration as it appears in a registration list.
type ExportRow struct {
	SlotStart       time.Time      `db:"slot_start"`
	FullName        sql.NullString `db:"full_name"`
	Phone           sql.NullString `db:"phone"`
	BirthDate       sql.NullTime   `db:"birth_date"`
	Sex             sql.NullString `db:"sex"`
	BloodGroup      sql.NullString `db:"blood_group"`
	Units           string         `db:"units"`
	Status          string         `db:"status"`
	Screened        bool           `db:"screened"`
	Flagged         pq.StringArray `db:"flagged"` // ids of the questions answered Yes, in the questionnaire's order
	AllowedVolumeML sql.NullInt64  `db:"allowed_volume_ml"`
	// Donations and LastDonation are the donor's history as every screen
	// counts it (history.Merge): records and donations reported at
	// screenings. LastMonthOnly says only LastDonation's month is known.
	Donations     int          `db:"-"`
	LastDonation  sql.NullTime `db:"-"`
	LastMonthOnly bool         `db:"-"`
	// What the history is merged from.
	DonationDates pq.StringArray `db:"donation_dates"`
	Reported      []byte         `db:"reported"`
}

// ExportRegistrations streams the registrations of a drive (of one slot when
// slotID is not 0), cancelled ones aside, ordered by slot and name, to each,
// one row at a time: a list of 100,000 rows is never held in memory. It
// returns how many rows it passed; an error from each stops it.
func (s *Store) ExportRegistrations(ctx context.Context, driveID, slotID int64, each func(ExportRow) error) (int, error) {
	// Flagged answers are the questions answered Yes in the stored
	// questionnaire (a JSON array of screening.Answer).
	const q = `SELECT sl.starts_at AS slot_start, dn.full_name, dn.phone, dn.birth_date, dn.sex,
			dn.blood_group,
			coalesce((SELECT string_agg(u.name, '; ' ORDER BY u.name) FROM unit_members m
				JOIN units u ON u.id = m.unit_id WHERE m.donor_id = dn.id), '') AS units,
			r.status, r.screening_answers IS NOT NULL AS screened,
			coalesce(CASE WHEN jsonb_typeof(r.screening_answers) = 'array' THEN
				(SELECT array_agg(a.value->>'Question' ORDER BY a.ordinality)
				 FROM jsonb_array_elements(r.screening_answers) WITH ORDINALITY a
				 WHERE a.value->>'Yes' = 'true') END, '{}') AS flagged,
			r.allowed_volume_ml, h.donation_dates, q.reported
		FROM registrations r
		JOIN drive_slots sl ON sl.id = r.slot_id
		JOIN donors dn ON dn.id = r.donor_id
		CROSS JOIN LATERAL (SELECT coalesce(array_agg(n.donated_on::text), '{}') AS donation_dates
			FROM donations n WHERE n.donor_id = dn.id) h
		CROSS JOIN LATERAL (SELECT coalesce(jsonb_agg(a.value), '[]') AS reported
			FROM registrations r2 CROSS JOIN LATERAL jsonb_array_elements(
				CASE WHEN jsonb_typeof(r2.screening_answers) = 'array' THEN r2.screening_answers ELSE '[]'::jsonb END) a
			WHERE r2.donor_id = dn.id AND a.value->>'Question' = $3) q
		WHERE r.drive_id = $1 AND ($2::bigint = 0 OR r.slot_id = $2) AND r.status <> 'cancelled'
		ORDER BY sl.starts_at, dn.full_name, r.id`
	wrap := func(err error) error { return fmt.Errorf("storage: export drive %d: %w", driveID, err) }
	// The planner's cost estimate for 100,000 rows switches JIT on, which
	// spends more time compiling (~0.6 s) than it saves, and the default
	// work_mem sorts on disk: both are set for this read-only transaction.
	tx, err := s.begin(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`); err != nil {
		return 0, wrap(err)
	}
	rows, err := tx.QueryxContext(ctx, q, driveID, slotID, string(screening.QDonatedBefore))
	if err != nil {
		return 0, wrap(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var r ExportRow
		if err := rows.StructScan(&r); err != nil {
			return n, wrap(err)
		}
		if r.BirthDate.Valid {
			r.BirthDate.Time = calendarDate(r.BirthDate.Time)
		}
		if err := r.mergeHistory(); err != nil {
			return n, wrap(err)
		}
		if err := each(r); err != nil {
			return n, wrap(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, wrap(err)
	}
	return n, nil
}

// mergeHistory fills the row's count and last donation from its records
// and reported donations.
func (r *ExportRow) mergeHistory() error {
	records := make([]history.Entry, 0, len(r.DonationDates))
	for _, d := range r.DonationDates {
		on, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return fmt.Errorf("donation date %q: %w", d, err)
		}
		records = append(records, history.Entry{On: on})
	}
	var answers []screening.Answer
	if err := json.Unmarshal(r.Reported, &answers); err != nil {
		return fmt.Errorf("reported donations: %w", err)
	}
	merged := history.Merge(records, answers)
	r.Donations = len(merged)
	if last, ok := history.Last(merged); ok {
		r.LastDonation = sql.NullTime{Time: last.On, Valid: true}
		r.LastMonthOnly = last.MonthOnly
	}
	return nil
}

// ExportAudit is one registration list that left the bot.
type ExportAudit struct {
	TelegramID int64     `db:"telegram_id"`
	DriveCode  string    `db:"drive_code"`
	SlotID     int64     `db:"slot_id"`
	Rows       int       `db:"row_count"`
	At         time.Time `db:"created_at"`
}

// AuditExport records that telegramID exported rows registrations of the
// drive (of one slot when slotID is not 0) at the injected clock's time.
func (s *Store) AuditExport(ctx context.Context, telegramID, driveID int64, driveCode string, slotID int64, rows int, at time.Time) error {
	const q = `INSERT INTO export_audit (telegram_id, drive_id, drive_code, slot_id, row_count, created_at)
		VALUES ($1, $2, $3, nullif($4, 0), $5, $6)`
	if _, err := s.q(ctx).ExecContext(ctx, q, telegramID, driveID, driveCode, slotID, rows, at); err != nil {
		return fmt.Errorf("storage: audit export of drive %d by %d: %w", driveID, telegramID, err)
	}
	return nil
}

// ExportAudits lists the latest exports, newest first.
func (s *Store) ExportAudits(ctx context.Context, limit int) ([]ExportAudit, error) {
	const q = `SELECT telegram_id, drive_code, coalesce(slot_id, 0) AS slot_id, row_count, created_at
		FROM export_audit ORDER BY created_at DESC, id DESC LIMIT $1`
	out := []ExportAudit{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, limit); err != nil {
		return nil, fmt.Errorf("storage: export audit: %w", err)
	}
	return out, nil
}
