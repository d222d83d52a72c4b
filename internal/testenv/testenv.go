// Package testenv gives tests real PostgreSQL and Redis, isolated per package
// and per test.
//
// The servers come from the environment: DONORBOT_TEST_DATABASE_URL (an admin
// URL, allowed to CREATE DATABASE) and DONORBOT_TEST_REDIS_URL. `make test`
// starts local servers and sets both (see scripts/services.sh). When they are
// missing, tests fail instead of being skipped: a silently skipped suite hides
// defects.
//
// A package that uses DB or DatabaseURL needs
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// so that its database is dropped when its tests end.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"donorbot/migrations"
	"donorbot/storage"
)

// Environment variables read by this package.
const (
	EnvDatabaseURL = "DONORBOT_TEST_DATABASE_URL"
	EnvRedisURL    = "DONORBOT_TEST_REDIS_URL"
)

// dbPrefix starts the name of every database this package creates:
// donorbot_t_<pkg>_<pid>_<random>.
const dbPrefix = "donorbot_t_"

var (
	mainRunning atomic.Bool

	fresh struct {
		mu   sync.Mutex // guards runs, seen, and each database's name and db
		runs []*freshDatabase
		seen map[string]seenTest
	}
)

// freshDatabase is the database of one run of the package's tests.
type freshDatabase struct {
	once sync.Once
	name string // set as soon as the database exists
	db   *sqlx.DB
	url  string
	err  error
}

// seenTest is the run in which a test last asked for the database, and the
// T it asked with.
type seenTest struct {
	run int
	t   testing.TB
}

// Main runs the package's tests (call from TestMain) and drops the databases
// this package created.
func Main(m *testing.M) {
	mainRunning.Store(true)
	code := m.Run()
	if err := dropFresh(); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// DB returns a connection to a fresh database for this test package, created
// on first use from DONORBOT_TEST_DATABASE_URL (named like
// donorbot_t_<pkg>_<pid>_<random>) and migrated with migrations.Up. All tests
// of one run of the package share it; each package gets its own, and so does
// each run of `go test -count=N`: a run finds the database as the first did,
// not holding the donors, drives and updates the run before it wrote.
func DB(t testing.TB) *sqlx.DB {
	t.Helper()
	db, _ := freshDB(t)
	return db
}

// DatabaseURL returns the URL of the database DB returns, for instance to start
// a bot process against it.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	_, u := freshDB(t)
	return u
}

// RedisURL returns DONORBOT_TEST_REDIS_URL.
func RedisURL(t testing.TB) string {
	t.Helper()
	return requireEnv(t, EnvRedisURL)
}

// Redis returns a client on DONORBOT_TEST_REDIS_URL and a key namespace unique
// to this test, like "t:<pkg>:<test name>:<random>:". Prefix every key with
// it; the test's cleanup deletes every key that starts with it.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	raw := RedisURL(t)
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("testenv: %s=%q: %v", EnvRedisURL, raw, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		t.Fatalf("testenv: cannot reach Redis at %s (%s): %v; without %s and %s set, `make test` starts local servers",
			raw, EnvRedisURL, err, EnvDatabaseURL, EnvRedisURL)
	}
	ns := "t:" + pkgName() + ":" + keySafe(t.Name()) + ":" + randomHex() + ":"
	t.Cleanup(func() {
		// A client of its own: the test may have closed c.
		cc := redis.NewClient(opt)
		defer cc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := deleteNamespace(ctx, cc, ns); err != nil {
			t.Errorf("testenv: deleting Redis keys %s*: %v", ns, err)
		}
		_ = c.Close()
	})
	return c, ns
}

// deleteNamespace deletes every key starting with ns, which holds no glob
// metacharacters (see keySafe).
func deleteNamespace(ctx context.Context, c *redis.Client, ns string) error {
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, ns+"*", 1000).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

func requireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("testenv: %s is not set. Run the tests with `make test`: it starts PostgreSQL and Redis "+
			"under .dev/test and sets %s and %s (or start them yourself: "+
			"eval \"$(scripts/services.sh --fast start DIR)\")", name, EnvDatabaseURL, EnvRedisURL)
	}
	return v
}

func freshDB(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	admin := requireEnv(t, EnvDatabaseURL)
	if !mainRunning.Load() {
		t.Fatalf("testenv: this package uses testenv.DB without testenv.Main, so its database would never be dropped; add\n" +
			"\tfunc TestMain(m *testing.M) { testenv.Main(m) }")
	}
	f := currentRun(t)
	f.once.Do(func() {
		db, u, err := createFresh(admin, f)
		fresh.mu.Lock()
		f.db, f.url, f.err = db, u, err
		fresh.mu.Unlock()
	})
	if f.err != nil {
		t.Fatalf("testenv: test database: %v", f.err)
	}
	return f.db, f.url
}

