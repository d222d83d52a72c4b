// Package storage keeps every persistent record in PostgreSQL and the
// short-lived state (conversations, rate limits) in Redis.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"donorbot/migrations"
)

var (
	// ErrNotFound is returned when a requested record does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrDuplicate is returned when a unique constraint rejects a write.
	ErrDuplicate = errors.New("storage: duplicate")
)

// Store is the PostgreSQL side of storage. Methods take a context first and
// return domain types.
//
// One clock: a method that applies a time rule (open, upcoming, due,
// expired, within a window) takes the time from the caller's injected clock,
// so tests can move it. SQL now() only stamps records nobody decides on
// (created_at, updated_at, answered_at, finished_at…), and the delivery
// queue's and the update inbox's leases and retry times, which processes
// share through the database's clock rather than the bot's.
type Store struct {
	db *sqlx.DB
}

// DefaultConns is the pool's size unless the caller says otherwise
// (DATABASE_CONNS): measured on 2 cores running PostgreSQL too, 16 served
// the load journey 5-15% faster than 40 or 24, and than 8 (BENCHMARKS.md);
// fewer backends each run more statements with their caches warm.
const DefaultConns = 16

// Open connects to PostgreSQL with a pool of DefaultConns connections and
// checks the connection.
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenConns(ctx, url, DefaultConns)
}

// OpenConns is Open with a pool of conns connections. Update workers,
// broadcast workers and the schedulers share them: a worker holds one only
// for a statement, or for a write turn's transaction, so there may be
// fewer connections than workers.
func OpenConns(ctx context.Context, url string, conns int) (*Store, error) {
	db, err := OpenDB(url)
	if err != nil {
		return nil, err
	}
	// Idle ones are kept so none is reopened per query.
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: ping postgres: %w", err)
	}
	return &Store{db: db}, nil
}

// OpenDB opens a pool the way Open does, for tests and tools that need the
// same driver settings. One round trip per statement instead of two: lib/pq
// otherwise prepares (Parse, Describe, Sync), waits, then binds and
// executes. Byte slices are then sent in binary format, so JSON goes in as
// a string.
func OpenDB(url string) (*sqlx.DB, error) {
	cfg, err := pq.NewConfig(url)
	if err != nil {
		return nil, fmt.Errorf("storage: open postgres: %w", err)
	}
	cfg.BinaryParameters = true
	connector, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: open postgres: %w", err)
	}
	return sqlx.NewDb(sql.OpenDB(withStmtCache(connector)), "postgres"), nil
}

// New wraps an existing connection pool.
func New(db *sqlx.DB) *Store { return &Store{db: db} }

// DB exposes the pool for tests that verify records with their own SQL.
func (s *Store) DB() *sqlx.DB { return s.db }

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

// Ping reports whether PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("storage: ping postgres: %w", err)
	}
	return nil
}

// Migrate applies pending migrations.
func (s *Store) Migrate(ctx context.Context) error {
	return migrations.Up(ctx, s.db.DB)
}

// CheckSchema refuses a database whose schema is older or newer than the
// migrations this binary carries: serving it would fail in odd places later.
func (s *Store) CheckSchema(ctx context.Context) error {
	p, err := migrations.Provider(s.db.DB)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("storage: schema version: %w", err)
	}
	if current != target {
		return fmt.Errorf("storage: schema version %d, this binary needs %d: run `donorbot migrate up`", current, target)
	}
	return nil
}

// mapErr turns driver errors into the package's sentinel errors.
func mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrDuplicate, pqErr.Constraint)
	}
	return err
}
