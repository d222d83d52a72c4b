package bot

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

func message(updateID, chatID int64) *models.Update {
	return &models.Update{ID: updateID, Message: &models.Message{Chat: models.Chat{ID: chatID}}}
}

// A chat whose turn is slow must not hold up another chat's update, even
// one that a fixed chat-to-worker mapping would have queued behind it
// (chats 1000 and 1004 shared a worker of four under the old sharding).
func TestDispatcherSlowChatDoesNotHoldUpAnother(t *testing.T) {
	release := make(chan struct{})
	handled := make(chan int64, 2)
	d := newDispatcher(4, 64, func(ctx context.Context, upd *models.Update) {
		if upd.Message.Chat.ID == 1000 {
			<-release
		}
		handled <- upd.Message.Chat.ID
	})
	d.start(context.Background())
	defer d.stop(5 * time.Second)
	defer close(release)
	ctx := context.Background()
	if err := d.dispatch(ctx, message(1, 1000)); err != nil {
		t.Fatal(err)
	}
	if err := d.dispatch(ctx, message(2, 1004)); err != nil {
		t.Fatal(err)
	}
	select {
	case chat := <-handled:
		if chat != 1004 {
			t.Fatalf("handled chat %d first, want 1004 while 1000 is stuck", chat)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("chat 1004 waited behind chat 1000's unfinished turn")
	}
}

// Each chat's updates run one at a time, in the order dispatched, however
// many chats share the workers.
func TestDispatcherKeepsEachChatsOrder(t *testing.T) {
	const chats, perChat = 40, 50
	var mu sync.Mutex
	seen := map[int64][]int64{}
	running := map[int64]bool{}
	var overlap []int64
	d := newDispatcher(8, 4, func(ctx context.Context, upd *models.Update) {
		chat := upd.Message.Chat.ID
		mu.Lock()
		if running[chat] {
			overlap = append(overlap, chat)
		}
		running[chat] = true
		mu.Unlock()
		time.Sleep(50 * time.Microsecond) // lets other workers race for the chat
		mu.Lock()
		running[chat] = false
		seen[chat] = append(seen[chat], upd.ID)
		mu.Unlock()
	})
	d.start(context.Background())
	ctx := context.Background()
	var wg sync.WaitGroup
	for c := range int64(chats) {
		wg.Go(func() {
			for i := range int64(perChat) {
				if err := d.dispatch(ctx, message(c*perChat+i+1, c+1)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	d.stop(10 * time.Second)
	if len(overlap) > 0 {
		t.Fatalf("chats handled two updates at once: %v", overlap)
	}
	for c := range int64(chats) {
		got := seen[c+1]
		if len(got) != perChat {
			t.Fatalf("chat %d: %d updates handled, want %d", c+1, len(got), perChat)
		}
		for i, id := range got {
			if id != c*perChat+int64(i)+1 {
				t.Fatalf("chat %d: handled %v, want ascending from %d", c+1, got, c*perChat+1)
			}
		}
	}
	if held := d.holding(); len(held) != 0 {
		t.Fatalf("after stop, %d updates still held", len(held))
	}
}
