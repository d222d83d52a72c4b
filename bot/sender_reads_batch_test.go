package bot

import (
	"context"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"donorbot/internal/testenv"
	"donorbot/storage"
)

// TestSenderReadsOfOneBatch: two updates of one chat stored by one
// statement both come with their sender as they were before either turn
// ran. The first turn switches the donor to English; the second turn must
// see it, so it reads the donor itself rather than take its stale read.
// The turns run on the dispatcher, reading and writing in units of work
// on PostgreSQL as handlers do.
func TestSenderReadsOfOneBatch(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	id := testenv.TelegramID()
	if _, err := s.CreateDonor(ctx, id, id, "vi", "v1"); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2030, time.May, 16, 0, 0, 0, 0, time.UTC)
	base := id * 10
	t.Cleanup(func() { s.DB().MustExec(`DELETE FROM updates WHERE update_id IN ($1, $2)`, base+1, base+2) })
	seen := make(chan string, 2)
	d := newDispatcher(2, 4, func(ctx context.Context, upd *models.Update) {
		wctx, w, err := s.BeginWork(ctx)
		if err != nil {
			t.Error(err)
			return
		}
		defer w.Rollback()
		donor, err := s.DonorWithRecord(wctx, id, day)
		if err != nil {
			t.Error(err)
			return
		}
		seen <- donor.Language
		if upd.ID == base+1 {
			if err := s.SetDonorLanguage(wctx, id, "en"); err != nil {
				t.Error(err)
				return
			}
		}
		if _, err := w.Commit(ctx, upd.ID); err != nil {
			t.Error(err)
		}
	})
	d.start(ctx)
	defer d.stop(5 * time.Second)

	turns := d.turns.of(id) // as the inbox notes it, before the statement
	got, err := s.AcceptUpdatesWithSenders(ctx, day, []storage.NewUpdate{
		{UpdateID: base + 1, ChatID: id, UserID: id, Payload: []byte(`{}`)},
		{UpdateID: base + 2, ChatID: id, UserID: id, Payload: []byte(`{}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range got {
		if a.Sender == nil || !a.Sender.Found() {
			t.Fatalf("update %d: %+v, want its sender read", i+1, a)
		}
		if err := d.dispatchRead(ctx, message(base+int64(i)+1, id), &prefetched{read: a.Sender, chatID: id, turns: turns}); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []string{"vi", "en"} {
		select {
		case lang := <-seen:
			if lang != want {
				t.Errorf("turn %d saw the donor's language %q, want %q", i+1, lang, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("turn %d did not run", i+1)
		}
	}
}
