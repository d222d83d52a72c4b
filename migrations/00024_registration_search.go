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
// query: a SQL imitation of the fold would drift from it.
var registrationSearch = goose.NewGoMigration(24,
	&goose.GoFunc{RunTx: registrationSearchUp},
	&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `ALTER TABLE donors DROP COLUMN search_name`)
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
	return nil
}
