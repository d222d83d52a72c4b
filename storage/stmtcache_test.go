package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// onePool is a pool of one connection, so every statement of the test runs
// in the session pg_prepared_statements describes.
func onePool(t *testing.T) *sqlx.DB {
	t.Helper()
	testenv.DB(t) // creates and migrates the package's database
	db, err := storage.OpenDB(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	return db
}

func preparedCount(t *testing.T, db *sqlx.DB, text string) int {
	t.Helper()
	var n int
	// Without arguments, so the count itself is never prepared.
	if err := db.Get(&n, `SELECT count(*) FROM pg_prepared_statements WHERE statement = `+pq.QuoteLiteral(text)); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStatementsArePreparedOnSecondUse: a statement with arguments runs
// unprepared the first time its text is seen, is prepared once on the
// second, and the prepared one answers from then on, in and out of a
// transaction. Before the cache nothing was ever prepared, so PostgreSQL
// parsed and planned every statement of every turn.
func TestStatementsArePreparedOnSecondUse(t *testing.T) {
	db := onePool(t)
	ctx := context.Background()
	const q = `SELECT $1::int + 1 AS next /* stmtcache test */`
	var got int
	if err := db.GetContext(ctx, &got, q, 1); err != nil || got != 2 {
		t.Fatalf("first use: %d, %v", got, err)
	}
	if n := preparedCount(t, db, q); n != 0 {
		t.Fatalf("after one use %d prepared statements, want 0", n)
	}
	for i := 2; i <= 4; i++ {
		if err := db.GetContext(ctx, &got, q, i); err != nil || got != i+1 {
			t.Fatalf("use %d: %d, %v", i, got, err)
		}
	}
	if n := preparedCount(t, db, q); n != 1 {
		t.Fatalf("after four uses %d prepared statements, want 1", n)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.GetContext(ctx, &got, q, 41); err != nil || got != 42 {
		t.Fatalf("in a transaction: %d, %v", got, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := preparedCount(t, db, q); n != 1 {
		t.Fatalf("after the transaction %d prepared statements, want still 1", n)
	}
}

// TestPreparedStatementErrors: a statement that cannot be prepared fails
// with PostgreSQL's own error, every time; statements without arguments,
// several commands in one, still run; and a statement whose table changed
// shape is prepared anew: at once outside a transaction, after PostgreSQL
// refuses its old plan once inside one (the refusal aborts it).
func TestPreparedStatementErrors(t *testing.T) {
	db := onePool(t)
	ctx := context.Background()
	const bad = `SELECT no_such_column FROM donors WHERE id = $1`
	for i := range 3 {
		var pqErr *pq.Error
		if _, err := db.ExecContext(ctx, bad, 1); !errors.As(err, &pqErr) || pqErr.Code != "42703" {
			t.Fatalf("use %d of a bad statement: %v, want undefined_column", i+1, err)
		}
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE stmtcache_t (a int); INSERT INTO stmtcache_t VALUES (1)`); err != nil {
		t.Fatalf("two commands without arguments: %v", err)
	}
	const sel = `SELECT * FROM stmtcache_t WHERE a = $1`
	for range 3 {
		var a int
		if err := db.GetContext(ctx, &a, sel, 1); err != nil || a != 1 {
			t.Fatalf("select: %d, %v", a, err)
		}
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE stmtcache_t ADD COLUMN b int DEFAULT 7`); err != nil {
		t.Fatal(err)
	}
	var row struct{ A, B int }
	if err := db.GetContext(ctx, &row, sel, 1); err != nil || row.A != 1 || row.B != 7 {
		t.Fatalf("first select after the table changed: %+v, %v", row, err)
	}
	for range 2 { // prepared again
		if err := db.GetContext(ctx, &row, sel, 1); err != nil || row.B != 7 {
			t.Fatalf("select: %+v, %v", row, err)
		}
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE stmtcache_t ADD COLUMN c int`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pqErr *pq.Error
	if err := tx.GetContext(ctx, &row, sel, 1); !errors.As(err, &pqErr) || pqErr.Code != "0A000" {
		t.Fatalf("in a transaction after the table changed: %v, want PostgreSQL's refusal of the old plan", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var full struct {
		A, B int
		C    *int
	}
	if err := db.GetContext(ctx, &full, sel, 1); err != nil || full.A != 1 || full.B != 7 || full.C != nil {
		t.Fatalf("select after the transaction: %+v, %v", full, err)
	}
}
