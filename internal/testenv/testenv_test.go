package testenv_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"donorbot/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestDBIsSharedByThePackage(t *testing.T) {
	db1 := testenv.DB(t)
	db2 := testenv.DB(t)
	if db1 != db2 {
		t.Fatal("two DB calls returned different pools")
	}
	var name string
	if err := db1.Get(&name, "SELECT current_database()"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, "donorbot_t_testenv_") {
		t.Errorf("database name %q, want donorbot_t_testenv_<pid>_<random>", name)
	}

	u, err := url.Parse(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/"+name {
		t.Errorf("DatabaseURL names %q, DB is connected to %q", u.Path, name)
	}
	other, err := sqlx.Connect("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var otherName string
	if err := other.Get(&otherName, "SELECT current_database()"); err != nil {
		t.Fatal(err)
	}
	if otherName != name {
		t.Errorf("DatabaseURL leads to %q, want %q", otherName, name)
	}
}

func TestDBIsMigrated(t *testing.T) {
	db := testenv.DB(t)
	var applied int
	if err := db.Get(&applied, "SELECT count(*) FROM goose_db_version WHERE version_id > 0 AND is_applied"); err != nil {
		t.Fatalf("goose_db_version: %v", err)
	}
	if applied == 0 {
		t.Error("no migration recorded in goose_db_version")
	}
}

func TestRedisNamespaceIsolatedAndCleaned(t *testing.T) {
	ctx := context.Background()
	c, ns := testenv.Redis(t)
	if !strings.HasPrefix(ns, "t:testenv:TestRedisNamespaceIsolatedAndCleaned:") || !strings.HasSuffix(ns, ":") {
		t.Errorf("namespace %q", ns)
	}
	if err := c.Set(ctx, ns+"keep", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}

	var childNS string
	t.Run("child [odd*name?]", func(t *testing.T) {
		cc, cns := testenv.Redis(t)
		childNS = cns
		if strings.ContainsAny(strings.TrimPrefix(cns, "t:"), "*?[] ") {
			t.Errorf("namespace %q holds glob metacharacters", cns)
		}
		for i := range 2500 { // more than one SCAN page
			if err := cc.Set(ctx, cns+strconv.Itoa(i), "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if childNS == "" || childNS == ns {
		t.Fatalf("child namespace %q, parent %q", childNS, ns)
	}
	var left []string
	for cursor := uint64(0); ; {
		keys, next, err := c.Scan(ctx, cursor, childNS+"*", 1000).Result()
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, keys...)
		if cursor = next; cursor == 0 {
			break
		}
	}
	if len(left) != 0 {
		t.Errorf("%d keys of the finished subtest left, e.g. %q", len(left), left[0])
	}
	if n, err := c.Exists(ctx, ns+"keep").Result(); err != nil || n != 1 {
		t.Errorf("the parent's key went away with the subtest's namespace: %d, %v", n, err)
	}
}
