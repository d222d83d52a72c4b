package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"

	"github.com/lib/pq"
)

// lib/pq sends every statement with arguments as an unnamed Parse, Bind and
// Execute, so PostgreSQL parses, analyses and plans it anew each time: on
// the webhook journey that was more of PostgreSQL's CPU than executing the
// statements. The cache keeps each connection's statements prepared and
// lets PostgreSQL's plan cache reuse their plans. A statement is prepared
// only the second time its text is seen anywhere in the pool, so a one-off
// (a search with its own filters, a migration) keeps its single round trip
// instead of paying a separate Parse.

// stmtsPerConn bounds the statements kept on one connection; past it, new
// texts run unprepared. Nothing is ever evicted, since closing a statement
// is a round trip of its own and the bot's statement texts are a fixed set.
const stmtsPerConn = 256

// seenLimit bounds the texts remembered as seen once; when full it starts
// over, which only delays preparing a text by one more use.
const seenLimit = 4096

// pqConn is what lib/pq's connection implements and database/sql uses.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.NamedValueChecker
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type stmtCacheConnector struct {
	driver.Connector
	seen *seenTexts
}

func withStmtCache(c driver.Connector) driver.Connector {
	return stmtCacheConnector{Connector: c, seen: &seenTexts{texts: map[string]struct{}{}}}
}

func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		return conn, nil
	}
	return &cachingConn{pqConn: pc, seen: c.seen, stmts: map[string]preparedStmt{}}, nil
}

// cachingConn is used by one goroutine at a time (database/sql holds the
// connection's lock around every call), so its map needs no lock.
type cachingConn struct {
	pqConn
	seen  *seenTexts
	stmts map[string]preparedStmt
	inTx  bool
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.pqConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return txEnd{Tx: tx, conn: c}, nil
}

// txEnd notes the end of the connection's transaction.
type txEnd struct {
	driver.Tx
	conn *cachingConn
}

func (t txEnd) Commit() error   { t.conn.inTx = false; return t.Tx.Commit() }
func (t txEnd) Rollback() error { t.conn.inTx = false; return t.Tx.Rollback() }

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st, err := c.prepared(ctx, query, len(args))
	if err != nil || st == nil {
		if err != nil {
			return nil, err
		}
		return c.pqConn.QueryContext(ctx, query, args)
	}
	rows, err := st.QueryContext(ctx, args)
	if c.forgetIfStale(query, err) && !c.inTx {
		return c.pqConn.QueryContext(ctx, query, args)
	}
	return rows, err
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st, err := c.prepared(ctx, query, len(args))
	if err != nil || st == nil {
		if err != nil {
			return nil, err
		}
		return c.pqConn.ExecContext(ctx, query, args)
	}
	res, err := st.ExecContext(ctx, args)
	if c.forgetIfStale(query, err) && !c.inTx {
		return c.pqConn.ExecContext(ctx, query, args)
	}
	return res, err
}

// prepared returns the connection's statement for query, preparing it when
// the text has been seen before; nil means run it unprepared. A statement
// without arguments stays on the simple protocol, which may carry several
// commands (migrations) and is one round trip already.
func (c *cachingConn) prepared(ctx context.Context, query string, nargs int) (preparedStmt, error) {
	if nargs == 0 {
		return nil, nil
	}
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	if len(c.stmts) >= stmtsPerConn || !c.seen.again(query) {
		return nil, nil
	}
	// A Parse that fails fails as the unnamed one would (and aborts the
	// transaction the same way), so its error is the statement's error.
	st, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ps, ok := st.(preparedStmt)
	if !ok {
		_ = st.Close() // a COPY statement, which lib/pq prepares its own way
		return nil, nil
	}
	c.stmts[query] = ps
	return ps, nil
}

// forgetIfStale drops a statement PostgreSQL refuses to run again, after a
// table it reads changed shape ("cached plan must not change result type")
// or the server lost it, and reports it; the next use prepares it anew.
// Outside a transaction the statement is then run unprepared at once; in
// one, the refusal has aborted the transaction, so the caller sees it.
func (c *cachingConn) forgetIfStale(query string, err error) bool {
	var pqErr *pq.Error
	if err == nil || !errors.As(err, &pqErr) || (pqErr.Code != "0A000" && pqErr.Code != "26000") {
		return false
	}
	delete(c.stmts, query)
	return true
}

// seenTexts remembers statement texts used once across the pool.
type seenTexts struct {
	mu    sync.Mutex
	texts map[string]struct{}
}

// again reports whether text was seen before, and remembers it.
func (s *seenTexts) again(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.texts[text]; ok {
		return true
	}
	if len(s.texts) >= seenLimit {
		clear(s.texts)
	}
	s.texts[text] = struct{}{}
	return false
}
