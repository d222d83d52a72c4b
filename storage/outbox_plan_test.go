package storage_test

import (
	"context"
	"strings"
	"testing"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestMarkSentFindsRowsByPrimaryKey: with thousands of rows already sent,
// marking a few more reaches them through the primary key, whatever plan
// PostgreSQL settles on for the prepared statement. The old statement
// ("AND sent_at IS NULL") was planned on the partial index of unsent rows,
// which holds an entry for every row sent since the last vacuum.
func TestMarkSentFindsRowsByPrimaryKey(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	tx, err := s.DB().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
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
		if _, err := tx.Exec(`PREPARE mark_sent_` + mode + ` AS ` + storage.MarkSentSQL); err != nil {
			t.Fatal(err)
		}
		var plan []string
		if err := tx.Select(&plan, `EXPLAIN EXECUTE mark_sent_`+mode+`('{1,2,3,4}', '{1,1,1,1}')`); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "outbox_pkey") || strings.Contains(text, "outbox_claim_idx") || strings.Contains(text, "outbox_sent_idx") {
			t.Errorf("%s plan of MarkOutboxSent:\n%s\nwant the primary key alone", mode, text)
		}
	}
}

// TestMarkOneKeepsAGenericPlan: the mark of one turn, the usual case, is
// planned once per connection. The array statement's custom plans knew
// unnest's row count and the generic one did not, so PostgreSQL kept
// planning it anew on every call.
func TestMarkOneKeepsAGenericPlan(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	tx, err := s.DB().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, st := range []struct{ name, sql, args string }{
		{"mark_one", storage.MarkOneSQL, "(1, '1')"},
		{"mark_many", storage.MarkSentSQL, "('{1}', '{1}')"},
	} {
		if _, err := tx.Exec(`PREPARE ` + st.name + ` AS ` + st.sql); err != nil {
			t.Fatal(err)
		}
		for range 10 { // PostgreSQL weighs a generic plan after five custom ones
			if _, err := tx.Exec(`EXECUTE ` + st.name + st.args); err != nil {
				t.Fatal(err)
			}
		}
		var generic, custom int
		if err := tx.QueryRow(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1`,
			st.name).Scan(&generic, &custom); err != nil {
			t.Fatal(err)
		}
		if want := st.name == "mark_one"; (generic >= 5) != want {
			t.Errorf("%s: %d generic and %d custom plans in 10 calls; want the generic kept: %t", st.name, generic, custom, want)
		}
	}
}