// currentRun returns the database of the run t belongs to. testing has no
// hook between the runs of -count, but a run is over when a test asks again
// under a name already seen in this run with another T: the next run has
// begun. (Within a run, testing names every test and subtest once.)
func currentRun(t testing.TB) *freshDatabase {
	fresh.mu.Lock()
	defer fresh.mu.Unlock()
	if fresh.seen == nil {
		fresh.seen = map[string]seenTest{}
	}
	run := len(fresh.runs) - 1
	if s, ok := fresh.seen[t.Name()]; run < 0 || ok && s.run == run && s.t != t {
		fresh.runs = append(fresh.runs, &freshDatabase{})
		run++
	}
	fresh.seen[t.Name()] = seenTest{run: run, t: t}
	return fresh.runs[run]
}

func createFresh(admin string, f *freshDatabase) (*sqlx.DB, string, error) {
	u, err := parseURL(admin)
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	adm, err := sqlx.Open("postgres", admin)
	if err != nil {
		return nil, "", err
	}
	defer adm.Close()
	if err := adm.PingContext(ctx); err != nil {
		return nil, "", fmt.Errorf("cannot reach PostgreSQL at %s (%s): %w; without %s and %s set, `make test` starts local servers",
			u.Redacted(), EnvDatabaseURL, err, EnvDatabaseURL, EnvRedisURL)
	}
	DropOrphanDatabases(ctx, adm, u, dbPrefix)

	name := fmt.Sprintf("%s%s_%d_%s", dbPrefix, pkgName(), os.Getpid(), randomHex())
	if err := createDatabase(ctx, adm, name); err != nil {
		return nil, "", err
	}
	fresh.mu.Lock()
	f.name = name
	fresh.mu.Unlock()

	du := *u
	du.Path = "/" + name
	dbURL := du.String()
	db, err := storage.OpenDB(dbURL)
	if err != nil {
		return nil, "", err
	}
	if err := migrations.Up(ctx, db.DB); err != nil {
		_ = db.Close()
		return nil, "", fmt.Errorf("migrating %s: %w", name, err)
	}
	return db, dbURL, nil
}

func parseURL(admin string) (*url.URL, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("%s must be a postgres:// URL, got %q", EnvDatabaseURL, admin)
	}
	return u, nil
}

func createDatabase(ctx context.Context, adm *sqlx.DB, name string) error {
	var err error
	for range 5 {
		_, err = adm.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
		// 55006 object_in_use: someone is connected to template1; try again.
		if pe, ok := errors.AsType[*pq.Error](err); !ok || pe.Code != "55006" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("CREATE DATABASE %s: %w", name, err)
	}
	return nil
}

// dropFresh closes and drops the databases this package created, if any.
func dropFresh() error {
	fresh.mu.Lock()
	defer fresh.mu.Unlock()
	var errs []error
	for _, f := range fresh.runs {
		if f.name == "" {
			continue
		}
		if f.db != nil {
			_ = f.db.Close()
			f.db = nil
		}
		if err := dropDatabase(f.name); err != nil {
			errs = append(errs, err)
			continue
		}
		f.name = ""
	}
	return errors.Join(errs...)
}

func dropDatabase(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm, err := sqlx.Open("postgres", os.Getenv(EnvDatabaseURL))
	if err != nil {
		return err
	}
	defer adm.Close()
	// FORCE ends connections still open, e.g. those of a bot process a test started.
	if _, err := adm.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("dropping test database %s: %w", name, err)
	}
	return nil
}

// DropOrphanDatabases drops the databases named prefix…_<pid>_<suffix>
// whose process of this machine is gone: a test process or load run that
// died before its cleanup (a timeout, a ^C, SIGKILL, a closed pipe) leaves
// its database behind. Only for a server on loopback, where the pid in the
// name is meaningful; a database with open connections is left alone (no
// FORCE). Best effort: a failure leaves the leftovers.
func DropOrphanDatabases(ctx context.Context, adm *sqlx.DB, u *url.URL, prefix string) {
	if !isLoopback(u.Hostname()) {
		return
	}
	var names []string
	if err := adm.SelectContext(ctx, &names,
		`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, prefix); err != nil {
		return
	}
	for _, name := range names {
		parts := strings.Split(name, "_")
		if len(parts) < 3 {
			continue
		}
		pid, err := strconv.Atoi(parts[len(parts)-2])
		if err != nil || pid <= 1 || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		_, _ = adm.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name))
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func isLoopback(host string) bool {
	if host == "localhost" || host == "" || strings.HasPrefix(host, "/") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pkgName names the package under test: go test runs a package's tests in its
// directory.
func pkgName() string {
	wd, err := os.Getwd()
	if err != nil {
		return "pkg"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(filepath.Base(wd)) {
		if b.Len() == 20 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "pkg"
	}
	return b.String()
}

// keySafe keeps letters, digits and _ . / - and turns the rest into _, so a
// key namespace has neither ':' nor glob metacharacters.
func keySafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '_', r == '.', r == '/', r == '-':
			return r
		}
		return '_'
	}, s)
}

func randomHex() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
