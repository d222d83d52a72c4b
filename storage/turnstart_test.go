package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// The flood check keeps redis_rate's bucket: a process still running
// redis_rate (a release before this one, during a rolling deploy) and one
// running AllowTurn take tokens from one limit. The turn that is let
// through carries the conversation read with the check, unless it wrote
// the conversation since; one held back carries none.
func TestAllowTurnSharesRedisRatesBucket(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	st := storage.NewState(rdb, prefix, time.Hour)
	ctx := context.Background()
	user := testenv.TelegramIDs(1)[0]
	if err := st.SaveConversation(ctx, user, storage.Conversation{Flow: "onboarding", Step: "name"}); err != nil {
		t.Fatal(err)
	}
	limit := storage.FloodLimit{Rate: 4, Burst: 3, Period: time.Hour}
	turnCtx, allowed, err := st.AllowTurn(ctx, user, limit)
	if err != nil || !allowed {
		t.Fatalf("first token of a burst of 3: allowed %v, %v", allowed, err)
	}
	// Written outside a unit of work after the read: the read is stale.
	if err := st.SaveConversation(turnCtx, user, storage.Conversation{Flow: "onboarding", Step: "phone"}); err != nil {
		t.Fatal(err)
	}
	if got := readStepFrom(turnCtx, t, storage.New(testenv.DB(t)), st, user); got != "phone" {
		t.Fatalf("conversation read after the turn wrote it: step %q, want phone", got)
	}
	old := redis_rate.NewLimiter(rdb)
	res, err := old.Allow(ctx, st.UserKey(user, "flood"), redis_rate.Limit{Rate: 4, Burst: 3, Period: time.Hour})
	if err != nil || res.Allowed != 1 {
		t.Fatalf("redis_rate's second token: %+v, %v", res, err)
	}
	turnCtx, allowed, err = st.AllowTurn(ctx, user, limit)
	if err != nil || !allowed {
		t.Fatalf("third token of a burst of 3: allowed %v, %v", allowed, err)
	}
	if got := readStepFrom(turnCtx, t, storage.New(testenv.DB(t)), st, user); got != "phone" {
		t.Fatalf("conversation read with the flood check: step %q, want phone", got)
	}
	held, allowed, err := st.AllowTurn(ctx, user, limit)
	if err != nil || allowed {
		t.Fatalf("fourth token of a burst of 3 within the hour: allowed %v, %v", allowed, err)
	}
	if held != ctx {
		t.Error("a turn held back by the flood limit carries a conversation read")
	}
	res, err = old.Allow(ctx, st.UserKey(user, "flood"), redis_rate.Limit{Rate: 4, Burst: 3, Period: time.Hour})
	if err != nil || res.Allowed != 0 {
		t.Fatalf("redis_rate after the burst was spent: %+v, %v", res, err)
	}
}
