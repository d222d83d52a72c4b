package storage_test

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// commitConversation commits a unit of work of updateID that reads the
// user's conversation, moves it to step, and returns its outbox row and
// the step it read.
func commitConversation(t *testing.T, s *storage.Store, st *storage.State, updateID, userID int64, step string) (storage.OutboxRow, string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.AcceptUpdate(ctx, updateID, userID, userID, []byte(`{"update_id":1}`)); err != nil {
		t.Fatal(err)
	}
	// Tests share the package database: a later one prunes every handled
	// update and counts them.
	t.Cleanup(func() {
		if _, err := s.DB().Exec(`DELETE FROM updates WHERE update_id = $1`, updateID); err != nil {
			t.Error(err)
		}
	})
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	was, _, err := st.Conversation(wctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveConversation(wctx, userID, storage.Conversation{Flow: "screening", Step: step}); err != nil {
		t.Fatal(err)
	}
	rows, err := w.Commit(ctx, updateID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Method != storage.MethodConversation {
		t.Fatalf("outbox rows: %+v", rows)
	}
	return rows[0], was.Step
}

// readInWork reads the user's conversation the way the next update does.
func readInWork(t *testing.T, s *storage.Store, st *storage.State, userID int64) string {
	t.Helper()
	return readStepFrom(context.Background(), t, s, st, userID)
}

// readStepFrom reads the user's conversation in a unit of work begun from
// ctx (which may carry the turn's read ahead, AllowTurn).
func readStepFrom(ctx context.Context, t *testing.T, s *storage.Store, st *storage.State, userID int64) string {
	t.Helper()
	wctx, w, err := s.BeginWork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	c, _, err := st.Conversation(wctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Step
}

// A unit of work reads the outbox only while a committed conversation may
// be unapplied, which a marker set before COMMIT says. Two processes die
// after committing, each before applying its write; the older write is
// applied late by the sweep: the marker stays for the newer, still read
// from the outbox, and is covered once the newer is applied.
func TestConversationPendingMarker(t *testing.T) {
	s := storage.New(testenv.DB(t))
	rdb, prefix := testenv.Redis(t)
	st := storage.NewState(rdb, prefix, time.Hour)
	ctx := context.Background()
	userID := testenv.TelegramIDs(1)[0]
	marker := st.UserKey(userID, "conv:pending")
	pending := func() string {
		v, _ := rdb.Get(ctx, marker).Result()
		return v
	}

	a, _ := commitConversation(t, s, st, userID+7_100_000, userID, "q2")
	if got := pending(); got != fmt.Sprint(a.UpdateID) {
		t.Fatalf("pending marker after a commit: %q, want the update %d", got, a.UpdateID)
	}
	b, read := commitConversation(t, s, st, userID+7_100_001, userID, "q3")
	if read != "q2" {
		t.Fatalf("the next update read step %q, want the committed, unapplied q2", read)
	}
	if err := st.ApplyConversation(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkOutboxSent(ctx, []storage.OutboxRow{a}); err != nil {
		t.Fatal(err)
	}
	if got := pending(); got != fmt.Sprint(b.UpdateID) {
		t.Fatalf("pending marker after the older write applied late: %q, want the newer update %d", got, b.UpdateID)
	}
	if got := readInWork(t, s, st, userID); got != "q3" {
		t.Fatalf("read step %q after the older write was applied, want the unapplied q3", got)
	}
	if err := st.ApplyConversation(ctx, b); err != nil {
		t.Fatal(err)
	}
	var got string
	if n := statementsIn(t, s, func() { got = readInWork(t, s, st, userID) }); n != 0 {
		t.Fatalf("%d SQL statements to read a conversation once every write was applied, want 0 (Redis's)", n)
	}
	if got != "q3" {
		t.Fatalf("read step %q from Redis, want q3", got)
	}
	if ttl := rdb.PTTL(ctx, st.UserKey(userID, "conv")).Val(); ttl <= 0 {
		t.Fatalf("conversation TTL %s", ttl)
	}
}

// A turn that reads and writes a conversation costs Redis five commands:
// the MGET of the conversation and its marker, the marker's script with
// one SET, and the applying script with one SET. The marker's script read
// before it set, and the applying one also read and deleted the marker:
// nine. An update committed out of order leaves the newer marker in place.
func TestConversationWriteCommands(t *testing.T) {
	s := storage.New(testenv.DB(t))
	rdb := testenv.PrivateRedis(t)
	st := storage.NewState(rdb, "c:", time.Hour)
	ctx := context.Background()
	ids := testenv.TelegramIDs(2)
	turn := func(userID, updateID int64, step string) {
		t.Helper()
		row, _ := commitConversation(t, s, st, updateID, userID, step)
		if err := st.ApplyConversation(ctx, row); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkOutboxSent(ctx, []storage.OutboxRow{row}); err != nil {
			t.Fatal(err)
		}
	}
	warm, user := ids[0], ids[1]
	turn(warm, warm+7_200_000, "q1") // loads the scripts
	turn(user, user+7_200_000, "q1")
	got := testenv.CommandsIn(t, rdb, func() { turn(user, user+7_200_001, "q2") })
	want := map[string]int64{"mget": 1, "evalsha": 2, "set": 2}
	if !maps.Equal(got, want) {
		t.Errorf("Redis commands of a turn that reads and writes a conversation: %v, want %v", got, want)
	}
	if got := readInWork(t, s, st, user); got != "q2" {
		t.Fatalf("read step %q, want q2", got)
	}

	newer, _ := commitConversation(t, s, st, user+7_200_003, user, "q4")
	commitConversation(t, s, st, user+7_200_002, user, "q3")
	if got := rdb.Get(ctx, st.UserKey(user, "conv:pending")).Val(); got != fmt.Sprint(newer.UpdateID) {
		t.Fatalf("pending marker %q after an older update committed last, want the newer %d", got, newer.UpdateID)
	}
}
