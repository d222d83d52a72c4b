package testenv

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// fatalRecorder stands in for a testing.TB whose Fatalf stops the goroutine.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func fatalMessage(t *testing.T, call func(testing.TB)) string {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		call(rec)
	}()
	<-done
	return rec.msg
}

func TestMissingEnvFailsTellingToRunMakeTest(t *testing.T) {
	t.Setenv(EnvDatabaseURL, "")
	t.Setenv(EnvRedisURL, "")
	for name, call := range map[string]func(testing.TB){
		"DB":          func(tb testing.TB) { DB(tb) },
		"DatabaseURL": func(tb testing.TB) { DatabaseURL(tb) },
		"Redis":       func(tb testing.TB) { Redis(tb) },
		"RedisURL":    func(tb testing.TB) { RedisURL(tb) },
	} {
		msg := fatalMessage(t, call)
		if !strings.Contains(msg, "make test") || !strings.Contains(msg, "is not set") {
			t.Errorf("%s without env: message %q, want one telling to run `make test`", name, msg)
		}
	}
}

func TestReapStaleDropsDatabasesOfDeadProcesses(t *testing.T) {
	admin := os.Getenv(EnvDatabaseURL)
	if admin == "" {
		t.Fatalf("%s is not set; run `make test`", EnvDatabaseURL)
	}
	adm, err := sqlx.Connect("postgres", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = adm.Close() })
	ctx := context.Background()

	// pid 2147483647 is above any pid_max, so no such process runs.
	dead := dbPrefix + "reaptest_2147483647_" + randomHex()
	alive := fmt.Sprintf("%sreaptest_%d_%s", dbPrefix, os.Getppid(), randomHex())
	for _, name := range []string{dead, alive} {
		if _, err := adm.Exec("CREATE DATABASE " + pq.QuoteIdentifier(name)); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if _, err := adm.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(alive)); err != nil {
			t.Error(err)
		}
	})

	u, err := parseURL(admin)
	if err != nil {
		t.Fatal(err)
	}
	DropOrphanDatabases(ctx, adm, u, dbPrefix)

	exists := func(name string) bool {
		var n int
		if err := adm.Get(&n, "SELECT count(*) FROM pg_database WHERE datname = $1", name); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if exists(dead) {
		t.Errorf("%s (dead pid) survived", dead)
	}
	if !exists(alive) {
		t.Errorf("%s (live pid) was dropped", alive)
	}
}

func TestKeySafe(t *testing.T) {
	for in, want := range map[string]string{
		"TestX/sub_case":  "TestX/sub_case",
		"TestX/a:b*c?[d]": "TestX/a_b_c__d_",
		"TestÜ\\x":        "Test__x",
	} {
		if got := keySafe(in); got != want {
			t.Errorf("keySafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDBWithoutMainFails(t *testing.T) {
	mainRunning.Store(false)
	defer mainRunning.Store(true)
	msg := fatalMessage(t, func(tb testing.TB) { DB(tb) })
	if !strings.Contains(msg, "func TestMain(m *testing.M) { testenv.Main(m) }") {
		t.Errorf("DB without Main: message %q, want one showing the TestMain to add", msg)
	}
}

// namedTB is a T under a name of the test's choosing.
type namedTB struct {
	testing.TB
	name string
}

func (n *namedTB) Name() string { return n.name }

// TestEachRunGetsItsOwnDatabase: the tests of a run share a database; the
// same test asking again with another T (the next run of -count) starts a
// new one, which the rest of that run then shares.
func TestEachRunGetsItsOwnDatabase(t *testing.T) {
	fresh.mu.Lock()
	runs, seen := fresh.runs, fresh.seen
	fresh.runs, fresh.seen = nil, nil
	fresh.mu.Unlock()
	t.Cleanup(func() {
		fresh.mu.Lock()
		fresh.runs, fresh.seen = runs, seen
		fresh.mu.Unlock()
	})
	a1, b1 := &namedTB{t, "TestA"}, &namedTB{t, "TestB"}
	first := currentRun(a1)
	if currentRun(b1) != first || currentRun(a1) != first || currentRun(b1) != first {
		t.Fatal("tests of one run, or one test asking twice, got different databases")
	}
	a2, b2 := &namedTB{t, "TestA"}, &namedTB{t, "TestB"}
	second := currentRun(a2)
	if second == first {
		t.Fatal("the second run of TestA got the first run's database")
	}
	if currentRun(b2) != second || currentRun(a2) != second {
		t.Error("the tests of the second run do not share its database")
	}
	if currentRun(&namedTB{t, "TestA"}) == second {
		t.Error("a third run got the second run's database")
	}
}
