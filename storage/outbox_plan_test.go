package storage_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestMarkSentFindsRowsByPrimaryKey: with thousands of rows already sent,
// marking a few more reaches them through the primary key, whatever plan
// PostgreSQL settles on for the prepared statement. The old statement
// ("AND sent_at IS NULL") was planned on the partial index of unsent rows,
// which holds an entry for every row sent since the last vacuum.
func TestMarkSentFindsRowsByPrimaryKey(t *testing.T) {
	tx := planTx(t)
	base := testenv.TelegramIDs(1)[0] * 10000
	if _, err := tx.Exec(`INSERT INTO updates (update_id, chat_id, user_id) SELECT $1::bigint + g, g, g FROM generate_series(1, 3000) g`, base); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO outbox (update_id, calls, done, attempts)
		SELECT $1::bigint + g, '[{"chat_id":1,"method":"sendMessage","params":{}}]', B'0', '{0}' FROM generate_series(1, 3000) g`, base); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE outbox SET done = B'1', sent_at = now() WHERE update_id > $1::bigint AND update_id <= $1::bigint + 2980`, base); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`ANALYZE outbox`); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := tx.Exec(`SET LOCAL plan_cache_mode = ` + mode); err != nil {
			t.Fatal(err)
		}
		prepare(t, tx, "mark_sent_"+mode, storage.MarkSentSQL)
		text := explain(t, tx, ``, "mark_sent_"+mode, `('{1,2,3,4}', '{1,1,1,1}')`)
		if !strings.Contains(text, "outbox_pkey") || strings.Contains(text, "outbox_claim_idx") || strings.Contains(text, "outbox_sent_idx") {
			t.Errorf("%s plan of MarkOutboxSent:\n%s\nwant the primary key alone", mode, text)
		}
	}
}

// TestMarkOneKeepsAGenericPlan: the mark of one turn, the usual case, is
// planned once per connection. The array statement's custom plans know
// unnest's row count and the generic one does not, so under load
// PostgreSQL plans it anew at most calls (249 plans in 264 calls); whether
// it does depends on the outbox's statistics, so only the scalar form is
// checked.
func TestMarkOneKeepsAGenericPlan(t *testing.T) {
	tx := planTx(t)
	generic, custom := planChoices(t, tx, "mark_one", storage.MarkOneSQL, func(int) string { return "(1, '1')" })
	if generic < 5 {
		t.Errorf("%d generic and %d custom plans in 10 calls; want the generic kept", generic, custom)
	}
}

