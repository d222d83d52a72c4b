package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"donorbot/internal/testenv"
)

// TestMain lets the test binary stand in for loadgen when it starts itself
// as the echo or floor child.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "echo-serve" || os.Args[1] == "floor-serve") {
		serve := serveEcho
		if os.Args[1] == "floor-serve" {
			serve = serveFloor
		}
		if err := serve(os.Getenv); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestEveryTargetAnswers keeps `make load` working: a short run of each
// target completes journeys without timeouts and reports every figure the
// BENCHMARKS.md tables use. Not a performance test: no figure is judged.
// The grammY peer's first run installs its packages (npm ci), once.
func TestEveryTargetAnswers(t *testing.T) {
	admin := os.Getenv(testenv.EnvDatabaseURL)
	if admin == "" {
		t.Fatalf("%s is not set (make test sets it)", testenv.EnvDatabaseURL)
	}
	bin := filepath.Join(t.TempDir(), "donorbot")
	if out, err := exec.Command("go", "build", "-o", bin, "donorbot/cmd/donorbot").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	orphan := orphanDatabase(t, admin)
	updates := regexp.MustCompile(`(?m)^updates=(\d+) updates/s=\d+ timeouts=(\d+)$`)
	for _, target := range []string{"echo", "calls", "floor", "donorbot", "grammy"} {
		t.Run(target, func(t *testing.T) {
			if _, err := exec.LookPath("node"); target == "grammy" && err != nil {
				t.Skip("node is not installed: `make load` skips the grammY peer too (scripts/deps.sh nodejs)")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out bytes.Buffer
			args := []string{"-target", target, "-c", "2", "-donors", "20", "-d", "2s", "-warmup", "500ms",
				"-bin", bin, "-db", admin, "-redis", testenv.RedisURL(t)}
			if err := run(ctx, args, &out); err != nil {
				t.Fatalf("loadgen %v: %v\n%s", args, err, out.String())
			}
			m := updates.FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no updates line in:\n%s", out.String())
			}
			if n, _ := strconv.Atoi(m[1]); n == 0 || m[2] != "0" {
				t.Errorf("%s updates, %s timeouts:\n%s", m[1], m[2], out.String())
			}
			for _, want := range []string{"latency p50=", "cpu=", "machine busy=", "bot api calls per update=", "sendMessage="} {
				if !bytes.Contains(out.Bytes(), []byte(want)) {
					t.Errorf("report lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
	// Each run drops its own database, and the one of the run killed
	// before its cleanup went with the first run.
	ours := fmt.Sprintf("%s%d_", loadDBPrefix, os.Getpid())
	for _, name := range loadDatabases(t, admin) {
		if name == orphan || strings.HasPrefix(name, ours) {
			t.Errorf("database %s is left after the runs", name)
		}
	}
}

// orphanDatabase creates the database a loadgen killed mid-run leaves: its
// name carries the pid of a process that has exited.
func orphanDatabase(t *testing.T, admin string) string {
	t.Helper()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("%s%d_deadbeef", loadDBPrefix, gone.Process.Pid)
	db := sqlx.MustConnect("postgres", admin)
	defer db.Close()
	db.MustExec("CREATE DATABASE " + name)
	return name
}

func loadDatabases(t *testing.T, admin string) []string {
	t.Helper()
	db := sqlx.MustConnect("postgres", admin)
	defer db.Close()
	var names []string
	if err := db.Select(&names, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, loadDBPrefix); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestSetupErrorIsReported: a run that cannot set up (here, no PostgreSQL
// where -db points) returns that error instead of panicking in its cleanup.
func TestSetupErrorIsReported(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	args := []string{"-target", "floor", "-d", "1s", "-redis", "redis://127.0.0.1:1/0",
		"-db", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2"}
	err := run(ctx, args, &out)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("run with an unreachable -db: err = %v, want the connection error", err)
	}
}
