package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// statusConds select each status of viewStatus on the stored columns, so
// that the status index (registrations_drive_idx) can serve them.
var statusConds = map[string]string{
	"registered": `r.status = 'confirmed' AND r.checked_in_at IS NULL`,
	"waitlisted": `r.status = 'waitlisted' AND r.checked_in_at IS NULL`,
	"arrived":    `r.status IN ('confirmed', 'waitlisted') AND r.checked_in_at IS NOT NULL`,
	"donated":    `r.status = 'attended'`,
	"deferred":   `r.status = 'deferred'`,
	"no_show":    `r.status = 'no_show'`,
	"cancelled":  `r.status = 'cancelled'`,
}

// sqlWhere collects the conditions of a query and their arguments; "?" in
// a condition is its argument's placeholder.
type sqlWhere struct {
	conds []string
	args  []any
}

func (w *sqlWhere) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *sqlWhere) String() string { return " WHERE " + strings.Join(w.conds, " AND ") }

// searchWhere selects the registrations of a drive matching a
// regsearch.Query: the whole phone, runs of digits inside it, words each
// starting a word of the folded name (regsearch.FoldName, kept in
// donors.search_name). Words and runs hold only letters and digits
// (regsearch.Parse), so they need no LIKE escaping. The indexes of
// migration 00024 serve them (trigrams for the LIKEs, a btree for the whole
// phone): a name in a drive of 100,000 is found from the few donors it
// matches ("Bitmap Index Scan on donors_search_name_trgm", BENCHMARKS.md)
// rather than by reading the drive.
func searchWhere(driveID int64, q regsearch.Query) *sqlWhere {
	w := &sqlWhere{}
	w.add(`r.drive_id = ?`, driveID)
	if q.Phone != "" {
		w.add(`dn.phone = ?`, q.Phone)
	}
	for _, run := range q.Digits {
		w.add(`dn.phone LIKE ?`, "%"+run+"%")
	}
	for _, word := range q.Words {
		// The same expression as the index's.
		w.add(`(' ' || dn.search_name) LIKE ?`, "% "+word+"%")
	}
	return w
}

const searchFrom = ` FROM registrations r JOIN donors dn ON dn.id = r.donor_id JOIN drive_slots sl ON sl.id = r.slot_id `

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
	w := searchWhere(driveID, in.Query)
	if in.Status != "" {
		w.add(statusConds[in.Status])
	}
	if in.SlotID != 0 {
		w.add(`r.slot_id = ?`, in.SlotID)
	}
	// The count reads the donors only when the query is about them: a join
	// is never dropped by PostgreSQL, and on a large drive it is most of
	// the cost.
	from := ` FROM registrations r`
	if !in.Query.Empty() {
		from += ` JOIN donors dn ON dn.id = r.donor_id`
	}
	var total int
	if err := s.q(ctx).GetContext(ctx, &total, `SELECT count(*)`+from+w.String(), w.args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count registrations of drive %d: %w", driveID, err)
	}
	args := append(w.args, in.Per, (in.Page-1)*in.Per)
	page := `SELECT r.id, r.slot_id, sl.starts_at AS slot_start, sl.ends_at AS slot_end, ` + viewStatus + ` AS view_status,
		dn.full_name, dn.phone, dn.blood_group` + searchFrom + w.String() + `
		ORDER BY sl.starts_at, dn.search_name, r.id LIMIT $` + strconv.Itoa(len(args)-1) + ` OFFSET $` + strconv.Itoa(len(args))
	hits := []RegistrationHit{}
	if err := s.q(ctx).SelectContext(ctx, &hits, page, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: search registrations of drive %d: %w", driveID, err)
	}
	return hits, total, nil
}

// SearchArrivals finds the check-in desk's donors by the same search:
// cancelled registrations aside, limit at most, live ones first.
func (s *Store) SearchArrivals(ctx context.Context, driveID int64, q regsearch.Query, limit int) ([]Arrival, error) {
	w := searchWhere(driveID, q)
	w.add(`r.status <> 'cancelled'`)
	args := append(w.args, limit)
	find := `SELECT ` + arrivalColumns + searchFrom + w.String() + `
		ORDER BY r.status NOT IN ('confirmed', 'waitlisted'), dn.search_name, r.id LIMIT $` + strconv.Itoa(len(args))
	out := []Arrival{}
	if err := s.q(ctx).SelectContext(ctx, &out, find, args...); err != nil {
		return nil, fmt.Errorf("storage: find arrivals in drive %d: %w", driveID, err)
	}
	return out, nil
}