// planChoices prepares query as name on tx's connection, runs it ten times
// with the arguments args(i) gives (a parenthesized list of literals), and
// returns how many generic and custom plans PostgreSQL made for it: it
// weighs a generic plan after five custom ones.
func planChoices(t *testing.T, tx *sqlx.Tx, name, query string, args func(i int) string) (generic, custom int) {
	t.Helper()
	prepare(t, tx, name, query)
	for i := range 10 {
		if _, err := tx.Exec(`EXECUTE ` + name + args(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.QueryRow(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1`,
		name).Scan(&generic, &custom); err != nil {
		t.Fatal(err)
	}
	return generic, custom
}

// planTx begins a transaction the test rolls back, for the statements
// whose plans it reads and the rows they need.
func planTx(t *testing.T) *sqlx.Tx {
	t.Helper()
	tx, err := testenv.DB(t).Beginx()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

// prepare prepares query as name on tx's connection until the test ends:
// a prepared statement outlives the transaction, on a connection the pool
// hands to later tests, where the same name would be taken.
func prepare(t *testing.T, tx *sqlx.Tx, name, query string) {
	t.Helper()
	if _, err := tx.Exec(`PREPARE ` + name + ` AS ` + query); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// A test that failed mid-transaction cannot run it, and says why.
		if _, err := tx.Exec(`DEALLOCATE ` + name); err != nil && !t.Failed() {
			t.Error(err)
		}
	})
}

// explain is the plan of prepared statement name run with args, a
// parenthesized list of literals, under EXPLAIN's options ("" for none).
func explain(t *testing.T, tx *sqlx.Tx, options, name, args string) string {
	t.Helper()
	var plan []string
	if err := tx.Select(&plan, `EXPLAIN `+options+` EXECUTE `+name+args); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// ranPlan is EXPLAIN's options for what a plan did: which scans ran, not
// their timing.
const ranPlan = `(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)`

// outboxLeft lists the outbox rows of updates base+1..base+4 that tx sees,
// as "n:done".
func outboxLeft(t *testing.T, tx *sqlx.Tx, base int64) string {
	t.Helper()
	var left []string
	if err := tx.Select(&left, `SELECT (update_id - $1::bigint)::text || ':' || done::text FROM outbox
		WHERE update_id BETWEEN $1::bigint + 1 AND $1::bigint + 4 ORDER BY update_id`, base); err != nil {
		t.Fatal(err)
	}
	return strings.Join(left, " ")
}

// TestMarkSentReachesEachRowOnce: a mark finds each turn's row once, then
// deletes or updates it. Its DELETE and UPDATE halves each joined the
// marks to the outbox: two index probes a turn, or under load (a small,
// churning outbox) two sequential scans of every page, 73 buffers a call.
var outboxScan = regexp.MustCompile(`Scan[^\n]* on outbox `)

func TestMarkSentReachesEachRowOnce(t *testing.T) {
	tx := planTx(t)
	base := testenv.TelegramIDs(1)[0] * 10000
	if _, err := tx.Exec(`INSERT INTO outbox (update_id, calls, done, attempts)
		SELECT $1::bigint + g, '[{"chat_id":1,"method":"sendMessage","params":{}},{"chat_id":1,"method":"sendMessage","params":{}}]',
			B'00', '{0,0}' FROM generate_series(1, 200) g`, base); err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct{ name, sql, args string }{
		{"reach_one", storage.MarkOneSQL, fmt.Sprintf("(%d, '11')", base+1)},
		{"reach_many", storage.MarkSentSQL, fmt.Sprintf("('{%d,%d,%d}', '{11,10,01}')", base+2, base+3, base+4)},
	} {
		prepare(t, tx, st.name, st.sql)
		text := explain(t, tx, ranPlan, st.name, st.args)
		if n := len(outboxScan.FindAllString(text, -1)); n != 1 {
			t.Errorf("%s reaches the outbox %d times, want once:\n%s", st.name, n, text)
		}
	}
	if got, want := outboxLeft(t, tx, base), "3:10 4:01"; got != want {
		t.Errorf("rows left after the marks: %q, want %q (finished turns deleted, others marked)", got, want)
	}
}

// TestCarriedMarkReachesTheRowOnce: a commit carrying the mark that
// finishes the chat's earlier turn finds that turn's row once, to delete
// it; a mark that leaves calls unsent still updates the row. The commit's
// update looked for the row a second time after the delete had taken it.
func TestCarriedMarkReachesTheRowOnce(t *testing.T) {
	tx := planTx(t)
	base := testenv.TelegramIDs(1)[0] * 10000
	if _, err := tx.Exec(`INSERT INTO updates (update_id, chat_id, user_id) SELECT $1::bigint + g, 1, 1 FROM generate_series(1, 4) g`, base); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO outbox (update_id, calls, done, attempts)
		SELECT $1::bigint + g, '[{"chat_id":1,"method":"sendMessage","params":{}},{"chat_id":1,"method":"sendMessage","params":{}}]',
			B'00', '{0,0}' FROM generate_series(1, 2) g`, base); err != nil {
		t.Fatal(err)
	}
	prepare(t, tx, "carrying_commit", storage.CommitCarryingSQL)
	calls := `[{"chat_id":1,"method":"sendMessage","params":{}}]`
	for _, c := range []struct {
		turn, carried int64
		mask          string
		scans         int
	}{
		{turn: base + 3, carried: base + 1, mask: "11", scans: 1}, // finished: deleted
		{turn: base + 4, carried: base + 2, mask: "10", scans: 2}, // partly: updated
	} {
		text := explain(t, tx, ranPlan, "carrying_commit", fmt.Sprintf("(%d, '%s', 1, %d, '%s')", c.turn, calls, c.carried, c.mask))
		if n := len(executedOutboxScan.FindAllString(text, -1)); n != c.scans {
			t.Errorf("carrying mark %s: %d outbox scans executed, want %d:\n%s", c.mask, n, c.scans, text)
		}
	}
	if got, want := outboxLeft(t, tx, base), "2:10 3:0 4:0"; got != want {
		t.Errorf("rows after the commits: %q, want %q (the finished turn deleted, the other marked, two new)", got, want)
	}
}

// executedOutboxScan is a plan's scan of the outbox that ran.
var executedOutboxScan = regexp.MustCompile(`Scan[^\n]* on outbox [^\n]*\(actual`)

// TestInboxKeepsAGenericPlan: the statement that stores a batch of updates
// with their senders, on every webhook's path to its 200, is planned once
// per connection, not at every call. Given its rows as one array per
// column (the contrast below, its first form), PostgreSQL planned it anew
// at every call: 316 µs of planning, more than it took to run.
func TestInboxKeepsAGenericPlan(t *testing.T) {
	tx := planTx(t)
	// The first form: the same statement on one array per column.
	arrays := strings.Replace(storage.AcceptWithSendersSQL, storage.NewUpdatesFrom,
		`unnest($1::bigint[], $4::bigint[], $5::bigint[], $6::jsonb[])`, 1)
	for _, st := range []struct {
		name, sql string
		args      func(ids []int64) string
		generic   bool
	}{
		{"accept_doc", storage.AcceptWithSendersSQL, func(ids []int64) string {
			rows := make([]string, len(ids))
			for i, id := range ids {
				rows[i] = fmt.Sprintf(`{"update_id": %d, "chat_id": %d, "user_id": %d, "payload": {}}`, id, id, id)
			}
			return fmt.Sprintf("('[%s]', '2026-12-05', 'donated_before')", strings.Join(rows, ","))
		}, true},
		{"accept_arrays", arrays, func(ids []int64) string {
			list := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ids)), ","), "[]")
			payloads := strings.TrimSuffix(strings.Repeat(`"{}",`, len(ids)), ",")
			return fmt.Sprintf("('{%s}', '2026-12-05', 'donated_before', '{%s}', '{%s}', '{%s}')", list, list, list, payloads)
		}, false},
	} {
		// Batches of one to three updates, as they come.
		generic, custom := planChoices(t, tx, st.name, st.sql, func(i int) string { return st.args(testenv.TelegramIDs(1 + i%3)) })
		if (generic >= 5) != st.generic {
			t.Errorf("%s: %d generic and %d custom plans in 10 calls; want the generic kept: %t",
				st.name, generic, custom, st.generic)
		}
	}
}
