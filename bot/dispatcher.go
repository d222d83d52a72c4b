package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"donorbot/storage"
)

// errStopped is returned by dispatch after stop began.
var errStopped = errors.New("dispatcher stopped")

// dispatcher runs updates on a fixed number of workers. A chat's updates
// wait in its own queue and one worker at a time takes them, in arrival
// order, while other chats proceed in parallel: a chat never waits behind
// another chat's turn while a worker is free. Intake is bounded: when
// workers fall behind, dispatch waits instead of piling up updates.
type dispatcher struct {
	handle func(context.Context, *models.Update)
	// ready holds the chats with queued updates that no worker has in
	// hand; its capacity is the bound on queued updates, so a send to it
	// never blocks (a chat in it has at least one).
	ready   chan *chatQueue
	slots   chan struct{} // one per update dispatched and not yet finished
	workers int

	mu      sync.RWMutex
	stopped bool
	qmu     sync.Mutex
	chats   map[int64]*chatQueue // chats with updates queued or running
	// held are the updates queued or running here, whose inbox leases the
	// sweeper renews: a slow queue must not look like a dead process.
	heldMu sync.Mutex
	held   map[int64]int
	// turns counts each chat's writes, which tells a turn whether the
	// read of its sender that came with its update is still fresh.
	turns    turnCounts
	inflight sync.WaitGroup // updates dispatched and not yet finished
	wg       sync.WaitGroup // workers
	quit     chan struct{}
	cancel   context.CancelFunc
}

// chatQueue is one chat's updates not yet taken (guarded by qmu).
type chatQueue struct {
	id      int64
	pending []queued
}

// queued is an update waiting for its turn, with its sender's read when
// the inbox made one.
type queued struct {
	upd    *models.Update
	sender *prefetched
}

// newDispatcher bounds the updates queued or running at workers*queueLen.
func newDispatcher(workers, queueLen int, handle func(context.Context, *models.Update)) *dispatcher {
	bound := workers * queueLen
	return &dispatcher{
		handle: handle, workers: workers,
		ready: make(chan *chatQueue, bound), slots: make(chan struct{}, bound),
		chats: map[int64]*chatQueue{}, held: map[int64]int{}, quit: make(chan struct{}),
	}
}

// start launches the workers. Their context is detached from ctx so that
// updates in hand finish during shutdown; stop cancels it only at its deadline.
func (d *dispatcher) start(ctx context.Context) {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel = cancel
	for range d.workers {
		d.wg.Go(func() {
			for {
				select {
				case cq := <-d.ready:
					d.run(wctx, cq)
				case <-d.quit:
					return
				}
			}
		})
	}
}

// run handles cq's updates in order until it has none, or until another
// chat is waiting for a worker: then cq goes back behind it, so that a busy
// chat cannot keep a worker from the others.
func (d *dispatcher) run(ctx context.Context, cq *chatQueue) {
	for {
		d.qmu.Lock()
		next := cq.pending[0]
		cq.pending[0] = queued{}
		cq.pending = cq.pending[1:]
		d.qmu.Unlock()
		if ctx.Err() == nil {
			d.turn(ctx, cq.id, next)
		} // else past the grace period: left in the inbox for the next start
		d.finish(next.upd.ID)
		d.qmu.Lock()
		switch {
		case len(cq.pending) == 0:
			delete(d.chats, cq.id)
			d.qmu.Unlock()
			return
		case len(d.ready) > 0:
			d.ready <- cq
			d.qmu.Unlock()
			return
		}
		d.qmu.Unlock()
	}
}

// turn handles one update of chat, counting the turn's commits (see
// prefetched): each unit of work's, at once, and the turn itself once
// finished if it ran a statement that may write outside a unit.
func (d *dispatcher) turn(ctx context.Context, chat int64, next queued) {
	tctx, writes := storage.WithTurnWrites(next.sender.withSender(ctx, &d.turns),
		func() { d.turns.wrote(chat) })
	d.handle(tctx, next.upd)
	if writes.Outside() {
		d.turns.wrote(chat)
	}
}

// dispatch queues upd behind earlier updates of its chat.
func (d *dispatcher) dispatch(ctx context.Context, upd *models.Update) error {
	return d.dispatchRead(ctx, upd, nil)
}

// dispatchRead is dispatch with the read of upd's sender the inbox made
// (nil: none), which its turn uses if still fresh.
func (d *dispatcher) dispatchRead(ctx context.Context, upd *models.Update, sender *prefetched) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.stopped {
		return errStopped
	}
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	d.hold(upd.ID)
	d.inflight.Add(1)
	chatID, _ := Route(upd)
	d.qmu.Lock()
	defer d.qmu.Unlock()
	if cq := d.chats[chatID]; cq != nil {
		cq.pending = append(cq.pending, queued{upd, sender}) // its worker, or ready, has it
		return nil
	}
	cq := &chatQueue{id: chatID, pending: []queued{{upd, sender}}}
	d.chats[chatID] = cq
	d.ready <- cq
	return nil
}

func (d *dispatcher) finish(id int64) {
	d.release(id)
	<-d.slots
	d.inflight.Done()
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

// stop refuses new updates, lets the workers finish what is queued, and
// cancels the handlers still running after grace. Unfinished updates stay in
// the inbox and are handled after restart.
func (d *dispatcher) stop(grace time.Duration) {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	d.stopped = true
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		d.cancel()
		<-done
	}
	d.cancel()
	close(d.quit)
	d.wg.Wait()
}
