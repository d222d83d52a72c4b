package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"donorbot/regsearch"
)

// registrationSearch (00024) stores each donor's name folded for search
// (regsearch.FoldName: no accents, lower case), so that "nguyen thi lan"
// finds "Nguyễn Thị Lan" by a plain comparison. It is a Go migration
// because the backfill must fold exactly as the Go code that maintains the
// column on every write of a name (storage.SetDonorName) and folds the
// query: a SQL imitation of the fold would drift from it. Trigram indexes
// (pg_trgm, shipped with PostgreSQL and trusted: a database owner may
// create it) serve the search's LIKE '% word%' on the name and
// LIKE '%digits%' on the phone.
var registrationSearch = goose.NewGoMigration(24,
	&goose.GoFunc{RunTx: registrationSearchUp},
	&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		// pg_trgm stays: dropping an extension is not this migration's to do.
		_, err := tx.ExecContext(ctx, `DROP INDEX donors_phone_trgm, donors_phone_idx; ALTER TABLE donors DROP COLUMN search_name`)
		return err
	}})

func registrationSearchUp(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `ALTER TABLE donors ADD COLUMN search_name text NOT NULL DEFAULT ''`); err != nil {
		return fmt.Errorf("00024: add search_name: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, full_name FROM donors WHERE full_name IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("00024: read names: %w", err)
	}
	var ids []int64
	var folded []string
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return fmt.Errorf("00024: read names: %w", err)
		}
		ids = append(ids, id)
		folded = append(folded, regsearch.FoldName(name))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("00024: read names: %w", err)
	}
	rows.Close()
	// One statement for every donor: a row-by-row update would take minutes
	// on a large table inside the migration's transaction.
	const backfill = `UPDATE donors d SET search_name = f.name
		FROM unnest($1::bigint[], $2::text[]) AS f(id, name) WHERE d.id = f.id`
	if _, err := tx.ExecContext(ctx, backfill, pq.Array(ids), pq.Array(folded)); err != nil {
		return fmt.Errorf("00024: backfill search_name: %w", err)
	}
	// After the backfill: one index build, not 100,000 index updates. The
	// name's expression is the one storage's search compares. A whole phone
	// is found by the btree: every +84 number shares most of its trigrams.
	const indexes = `CREATE EXTENSION IF NOT EXISTS pg_trgm;
		CREATE INDEX donors_search_name_trgm ON donors USING gin ((' ' || search_name) gin_trgm_ops);
		CREATE INDEX donors_phone_trgm ON donors USING gin (phone gin_trgm_ops);
		CREATE INDEX donors_phone_idx ON donors (phone)`
	if _, err := tx.ExecContext(ctx, indexes); err != nil {
		return fmt.Errorf("00024: trigram indexes: %w", err)
	}
	return nil
}
