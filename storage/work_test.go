package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// workUpdate stores an accepted update for a unit of work to commit.
func workUpdate(t *testing.T, s *storage.Store) (updateID, chatID int64) {
	t.Helper()
	chatID = testenv.TelegramIDs(1)[0]
	updateID = chatID + 7_000_000
	if _, err := s.AcceptUpdate(context.Background(), updateID, chatID, chatID, []byte(`{"update_id":1}`)); err != nil {
		t.Fatal(err)
	}
	return updateID, chatID
}

func handled(t *testing.T, s *storage.Store, updateID int64) bool {
	t.Helper()
	var done bool
	if err := s.DB().Get(&done, `SELECT handled_at IS NOT NULL FROM updates WHERE update_id = $1`, updateID); err != nil {
		t.Fatal(err)
	}
	return done
}

func units(t *testing.T, s *storage.Store, names ...string) int {
	t.Helper()
	var n int
	if err := s.DB().Get(&n, `SELECT count(*) FROM units WHERE name = ANY($1)`, pq.Array(names)); err != nil {
		t.Fatal(err)
	}
	return n
}

// A statement that fails inside a unit of work (a duplicate name) is rolled
// back to its savepoint: the unit goes on and commits what else it did.
func TestWorkSavepointRollback(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	updateID, _ := workUpdate(t, s)
	taken, fresh := fmt.Sprint("CLB Trùng ", updateID), fmt.Sprint("CLB Mới ", updateID)
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if _, err := s.CreateUnit(wctx, "club", taken, "sp1a"+fmt.Sprint(updateID%1e6)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUnit(wctx, "club", taken, "sp1b"+fmt.Sprint(updateID%1e6)); !errors.Is(err, storage.ErrDuplicate) {
		t.Fatalf("second unit of the same name: %v, want ErrDuplicate", err)
	}
	if _, err := s.CreateUnit(wctx, "club", fresh, "sp1c"+fmt.Sprint(updateID%1e6)); err != nil {
		t.Fatalf("the unit of work is unusable after a failed statement: %v", err)
	}
	if n := units(t, s, taken, fresh); n != 0 {
		t.Fatalf("%d units visible before commit, want 0", n)
	}
	if _, err := w.Commit(ctx, updateID); err != nil {
		t.Fatal(err)
	}
	if n := units(t, s, taken, fresh); n != 2 {
		t.Fatalf("%d units after commit, want 2", n)
	}
}

// Commit stores the state, the buffered calls and conversation as outbox
// rows, and the handled mark together; the conversation reaches Redis only
// when applied, and an older one applied late does not replace it.
func TestWorkCommitWritesOutboxAndHandledMark(t *testing.T) {
	s := storage.New(testenv.DB(t))
	rdb, prefix := testenv.Redis(t)
	st := storage.NewState(rdb, prefix, time.Hour)
	ctx := context.Background()
	updateID, chatID := workUpdate(t, s)
	name := fmt.Sprint("CLB Outbox ", updateID)

	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUnit(wctx, "club", name, fmt.Sprint("obox", updateID%1e6)); err != nil {
		t.Fatal(err)
	}
	conv := storage.Conversation{Flow: "onboarding", Step: "birth", Data: map[string]string{"sex": "male"}}
	if err := st.SaveConversation(wctx, chatID, conv); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := st.Conversation(wctx, chatID); err != nil || !ok || got.Step != "birth" {
		t.Fatalf("conversation read in the unit: %+v, %t, %v", got, ok, err)
	}
	if _, ok, _ := st.Conversation(ctx, chatID); ok {
		t.Fatal("conversation in Redis before commit")
	}
	if err := w.Call(chatID, "sendMessage", map[string]any{"chat_id": chatID, "text": "Bước 4/7"}); err != nil {
		t.Fatal(err)
	}
	rows, err := w.Commit(ctx, updateID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Method != storage.MethodConversation || rows[1].Method != "sendMessage" ||
		rows[1].ChatID != chatID || rows[0].Seq != 0 || rows[1].Seq != 1 {
		t.Fatalf("outbox rows: %+v", rows)
	}
	if !handled(t, s, updateID) || units(t, s, name) != 1 {
		t.Fatal("commit did not store the state and the handled mark")
	}
	var unsent int
	if err := s.DB().Get(&unsent, `SELECT count(*) FROM outbox o, generate_series(0, length(o.done) - 1) AS i
		WHERE o.update_id = $1 AND o.sent_at IS NULL AND get_bit(o.done, i) = 0
		AND claimed_at > now() - interval '1 minute'`, updateID); err != nil || unsent != 2 {
		t.Fatalf("%d claimed unsent outbox calls, %v; want 2", unsent, err)
	}
	// Not yet applied: a unit of work reads the committed one.
	wctx2, w2, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := st.Conversation(wctx2, chatID); err != nil || !ok || got.Step != "birth" {
		t.Fatalf("conversation committed but not applied, read in the next unit: %+v, %t, %v", got, ok, err)
	}
	w2.Rollback()

	if err := st.ApplyConversation(ctx, rows[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkOutboxSent(ctx, rows[:2]); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := st.Conversation(ctx, chatID); err != nil || !ok || got.Data["sex"] != "male" {
		t.Fatalf("conversation in Redis after apply: %+v, %t, %v", got, ok, err)
	}
	older := rows[0]
	older.UpdateID--
	older.Params = []byte(fmt.Sprintf(`{"user_id":%d,"conv":{"flow":"onboarding","step":"sex"}}`, chatID))
	if err := st.ApplyConversation(ctx, older); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := st.Conversation(ctx, chatID); got.Step != "birth" {
		t.Fatalf("an older update's conversation applied late replaced the newer: step %q", got.Step)
	}
	ended := rows[0]
	ended.UpdateID++
	ended.Params = []byte(fmt.Sprintf(`{"user_id":%d,"conv":null}`, chatID))
	if err := st.ApplyConversation(ctx, ended); err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyConversation(ctx, rows[0]); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.Conversation(ctx, chatID); ok {
		t.Fatal("an ended conversation came back with an older write applied late")
	}
}

// A unit of work rolled back leaves nothing: no state, no outbox row, and
// the update unhandled for the inbox to run again.
func TestWorkRollbackLeavesNothing(t *testing.T) {
	s := storage.New(testenv.DB(t))
	rdb, prefix := testenv.Redis(t)
	st := storage.NewState(rdb, prefix, time.Hour)
	ctx := context.Background()
	updateID, chatID := workUpdate(t, s)
	name := fmt.Sprint("CLB Rollback ", updateID)
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUnit(wctx, "club", name, fmt.Sprint("rbck", updateID%1e6)); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveConversation(wctx, chatID, storage.Conversation{Flow: "onboarding", Step: "birth"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Call(chatID, "sendMessage", map[string]any{"chat_id": chatID, "text": "x"}); err != nil {
		t.Fatal(err)
	}
	w.Rollback()
	var rows int
	if err := s.DB().Get(&rows, `SELECT count(*) FROM outbox WHERE update_id = $1`, updateID); err != nil {
		t.Fatal(err)
	}
	if rows != 0 || units(t, s, name) != 0 || handled(t, s, updateID) {
		t.Fatalf("after rollback: %d outbox rows, %d units, handled %t", rows, units(t, s, name), handled(t, s, updateID))
	}
	if _, ok, _ := st.Conversation(ctx, chatID); ok {
		t.Fatal("conversation of a rolled back unit reached Redis")
	}
	if _, err := w.Commit(ctx, updateID); err == nil {
		t.Fatal("commit after rollback succeeded")
	}
}

// A turn that ran longer than the lease commits replies its own process is
// about to send: they are claimed from the commit on, not from the
// transaction's start, or the sweeper would send them a second time.
func TestWorkCommitClaimsFromCommitTime(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	updateID, chatID := workUpdate(t, s)
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	const lease = 50 * time.Millisecond
	if err := w.Call(chatID, "sendMessage", map[string]any{"chat_id": chatID, "text": "Câu 1/11"}); err != nil {
		t.Fatal(err)
	}
	// A slow turn: PostgreSQL's own time passes inside the transaction.
	if _, err := storage.ExecInWork(wctx, s, `SELECT pg_sleep($1)`, (3 * lease).Seconds()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, updateID); err != nil {
		t.Fatal(err)
	}
	stale, err := s.ClaimStaleOutbox(ctx, lease, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range stale {
		if r.UpdateID == updateID {
			t.Fatalf("the sweeper took the reply its process had just committed: %+v", r)
		}
	}
}

// A unit of work that only reads and buffers replies begins no
// transaction: its reads run on the pool and its commit statement alone
// stores the replies and the handled mark. Its first write begins one.
func TestWorkBeginsAtFirstWrite(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	updateID, chatID := workUpdate(t, s)
	if _, err := s.CreateDonor(ctx, chatID, chatID, "vi", "v1"); err != nil {
		t.Fatal(err)
	}
	idleInTransaction := func() int {
		t.Helper()
		var n int
		if err := s.DB().Get(&n, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state LIKE 'idle in transaction%'`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if _, err := s.Donor(wctx, chatID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DriveByCode(wctx, "nope"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("drive by an unknown code: %v", err)
	}
	if n := idleInTransaction(); n != 0 {
		t.Fatalf("%d sessions idle in a transaction after a unit's reads, want none", n)
	}
	if err := w.Call(chatID, "sendMessage", map[string]any{"chat_id": chatID, "text": "Đợt hiến máu"}); err != nil {
		t.Fatal(err)
	}
	rows, err := w.Commit(ctx, updateID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Method != "sendMessage" || !handled(t, s, updateID) {
		t.Fatalf("read-only unit committed %+v, handled %t", rows, handled(t, s, updateID))
	}

	wctx2, w2, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Rollback()
	if _, err := s.CreateUnit(wctx2, "club", fmt.Sprint("CLB Lazy ", updateID), fmt.Sprint("lazy", updateID%1e6)); err != nil {
		t.Fatal(err)
	}
	if n := idleInTransaction(); n != 1 {
		t.Fatalf("%d sessions idle in a transaction after a unit's write, want its own", n)
	}
}

// TestWorkCommitKeepsParamsAsCalled: the outbox rows a commit returns hold
// each call's parameters as they were given, whatever of the array syntax
// (quotes, backslashes, braces, commas, NULL) their texts hold.
func TestWorkCommitKeepsParamsAsCalled(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	updateID, chatID := workUpdate(t, s)
	texts := []string{`Đã lưu "Viện Huyết học" \ cơ sở 2`, `{a,b}`, `\"`, "NULL", "", " ", "🩸 x\ny\tz"}
	_, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range texts {
		if err := w.Call(chatID, "sendMessage", map[string]any{"text": text}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := w.Commit(ctx, updateID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(texts) {
		t.Fatalf("%d outbox rows, want %d", len(rows), len(texts))
	}
	for i, r := range rows {
		var p struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(r.Params, &p); err != nil || p.Text == nil || *p.Text != texts[i] {
			t.Errorf("row %d: params %s (%v), want text %q", i, r.Params, err, texts[i])
		}
	}
}
