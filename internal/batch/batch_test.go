package batch

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBatcherGroupsConcurrentCalls: calls made while a statement runs ride
// the next one together; each caller gets its own result; a failed
// statement fails exactly its own calls.
func TestBatcherGroupsConcurrentCalls(t *testing.T) {
	var statements, largest atomic.Int64
	release := make(chan struct{})
	b := New(1, 50, time.Second, func(ctx context.Context, ins []int) ([]int, error) {
		statements.Add(1)
		if int64(len(ins)) > largest.Load() {
			largest.Store(int64(len(ins)))
		}
		if ins[0] == 0 {
			<-release // the first statement holds the slot while the rest queue
		}
		outs := make([]int, len(ins))
		for i, in := range ins {
			if in < 0 {
				return nil, errors.New("negative")
			}
			outs[i] = in * 10
		}
		return outs, nil
	})
	ctx := context.Background()
	first := make(chan int, 1)
	go func() { out, _ := b.Do(ctx, 0); first <- out }()
	for b.PendingLen() != 0 || statements.Load() == 0 {
		time.Sleep(time.Millisecond) // until the first statement runs
	}
	var wg sync.WaitGroup
	errs := make(chan error, 120)
	for i := 1; i <= 120; i++ {
		wg.Go(func() {
			out, err := b.Do(ctx, i)
			if err != nil || out != i*10 {
				errs <- errors.Join(err, errors.New("wrong result"))
			}
		})
	}
	for b.PendingLen() < 120 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := <-first; got != 0 {
		t.Errorf("first call got %d", got)
	}
	// 1 + ceil(120/50) statements: the queued calls went in batches of 50.
	if n := statements.Load(); n != 4 || largest.Load() != 50 {
		t.Errorf("%d statements, largest %d calls; want 4 and 50", n, largest.Load())
	}
	if _, err := b.Do(ctx, -1); err == nil {
		t.Error("a failed statement reported success")
	}
	if out, err := b.Do(ctx, 3); err != nil || out != 30 {
		t.Errorf("after a failure: %d, %v", out, err)
	}
}

// TestBatcherCallerGivesUp: a caller whose context ends stops waiting; the
// statement under way still completes for the others.
func TestBatcherCallerGivesUp(t *testing.T) {
	release, running := make(chan struct{}), make(chan struct{}, 1)
	b := New(1, 10, time.Second, func(ctx context.Context, ins []int) ([]int, error) {
		running <- struct{}{}
		<-release
		return ins, nil
	})
	other := make(chan int, 1)
	go func() { out, _ := b.Do(context.Background(), 7); other <- out }()
	<-running
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Do(ctx, 8); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v", err)
	}
	close(release)
	if got := <-other; got != 7 {
		t.Errorf("other caller got %d, want 7", got)
	}
}
