package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"donorbot/regsearch"
)

// MaxSearchPer bounds a page of registrations.
const MaxSearchPer = 100

// RegistrationSearch is a search of one drive's registrations: by name or
// phone (Query), status (one of regsearch.Statuses, "" for all) and slot
// (0 for all), one page (from 1) of Per rows.
type RegistrationSearch struct {
	Query  regsearch.Query
	Status string
	SlotID int64
	Page   int
	Per    int
}

// RegistrationHit is one registration found, with its status as organizers
// see it (regsearch.Statuses).
type RegistrationHit struct {
	ID         int64          `db:"id"`
	SlotID     int64          `db:"slot_id"`
	SlotStart  time.Time      `db:"slot_start"`
	SlotEnd    time.Time      `db:"slot_end"`
	Status     string         `db:"view_status"`
	FullName   sql.NullString `db:"full_name"`
	Phone      sql.NullString `db:"phone"`
	BloodGroup sql.NullString `db:"blood_group"`
}

// viewStatus derives the statuses organizers see from the stored status and
// the arrival stamp: a confirmed or waitlisted donor who was checked in has
// arrived, one with a donation recorded (attended) has donated.
const viewStatus = `CASE r.status WHEN 'attended' THEN 'donated'
	WHEN 'confirmed' THEN CASE WHEN r.checked_in_at IS NULL THEN 'registered' ELSE 'arrived' END
	WHEN 'waitlisted' THEN CASE WHEN r.checked_in_at IS NULL THEN 'waitlisted' ELSE 'arrived' END
	ELSE r.status END`

// searchFrom and searchWhere select the registrations of drive $1 matching
// a regsearch.Query: $2 a whole phone, $3 runs of digits inside the phone,
// $4 words each starting a word of the folded name (regsearch.FoldName,
// kept in donors.search_name). Words and digit runs hold only letters and
// digits (regsearch.Parse), so they need no LIKE escaping. No index serves
// the name: the drive's registrations are read by registrations_drive_idx
// and filtered, which measures well below the 100 ms at 100,000
// registrations of one drive (BENCHMARKS.md); a trigram index would only
// pay for drives far larger than any.
const searchFrom = ` FROM registrations r JOIN donors dn ON dn.id = r.donor_id JOIN drive_slots sl ON sl.id = r.slot_id `

const searchWhere = ` WHERE r.drive_id = $1
	AND ($2 = '' OR dn.phone = $2)
	AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) AS d(run) WHERE coalesce(dn.phone, '') NOT LIKE '%' || d.run || '%')
	AND NOT EXISTS (SELECT 1 FROM unnest($4::text[]) AS w(word) WHERE ' ' || dn.search_name NOT LIKE '% ' || w.word || '%') `

func searchArgs(driveID int64, q regsearch.Query) []any {
	return []any{driveID, q.Phone, pq.Array(nonNil(q.Digits)), pq.Array(nonNil(q.Words))}
}

// nonNil: a nil slice is sent as NULL, and unnest(NULL) is no rows, which
// would do; an empty array says what is meant.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SearchRegistrations returns one page of the drive's registrations that
// match, in a stable order (slot, name, registration), and how many match
// in all.
func (s *Store) SearchRegistrations(ctx context.Context, driveID int64, in RegistrationSearch) ([]RegistrationHit, int, error) {
	if in.Per < 1 || in.Per > MaxSearchPer || in.Page < 1 {
		return nil, 0, fmt.Errorf("storage: search registrations: page %d of %d rows", in.Page, in.Per)
	}
	if in.Status != "" && !regsearch.ValidStatus(in.Status) {
		return nil, 0, fmt.Errorf("storage: search registrations: status %q", in.Status)
	}
	filter := searchWhere + ` AND ($5 = '' OR ` + viewStatus + ` = $5) AND ($6::bigint = 0 OR r.slot_id = $6)`
	args := append(searchArgs(driveID, in.Query), in.Status, in.SlotID)
	var total int
	if err := s.q(ctx).GetContext(ctx, &total, `SELECT count(*)`+searchFrom+filter, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count registrations of drive %d: %w", driveID, err)
	}
	page := `SELECT r.id, r.slot_id, sl.starts_at AS slot_start, sl.ends_at AS slot_end, ` + viewStatus + ` AS view_status,
		dn.full_name, dn.phone, dn.blood_group` + searchFrom + filter + `
		ORDER BY sl.starts_at, dn.search_name, r.id LIMIT $7 OFFSET $8`
	hits := []RegistrationHit{}
	args = append(args, in.Per, (in.Page-1)*in.Per)
	if err := s.q(ctx).SelectContext(ctx, &hits, page, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: search registrations of drive %d: %w", driveID, err)
	}
	return hits, total, nil
}

// SearchArrivals finds the check-in desk's donors by the same search:
// cancelled registrations aside, limit at most, live ones first.
func (s *Store) SearchArrivals(ctx context.Context, driveID int64, q regsearch.Query, limit int) ([]Arrival, error) {
	find := `SELECT ` + arrivalColumns + searchFrom + searchWhere + ` AND r.status <> 'cancelled'
		ORDER BY r.status NOT IN ('confirmed', 'waitlisted'), dn.search_name, r.id LIMIT $5`
	out := []Arrival{}
	if err := s.q(ctx).SelectContext(ctx, &out, find, append(searchArgs(driveID, q), limit)...); err != nil {
		return nil, fmt.Errorf("storage: find arrivals in drive %d: %w", driveID, err)
	}
	return out, nil
}
