package broadcast_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"donorbot/storage"
	"donorbot/internal/testenv"
)

func TestDBSpeed(t *testing.T) {
	s := storage.New(testenv.DB(t))
	ctx := context.Background()
	for _, workers := range []int{4, 16, 64} {
		b, err := s.CreateBroadcast(ctx, storage.NewBroadcast{Kind: "x", Text: "x", Recipients: recipients(10000)})
		if err != nil {
			t.Fatal(err)
		}
		_ = b
		start := time.Now()
		var n atomic.Int64
		var claimT, markT atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					t0 := time.Now()
					ds, err := s.ClaimDeliveries(ctx, 10, time.Minute)
					claimT.Add(int64(time.Since(t0)))
					if err != nil || len(ds) == 0 {
						return
					}
					for _, d := range ds {
						t1 := time.Now()
						s.MarkDeliverySent(ctx, d.ID, 1)
						markT.Add(int64(time.Since(t1)))
						n.Add(1)
					}
				}
			})
		}
		wg.Wait()
		el := time.Since(start)
		t.Logf("workers %d: %d in %v = %.0f/s; claim total %v mark total %v", workers, n.Load(), el, float64(n.Load())/el.Seconds(), time.Duration(claimT.Load()), time.Duration(markT.Load()))
	}
}
