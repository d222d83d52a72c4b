package batch

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Batcher runs concurrent calls of the same statement together: each call
// waits until one statement that includes it has run. No goroutine and no
// timer: a caller that finds a flush slot free flushes everything pending,
// so a lone call runs at once and calls arriving during a flush ride the
// next one. This is group commit (the inbox's, the outbox's sent marks):
// under load, a statement per batch, not one per call.
type Batcher[In, Out any] struct {
	run     func(context.Context, []In) ([]Out, error)
	max     int           // calls per statement
	slots   chan struct{} // flushes that may run at once
	timeout time.Duration // of one flush, whichever caller runs it

	mu      sync.Mutex
	pending []*batchCall[In, Out]
}

type batchCall[In, Out any] struct {
	in    In
	out   Out
	err   error
	taken bool // in a statement under way (guarded by the batcher's mu)
	done  chan struct{}
}

// New returns a Batcher whose statements run (up to max calls each, at
// most flushes at once, each bounded by timeout).
func New[In, Out any](flushes, max int, timeout time.Duration,
	run func(context.Context, []In) ([]Out, error)) *Batcher[In, Out] {
	return &Batcher[In, Out]{run: run, max: max, slots: make(chan struct{}, flushes), timeout: timeout}
}

// Do runs in as part of a batch and returns its result. When ctx ends
// first, Do returns ctx's error, but a flush already under way (or one
// that takes the call later) still completes it: the caller must treat the
// outcome as unknown, as with any statement cut off mid-flight.
func (b *Batcher[In, Out]) Do(ctx context.Context, in In) (Out, error) {
	c := &batchCall[In, Out]{in: in, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	b.mu.Unlock()
	for {
		b.mu.Lock()
		taken := c.taken
		b.mu.Unlock()
		if taken {
			// Another caller's statement carries it: only wait, or a free
			// slot would spin this loop on empty flushes.
			select {
			case <-c.done:
				return c.out, c.err
			case <-ctx.Done():
				var zero Out
				return zero, ctx.Err()
			}
		}
		select {
		case <-c.done:
			return c.out, c.err
		case b.slots <- struct{}{}:
			b.flush(ctx)
			<-b.slots
		case <-ctx.Done():
			var zero Out
			return zero, ctx.Err()
		}
	}
}

// flush runs one statement for up to max pending calls. It is detached
// from the caller's cancellation: the batch holds other callers' calls.
func (b *Batcher[In, Out]) flush(ctx context.Context) {
	b.mu.Lock()
	n := min(len(b.pending), b.max)
	batch := b.pending[:n:n]
	for _, c := range batch {
		c.taken = true
	}
	if n == len(b.pending) {
		b.pending = nil
	} else {
		b.pending = slices.Clone(b.pending[n:])
	}
	b.mu.Unlock()
	if n == 0 {
		return
	}
	ins := make([]In, n)
	for i, c := range batch {
		ins[i] = c.in
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.timeout)
	outs, err := b.run(fctx, ins)
	cancel()
	for i, c := range batch {
		if err != nil {
			c.err = err
		} else {
			c.out = outs[i]
		}
		close(c.done)
	}
}

// PendingLen is how many calls wait for a statement (tests).
func (b *Batcher[In, Out]) PendingLen() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}
