package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatalf("schema check after migrate: %v", err)
	}
}

func TestAcceptUpdateOnce(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	t.Cleanup(func() { s.DB().MustExec(`DELETE FROM updates WHERE update_id = 1000001`) })
	fresh, err := s.AcceptUpdate(ctx, 1_000_001, 5, 5, []byte(`{"update_id":1000001}`))
	if err != nil || !fresh {
		t.Fatalf("first accept: got %t, %v; want true", fresh, err)
	}
	fresh, err = s.AcceptUpdate(ctx, 1_000_001, 5, 5, []byte(`{"update_id":1000001}`))
	if err != nil || fresh {
		t.Fatalf("second accept: got %t, %v; want false", fresh, err)
	}
}

// TestAcceptUpdatesInOneStatement: a batch stores each new update once;
// a repeat within the batch and a redelivery of a stored one are not fresh.
func TestAcceptUpdatesInOneStatement(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	t.Cleanup(func() { s.DB().MustExec(`DELETE FROM updates WHERE update_id BETWEEN 3000001 AND 3000003`) })
	if _, err := s.AcceptUpdate(ctx, 3_000_001, 7, 7, []byte(`{"update_id":3000001}`)); err != nil {
		t.Fatal(err)
	}
	batch := []storage.NewUpdate{
		{UpdateID: 3_000_002, ChatID: 7, UserID: 7, Payload: []byte(`{"update_id":3000002,"text":"a \"quoted\" {brace}, comma"}`)},
		{UpdateID: 3_000_001, ChatID: 7, UserID: 7, Payload: []byte(`{"update_id":3000001}`)},
		{UpdateID: 3_000_003, ChatID: 8, UserID: 8, Payload: []byte(`{"update_id":3000003,"text":"Tôi đi được"}`)},
		{UpdateID: 3_000_002, ChatID: 7, UserID: 7, Payload: []byte(`{"update_id":3000002}`)},
	}
	got, err := s.AcceptUpdates(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	fresh := make([]bool, len(got))
	for i, a := range got {
		fresh[i] = a.Fresh
	}
	if want := []bool{true, false, true, false}; !slices.Equal(fresh, want) {
		t.Fatalf("fresh = %v, want %v", fresh, want)
	}
	var text string
	if err := s.DB().GetContext(ctx, &text, `SELECT payload->>'text' FROM updates WHERE update_id = 3000002`); err != nil {
		t.Fatal(err)
	}
	if text != `a "quoted" {brace}, comma` {
		t.Errorf("stored text %q: the payload did not survive the array", text)
	}
	if err := s.MarkUpdatesHandled(ctx, []int64{3_000_001, 3_000_003}); err != nil {
		t.Fatal(err)
	}
	var unhandled []int64
	if err := s.DB().SelectContext(ctx, &unhandled,
		`SELECT update_id FROM updates WHERE handled_at IS NULL AND update_id >= 3000001 ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(unhandled, []int64{3_000_002}) {
		t.Errorf("unhandled %v, want only 3000002", unhandled)
	}
}

// TestClaimStaleUpdates: only updates whose lease ran out are claimed, each
// by one claimer, and a claim renews the lease.
// TestAcceptUpdatesRefusedPayloadFailsOnlyItself: a payload PostgreSQL
// refuses (here \u0000, 22P05) neither fails the updates sharing its
// statement nor comes back: it is recorded as handled, without payload, so
// its redeliveries are duplicates instead of errors.
func TestAcceptUpdatesRefusedPayloadFailsOnlyItself(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	t.Cleanup(func() { s.DB().MustExec(`DELETE FROM updates WHERE update_id BETWEEN 3100001 AND 3100003`) })
	poison := storage.NewUpdate{UpdateID: 3_100_002, ChatID: 9, UserID: 9, Payload: []byte(`{"update_id":3100002,"text":"a\u0000b"}`)}
	batch := []storage.NewUpdate{
		{UpdateID: 3_100_001, ChatID: 7, UserID: 7, Payload: []byte(`{"update_id":3100001}`)},
		poison,
		{UpdateID: 3_100_003, ChatID: 8, UserID: 8, Payload: []byte(`{"update_id":3100003}`)},
	}
	got, err := s.AcceptUpdates(ctx, batch)
	if err != nil {
		t.Fatalf("one refused payload failed the batch: %v", err)
	}
	want := []storage.Accepted{{Fresh: true}, {Refused: "22P05"}, {Fresh: true}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	var handled, withPayload int
	if err := s.DB().GetContext(ctx, &handled, `SELECT count(*) FROM updates
		WHERE update_id = 3100002 AND handled_at IS NOT NULL AND payload IS NULL`); err != nil {
		t.Fatal(err)
	}
	if handled != 1 {
		t.Error("the refused update is not recorded as handled without payload")
	}
	if err := s.DB().GetContext(ctx, &withPayload, `SELECT count(*) FROM updates
		WHERE update_id IN (3100001, 3100003) AND payload IS NOT NULL AND handled_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	if withPayload != 2 {
		t.Errorf("%d of the 2 good updates stored, want both", withPayload)
	}
	fresh, err := s.AcceptUpdate(ctx, poison.UpdateID, poison.ChatID, poison.UserID, poison.Payload)
	if err != nil || fresh {
		t.Errorf("redelivery of the refused update: got %t, %v; want not fresh and no error", fresh, err)
	}
}

func TestClaimStaleUpdates(t *testing.T) {
	s := storage.New(testenv.DB(t))
	db := s.DB()
	ctx := context.Background()
	t.Cleanup(func() { s.DB().MustExec(`DELETE FROM updates WHERE update_id BETWEEN 2000001 AND 2000003`) })
	for id, age := range map[int64]string{2_000_001: "1 hour", 2_000_002: "1 second", 2_000_003: "2 hours"} {
		const q = `INSERT INTO updates (update_id, chat_id, user_id, payload, claimed_at)
			VALUES ($1, 1, 1, '{}', now() - $2::interval)`
		if _, err := db.Exec(q, id, age); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkUpdateHandled(ctx, 2_000_003); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimStaleUpdates(ctx, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].UpdateID != 2_000_001 || got[0].Attempts != 2 {
		t.Fatalf("got %+v, want only update 2000001 on its second attempt", got)
	}
	again, err := s.ClaimStaleUpdates(ctx, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("claimed %+v again within its new lease", again)
	}
	n, err := s.PruneUpdates(ctx, 0)
	if err != nil || n != 1 {
		t.Errorf("prune: got %d, %v; want the 1 handled update", n, err)
	}
}

func TestDonorLifecycle(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	id := testenv.TelegramID()
	club := fmt.Sprintf("CLB Test %d", id)
	if _, err := s.Donor(ctx, id); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown donor: got %v, want ErrNotFound", err)
	}
	if err := s.SetDonorName(ctx, id, "X"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("update of unknown donor: got %v, want ErrNotFound", err)
	}
	if _, err := s.CreateDonor(ctx, id, id, "vi", "v1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDonorPhone(ctx, id, "0912345678"); err == nil {
		t.Error("the database accepted a phone not in E.164 form")
	}
	u, err := s.CreateUnit(ctx, "club", club, fmt.Sprintf("t%d", id))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUnit(ctx, "club", club, "zzzz9999"); !errors.Is(err, storage.ErrDuplicate) {
		t.Errorf("duplicate unit name: got %v, want ErrDuplicate", err)
	}
	if err := s.JoinUnit(ctx, id, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.JoinUnit(ctx, id, u.ID); err != nil {
		t.Fatalf("joining twice: %v", err)
	}
	if err := s.DeleteDonor(ctx, id, testNow); err != nil {
		t.Fatal(err)
	}
	if units, err := s.DonorUnits(ctx, id); err != nil || len(units) != 0 {
		t.Errorf("after delete: units %v, %v", units, err)
	}
}

func TestStateForgetUser(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	st := storage.NewState(rdb, prefix, time.Hour)
	ctx := context.Background()
	if err := st.SaveConversation(ctx, 5, storage.Conversation{Flow: "f", Step: "s"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetLanguage(ctx, 5, "en"); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "rate:"+st.UserKey(5, "flood"), 1, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveConversation(ctx, 55, storage.Conversation{Flow: "other user"}); err != nil {
		t.Fatal(err)
	}
	if err := st.ForgetUser(ctx, 5); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, "*"+prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != st.UserKey(55, "conv") {
		t.Errorf("after forgetting user 5, keys %v remain; want only user 55's", keys)
	}
}
