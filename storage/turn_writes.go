package storage

import (
	"context"
	"sync/atomic"
)

// TurnWrites witnesses, for the runtime, when a turn may have committed a
// write: each unit of work committed with it in its context calls
// onCommit as soon as its commit was attempted (whatever the outcome: a
// commit whose answer was lost may have happened), and a statement that
// may write outside a unit of work (Store.q, begin and guarded on the
// pool, e.g. in a function run after the commit) is noted for Outside.
type TurnWrites struct {
	onCommit func()
	outside  atomic.Bool
}

type turnWritesKey struct{}

// WithTurnWrites returns a context whose units of work and statements
// report to a new TurnWrites, which calls onCommit at each commit.
func WithTurnWrites(ctx context.Context, onCommit func()) (context.Context, *TurnWrites) {
	tw := &TurnWrites{onCommit: onCommit}
	return context.WithValue(ctx, turnWritesKey{}, tw), tw
}

// Outside reports whether a statement that may write ran outside a unit
// of work.
func (tw *TurnWrites) Outside() bool { return tw.outside.Load() }

// noteOutside notes a statement that may write outside a unit of work.
func noteOutside(ctx context.Context) {
	if tw, _ := ctx.Value(turnWritesKey{}).(*TurnWrites); tw != nil {
		tw.outside.Store(true)
	}
}

// noteCommit reports a unit's commit attempt.
func noteCommit(ctx context.Context) {
	if tw, _ := ctx.Value(turnWritesKey{}).(*TurnWrites); tw != nil && tw.onCommit != nil {
		tw.onCommit()
	}
}
