// Package regseed fills a drive with many registrations of donors with
// Vietnamese names, phones and every status, in a few statements
// (generate_series), for the search and console benchmarks.
package regseed

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"donorbot/regsearch"
)

var (
	families = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middles  = []string{"Văn", "Thị", "Minh", "Ngọc", "Đức", "Thanh", "Quang", "Hữu"}
	givens   = []string{"Lan", "Hùng", "Dũng", "Hoa", "Mai", "Anh", "Tuấn", "Hương", "Linh", "Nam", "Hà", "Trang", "Long",
		"Phương", "Thảo", "Đạt", "Khoa", "Yến", "Bình", "Quân", "Tâm", "Hải", "Sơn", "Vy", "Nhung", "Giang", "Hiếu",
		"Thủy", "Cường", "Oanh", "Lộc"}
)

// Phone is the phone of the donor seeded with Telegram id id: +8491 and
// the id's last seven digits.
func Phone(id int64) string { return fmt.Sprintf("+8491%07d", id%10_000_000) }

// Seed stores n donors (Telegram ids firstID…firstID+n-1) and registers
// them in the drive's slots in turn. Names combine 16 family, 8 middle and
// 31 given names (about n/4,000 are "Nguyễn Thị Lan"), folded for search by
// regsearch.FoldName as SetDonorName does. Statuses: of ten, six
// registered, one waitlisted, one checked in and donated, one cancelled,
// one no-show; one in twenty of the registered has arrived.
func Seed(ctx context.Context, db *sqlx.DB, driveID int64, slotIDs []int64, firstID int64, n int) error {
	fold := func(names []string) []string {
		out := make([]string, len(names))
		for i, s := range names {
			out[i] = regsearch.FoldName(s)
		}
		return out
	}
	const donors = `INSERT INTO donors (telegram_id, chat_id, consent_version, consent_at, full_name, search_name,
			phone, sex, birth_date, weight_kg, blood_group, onboarded_at)
		SELECT $1::bigint + i - 1, $1::bigint + i - 1, 'v1', now(),
			($3::text[])[1 + i % 16] || ' ' || ($4::text[])[1 + (i / 16) % 8] || ' ' || ($5::text[])[1 + i % 31],
			($6::text[])[1 + i % 16] || ' ' || ($7::text[])[1 + (i / 16) % 8] || ' ' || ($8::text[])[1 + i % 31],
			'+8491' || lpad((($1::bigint + i - 1) % 10000000)::text, 7, '0'), CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END,
			date '1990-01-01' + (i % 9000), 60, (ARRAY['O+','A+','B+','AB+','O-','unknown'])[1 + i % 6], now()
		FROM generate_series(1, $2::int) i`
	if _, err := db.ExecContext(ctx, donors, firstID, n, pq.Array(families), pq.Array(middles), pq.Array(givens),
		pq.Array(fold(families)), pq.Array(fold(middles)), pq.Array(fold(givens))); err != nil {
		return fmt.Errorf("regseed: donors: %w", err)
	}
	const registrations = `INSERT INTO registrations (donor_id, drive_id, slot_id, status, checked_in_at, allowed_volume_ml)
		SELECT dn.id, $1, ($2::bigint[])[1 + (dn.telegram_id - $3) % cardinality($2::bigint[])],
			(ARRAY['confirmed','confirmed','confirmed','confirmed','confirmed','confirmed','waitlisted','attended',
				'cancelled','no_show'])[1 + (dn.telegram_id - $3) % 10],
			CASE WHEN (dn.telegram_id - $3) % 10 = 7 OR (dn.telegram_id - $3) % 20 = 1 THEN now() END, 350
		FROM donors dn WHERE dn.telegram_id BETWEEN $3 AND $3 + $4 - 1`
	if _, err := db.ExecContext(ctx, registrations, driveID, pq.Array(slotIDs), firstID, n); err != nil {
		return fmt.Errorf("regseed: registrations: %w", err)
	}
	// As autovacuum would leave them after a while: statistics, and the
	// trigram indexes' pending lists merged (a GIN index takes bulk inserts
	// into an unsorted list that every search reads until a VACUUM).
	for _, table := range []string{"donors", "registrations"} {
		if _, err := db.ExecContext(ctx, `VACUUM ANALYZE `+table); err != nil {
			return fmt.Errorf("regseed: vacuum %s: %w", table, err)
		}
	}
	return nil
}
