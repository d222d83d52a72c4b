package storage_test

import (
	"context"
	"testing"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestTurnWritesWitnessesEveryWrite: the runtime counts a chat's writes
// from this witness (bot's prefetched), so each way a turn writes reports
// to it: a unit of work's commit at once, and a statement that may write
// outside a unit (Store.q, a guarded insert, a plain transaction); a plain
// read does not.
func TestTurnWritesWitnessesEveryWrite(t *testing.T) {
	s := storage.New(testenv.DB(t))
	donors := newDonors(t, s, 2)
	donor, leaving := donors[0], donors[1]
	for _, c := range []struct {
		name    string
		write   func(ctx context.Context) error
		commits int
		outside bool
	}{
		{"a plain read", func(ctx context.Context) error { _, err := s.Donor(ctx, donor); return err }, 0, false},
		{"a write on the pool", func(ctx context.Context) error { return s.SetDonorLanguage(ctx, donor, "en") }, 0, true},
		{"a guarded insert", func(ctx context.Context) error {
			_, err := s.CreateUnit(ctx, "club", "CLB witness "+unique(), "wit"+unique())
			return err
		}, 0, true},
		{"a unit of work", func(ctx context.Context) error {
			wctx, w, err := s.BeginWork(ctx)
			if err != nil {
				return err
			}
			defer w.Rollback()
			if err := s.SetDonorLanguage(wctx, donor, "vi"); err != nil {
				return err
			}
			_, err = w.Commit(ctx, testenv.TelegramID())
			return err
		}, 1, false},
		{"an outbox mark, which no sender read reads", func(ctx context.Context) error {
			return s.MarkOutboxSent(ctx, []storage.OutboxRow{{UpdateID: testenv.TelegramID(), Seq: 0}})
		}, 0, false},
		{"a transaction of its own", func(ctx context.Context) error { return s.DeleteDonor(ctx, leaving, testNow) }, 0, true},
	} {
		commits := 0
		ctx, tw := storage.WithTurnWrites(context.Background(), func() { commits++ })
		if err := c.write(ctx); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if commits != c.commits || tw.Outside() != c.outside {
			t.Errorf("%s: %d commits, outside %t; want %d, %t", c.name, commits, tw.Outside(), c.commits, c.outside)
		}
	}
}
