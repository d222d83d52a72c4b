package broadcast_test

import (
	"context"
	"testing"
	"time"

	"donorbot/broadcast"
)

// TestPaidRecipients: a broadcast to 24 chats whose first 20 are paid sends
// those 20 with allow_paid_broadcast, beyond the free rate of 2 messages/s
// (many within one second), and the last 4 without it at the free rate; a
// broadcast without paid recipients never carries it.
func TestPaidRecipients(t *testing.T) {
	v := newEnv(t)
	e, _ := v.engine(v.testConfig(2))
	ctx := context.Background()
	ids := recipients(24)
	id, err := e.Start(ctx, broadcast.Spec{Kind: "urgent", Text: "Cần máu O- gấp", Recipients: ids, Paid: 20, Priority: 10})
	if err != nil {
		t.Fatal(err)
	}
	free := recipients(3)
	fid, err := e.Start(ctx, broadcast.Spec{Kind: "drive", Text: "Ngày hội hiến máu", Recipients: free})
	if err != nil {
		t.Fatal(err)
	}
	v.waitFinished(e, id)
	v.waitFinished(e, fid)
	paid := map[string]bool{}
	for _, id := range ids[:20] {
		paid[fmtID(id)] = true
	}
	calls := v.sends(append(ids, free...))
	if len(calls) != len(ids)+len(free) {
		t.Fatalf("%d sends, want %d", len(calls), len(ids)+len(free))
	}
	var paidAt []time.Time
	for _, c := range calls {
		got := c.Params["allow_paid_broadcast"] == "true"
		if got != paid[c.Params["chat_id"]] {
			t.Errorf("send to %s: allow_paid_broadcast %q, want paid %v", c.Params["chat_id"], c.Params["allow_paid_broadcast"], !got)
		}
		if got {
			paidAt = append(paidAt, c.At)
		}
	}
	// The paid sends do not wait for the free rate's tokens: at 2/s, 20
	// would take 10 s.
	most := 0
	for i := range paidAt {
		n := 0
		for _, at := range paidAt[i:] {
			if at.Sub(paidAt[i]) < time.Second {
				n++
			}
		}
		most = max(most, n)
	}
	if most <= 4 {
		t.Errorf("at most %d paid sends within one second: held to the free rate of 2/s", most)
	}
}

// TestSendETA: the time left is the free sends at Rate and the paid ones at
// PaidRate, both less the 3% headroom, rounded up to a second.
func TestSendETA(t *testing.T) {
	v := newEnv(t)
	cfg := v.testConfig(25)
	e, _ := v.engine(cfg)
	for _, c := range []struct {
		pending, paid int
		want          time.Duration
	}{
		{0, 0, 0},
		{1, 0, time.Second},
		{1000, 0, 42 * time.Second},   // 1000 / 24.25 = 41.2
		{1000, 1000, 2 * time.Second}, // 1000 / 970 = 1.03
		{1000, 200, 34 * time.Second}, // 800 / 24.25 + 200 / 970 = 33.2
		{10, 50, time.Second},         // no more paid than pending
	} {
		if got := e.SendETA(c.pending, c.paid); got != c.want {
			t.Errorf("SendETA(%d, %d) = %s, want %s", c.pending, c.paid, got, c.want)
		}
	}
}
