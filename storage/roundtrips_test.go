package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lib/pq"

	"donorbot/internal/testenv"
	"donorbot/screening"
	"donorbot/storage"
)

// statementsIn counts the statements this database ran during fn, as
// pg_stat_statements sees them (skipped where the server does not preload
// it: scripts/services.sh does).
func statementsIn(t *testing.T, s *storage.Store, fn func()) int64 {
	t.Helper()
	return statsDuring(t, s, fn, "sum(calls)")[0]
}

// statsDuring returns how much each aggregate of pg_stat_statements (e.g.
// "sum(calls)", "sum(rows) FILTER (WHERE ...)") grew over this database's
// statements during fn.
func statsDuring(t *testing.T, s *storage.Store, fn func(), aggregates ...string) []int64 {
	t.Helper()
	if _, err := s.DB().Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		t.Skipf("pg_stat_statements: %v", err)
	}
	cols := make([]string, len(aggregates))
	for i, a := range aggregates {
		cols[i] = "coalesce(" + a + ", 0)::bigint"
	}
	q := `SELECT ARRAY[` + strings.Join(cols, ", ") + `] FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query NOT LIKE '%pg_stat_statements%'`
	var before, after pq.Int64Array
	if err := s.DB().QueryRow(q).Scan(&before); err != nil {
		t.Skipf("pg_stat_statements not preloaded: %v", err)
	}
	fn()
	if err := s.DB().QueryRow(q).Scan(&after); err != nil {
		t.Fatal(err)
	}
	grew := make([]int64, len(aggregates))
	for i := range grew {
		grew[i] = after[i] - before[i]
	}
	return grew
}

// TestSlotLockRoundTrips: in a turn's unit of work, registering is BEGIN
// and one statement that locks the slot and inserts, reading the donor
// itself (the lock and the insert took a round trip each); cancelling is
// BEGIN and one statement that locks the slot and the registration,
// cancels and promotes (four round trips before). An unknown donor is
// still ErrNotFound.
func TestSlotLockRoundTrips(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	ids := testenv.TelegramIDs(2)
	donor, unknown := ids[0], ids[1]
	if _, err := s.CreateDonor(ctx, donor, donor, "vi", "v1"); err != nil {
		t.Fatal(err)
	}
	_, slots := publishedDrive(t, s, tomorrow(), 1, 10)
	inWork := func(fn func(wctx context.Context)) int64 {
		t.Helper()
		wctx, w, err := s.BeginWork(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Rollback()
		return statementsIn(t, s, func() { fn(wctx) })
	}
	// A SELECT is counted when its portal closes, at the session's next
	// statement: the read after the function's SELECT counts it, and is
	// not counted itself.
	if n := inWork(func(wctx context.Context) {
		reg, err := s.Register(wctx, donor, slots[0].ID, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RegistrationRecalled(wctx, reg.ID); err != nil {
			t.Fatal(err)
		}
	}); n != 2 {
		t.Errorf("register and a read in a unit of work: %d statements, want 2 (BEGIN, register_in_slot)", n)
	}
	reg := registerAll(t, s, []int64{donor}, slots[0].ID)[0]
	if n := inWork(func(wctx context.Context) {
		if _, err := s.Cancel(wctx, donor, reg.ID, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RegistrationRecalled(wctx, reg.ID); err != nil {
			t.Fatal(err)
		}
	}); n != 2 {
		t.Errorf("cancel and a read in a unit of work: %d statements, want 2 (BEGIN, cancel_registration)", n)
	}
	if _, err := s.Register(ctx, unknown, slots[0].ID, testNow); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("an unknown donor registers: %v, want ErrNotFound", err)
	}
}

// TestSaveScreeningRoundTrips: in a turn's unit of work, saving a
// screening with deferrals is BEGIN, the donor's id and one statement:
// the answers with their audit, dropping the earlier screening's
// deferrals and adding the new ones, which took a statement each. Saved
// again, the new deferrals replace the first ones.
func TestSaveScreeningRoundTrips(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	donor := newDonors(t, s, 1)[0]
	flu := screening.Reason{Code: screening.CodeWithin14Days, Until: calendar(testNow).AddDate(0, 0, 14)}
	other := screening.Reason{Code: screening.CodeWithin14Days + "_other"}
	answers := []storage.ScreeningAnswer{{Answer: screening.Answer{Question: screening.QWithin14Days, Yes: true}}}
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if n := statementsIn(t, s, func() {
		if err := s.SaveScreening(wctx, donor, 0, answers, []screening.Reason{flu, other}, testNow); err != nil {
			t.Fatal(err)
		}
	}); n != 3 {
		t.Errorf("save a screening in a unit of work: %d statements, want 3 (BEGIN, donor id, screening)", n)
	}
	if err := s.SaveScreening(wctx, donor, 0, answers, []screening.Reason{other}, testNow); err != nil {
		t.Fatal(err)
	}
	record, err := s.EligibilityRecord(wctx, donor, calendar(testNow))
	if err != nil {
		t.Fatal(err)
	}
	if len(record.Deferrals) != 1 || record.Deferrals[0].Code != string(other.Code) || !record.Deferrals[0].Until.IsZero() {
		t.Errorf("deferrals after the second screening = %+v, want %s alone, with no end", record.Deferrals, other.Code)
	}
}
