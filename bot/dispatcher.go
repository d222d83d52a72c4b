package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// errStopped is returned by dispatch after stop began.
var errStopped = errors.New("dispatcher stopped")

// dispatcher runs updates on a fixed number of workers. All updates of one
// chat go to the same worker, so a chat's updates are handled one at a time
// in arrival order while different chats proceed in parallel. The queues are
// bounded: when workers fall behind, intake waits instead of piling up
// goroutines.
type dispatcher struct {
	queues []chan *models.Update
	handle func(context.Context, *models.Update)

	mu      sync.RWMutex
	stopped bool
	// held are the updates queued or running here, whose inbox leases the
	// sweeper renews: a slow queue must not look like a dead process.
	heldMu sync.Mutex
	held   map[int64]int
	wg     sync.WaitGroup
	cancel context.CancelFunc
}

func newDispatcher(workers, queueLen int, handle func(context.Context, *models.Update)) *dispatcher {
	d := &dispatcher{handle: handle, held: map[int64]int{}}
	for range workers {
		d.queues = append(d.queues, make(chan *models.Update, queueLen))
	}
	return d
}

// start launches the workers. Their context is detached from ctx so that
// updates in hand finish during shutdown; stop cancels it only at its deadline.
func (d *dispatcher) start(ctx context.Context) {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel = cancel
	for _, q := range d.queues {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for upd := range q {
				if wctx.Err() != nil {
					continue // past the grace period: left in the inbox for the next start
				}
				d.handle(wctx, upd)
				d.release(upd.ID)
			}
		}()
	}
}

// dispatch queues upd behind earlier updates of its chat.
func (d *dispatcher) dispatch(ctx context.Context, upd *models.Update) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.stopped {
		return errStopped
	}
	chatID, _ := Route(upd)
	q := d.queues[shard(chatID, len(d.queues))]
	d.hold(upd.ID)
	select {
	case q <- upd:
		return nil
	case <-ctx.Done():
		d.release(upd.ID)
		return ctx.Err()
	}
}

func (d *dispatcher) hold(id int64) {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	d.held[id]++
}

func (d *dispatcher) release(id int64) {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	if d.held[id]--; d.held[id] <= 0 {
		delete(d.held, id)
	}
}

// holding lists the updates queued or running in this process.
func (d *dispatcher) holding() []int64 {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	ids := make([]int64, 0, len(d.held))
	for id := range d.held {
		ids = append(ids, id)
	}
	return ids
}

// holds reports whether update id is queued or running in this process.
func (d *dispatcher) holds(id int64) bool {
	d.heldMu.Lock()
	defer d.heldMu.Unlock()
	return d.held[id] > 0
}

func shard(chatID int64, n int) int {
	u := uint64(chatID)
	u ^= u >> 33 // spread sequential ids over workers
	u *= 0xff51afd7ed558ccd
	u ^= u >> 33
	return int(u % uint64(n))
}

// stop refuses new updates, lets the workers finish what is queued, and
// cancels the handlers still running after grace. Unfinished updates stay in
// the inbox and are handled after restart.
func (d *dispatcher) stop(grace time.Duration) {
	d.mu.Lock()
	if !d.stopped {
		d.stopped = true
		for _, q := range d.queues {
			close(q)
		}
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		d.cancel()
		<-done
	}
	d.cancel()
}
