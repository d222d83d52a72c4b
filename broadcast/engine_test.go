package broadcast_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/telegramtest"
)

func TestBroadcastReachesEveryone(t *testing.T) {
	const limit = 200
	v := newEnv(t, telegramtest.WithRateLimit(limit, 1))
	ctx := context.Background()
	ids := recipients(150)
	blocksNow := ids[10:13]     // block the bot during the broadcast
	blockedBefore := ids[20:22] // blocked it before: never sent to
	for _, id := range slices.Concat(blocksNow, blockedBefore) {
		if _, err := v.store.CreateDonor(ctx, id, id, "vi", "v1"); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range blockedBefore {
		if err := v.store.SetDonorReachable(ctx, id, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range blocksNow {
		v.srv.Block(id)
	}
	v.srv.FailNext("sendMessage", 2, http.StatusInternalServerError, 0) // retried
	e, _ := v.engine(v.testConfig(limit))
	admin := recipients(1)[0]

	id, err := e.Start(ctx, broadcast.Spec{
		Kind: "drive", Text: "Ngày hội hiến máu 1/12 tại Nhà văn hóa Thanh niên",
		Buttons:   [][]botapi.Button{{{Text: "Đăng ký", CallbackData: "reg:v1:1"}}},
		CreatedBy: admin, ProgressChatID: admin,
		Recipients: append(slices.Clone(ids), ids[0]), // a repeat is sent once
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	p := v.waitFinished(e, id)

	if p.Total != 150 || p.Sent != 145 || p.Blocked != 5 || p.Failed != 0 || p.Cancelled != 0 {
		t.Errorf("progress = %+v, want 145 of 150 sent and 5 blocked", p)
	}
	if n := len(v.sends(ids)); n != 145 {
		t.Errorf("%d successful sends, want exactly 145", n)
	}
	for _, c := range ids {
		msgs := v.srv.Messages(c)
		switch {
		case slices.Contains(blocksNow, c) || slices.Contains(blockedBefore, c):
			if len(msgs) != 0 {
				t.Errorf("chat %d blocked the bot but has %d messages", c, len(msgs))
			}
		case len(msgs) != 1:
			t.Errorf("chat %d has %d messages, want 1", c, len(msgs))
		case !strings.HasPrefix(msgs[0].Text, "Ngày hội hiến máu") || !msgs[0].HasButton("reg:v1:1"):
			t.Errorf("chat %d got %q with buttons %v", c, msgs[0].Text, msgs[0].Buttons())
		}
	}
	for _, c := range v.srv.CallsOf("sendMessage") {
		for _, b := range blockedBefore {
			if c.Params["chat_id"] == fmtID(b) {
				t.Errorf("sent to %d, who had blocked the bot before", b)
			}
		}
	}
	for _, c := range blocksNow {
		d, err := v.store.Donor(ctx, c)
		if err != nil || d.UnreachableAt.IsZero() {
			t.Errorf("donor %d blocked the bot but is not marked unreachable (%v)", c, err)
		}
	}
	v.checkWindows(limit, 0)

	v.srv.WaitUntil(t, "the final progress", func() bool {
		return strings.Contains(v.srv.LastMessage(admin).Text, "(done)")
	})
	final := v.srv.LastMessage(admin)
	if !strings.Contains(final.Text, "sent 145/150") || !strings.Contains(final.Text, "(done)") || final.InlineKeyboard != nil {
		t.Errorf("final progress %q with buttons %v, want sent 145/150 (done) and no button", final.Text, final.Buttons())
	}
}

func TestFloodWaitPausesEveryProcess(t *testing.T) {
	const limit = 200
	v := newEnv(t, telegramtest.WithRateLimit(limit, 1))
	ids := recipients(200)
	e1, c1 := v.engine(v.testConfig(limit))
	_, c2 := v.engine(v.testConfig(limit))
	id, err := e1.Start(context.Background(), broadcast.Spec{Kind: "urgent", Text: "Cần gấp máu O-", Recipients: ids})
	if err != nil {
		t.Fatal(err)
	}
	v.srv.WaitUntil(t, "40 sends", func() bool { return len(v.sends(ids)) >= 40 })
	v.srv.FailNext("sendMessage", 1, http.StatusTooManyRequests, 1)
	p := v.waitFinished(e1, id)

	if p.Sent != len(ids) || p.Failed != 0 {
		t.Errorf("progress = %+v, want all %d sent: a 429 is retried, not failed", p, len(ids))
	}
	if n := len(v.sends(ids)); n != len(ids) {
		t.Errorf("%d successful sends, want exactly %d", n, len(ids))
	}
	var floodAt time.Time
	for _, c := range v.srv.CallsOf("sendMessage") {
		if c.Status == http.StatusTooManyRequests {
			floodAt = c.At
		}
	}
	if floodAt.IsZero() {
		t.Fatal("no 429 was answered")
	}
	// Sends already under way when the 429 came may still arrive; nothing
	// sent later, by either engine, may arrive before retry_after is over.
	resumed := false
	for _, c := range v.sends(ids) {
		if d := c.At.Sub(floodAt); d > 200*time.Millisecond && d < time.Second {
			t.Errorf("a send arrived %v after the 429 with retry_after 1s", d)
		}
		resumed = resumed || c.At.After(floodAt.Add(time.Second))
	}
	if !resumed {
		t.Error("nothing was sent after the pause")
	}
	if c1.sends.Load() == 0 || c2.sends.Load() == 0 {
		t.Errorf("engines sent %d and %d: want both to share the work", c1.sends.Load(), c2.sends.Load())
	}
	v.checkWindows(limit, 1)
}

func TestTwoEnginesShareTheLimit(t *testing.T) {
	const limit = 100
	v := newEnv(t, telegramtest.WithRateLimit(limit, 1))
	ids := recipients(300)
	e1, c1 := v.engine(v.testConfig(limit)) // each alone would send at 100/s
	_, c2 := v.engine(v.testConfig(limit))
	start := time.Now()
	id, err := e1.Start(context.Background(), broadcast.Spec{Kind: "drive", Text: "Hiến máu", Recipients: ids})
	if err != nil {
		t.Fatal(err)
	}
	p := v.waitFinished(e1, id)
	took := time.Since(start)

	if p.Sent != len(ids) || len(v.sends(ids)) != len(ids) {
		t.Errorf("progress = %+v and %d sends, want exactly %d", p, len(v.sends(ids)), len(ids))
	}
	if c1.sends.Load() < 50 || c2.sends.Load() < 50 {
		t.Errorf("engines sent %d and %d: want both to share the work", c1.sends.Load(), c2.sends.Load())
	}
	t.Logf("two engines: %d messages in %v (%.0f/s, limit %d)", len(ids), took, float64(len(ids))/took.Seconds(), limit)
	v.checkWindows(limit, 0)
}

func TestFailedSends(t *testing.T) {
	v := newEnv(t, telegramtest.WithRateLimit(200, 1))
	cfg := v.testConfig(200)
	cfg.MaxAttempts = 3
	cfg.ChatInterval = 50 * time.Millisecond // retries to one chat without a 1s wait
	e, _ := v.engine(cfg)
	ctx := context.Background()

	deliver := func(t *testing.T) (chat int64, status, reason string, calls int) {
		t.Helper()
		chat = recipients(1)[0]
		id, err := e.Start(ctx, broadcast.Spec{Kind: "reminder", Text: "Nhắc lịch hiến máu", Recipients: []int64{chat}})
		if err != nil {
			t.Fatal(err)
		}
		v.waitFinished(e, id)
		const q = `SELECT status, coalesce(reason, '') FROM broadcast_deliveries WHERE broadcast_id = $1`
		if err := v.store.DB().QueryRow(q, id).Scan(&status, &reason); err != nil {
			t.Fatal(err)
		}
		for _, c := range v.srv.CallsOf("sendMessage") {
			if c.Params["chat_id"] == fmtID(chat) {
				calls++
			}
		}
		return chat, status, reason, calls
	}

	t.Run("RetriedThenSent", func(t *testing.T) {
		v.srv.FailNext("sendMessage", 2, http.StatusBadGateway, 0)
		chat, status, _, calls := deliver(t)
		if status != "sent" || calls != 3 || len(v.srv.Messages(chat)) != 1 {
			t.Errorf("status %s after %d calls, %d messages; want sent at the 3rd call", status, calls, len(v.srv.Messages(chat)))
		}
	})
	t.Run("FailedAfterMaxAttempts", func(t *testing.T) {
		v.srv.FailNext("sendMessage", 3, http.StatusBadGateway, 0)
		_, status, reason, calls := deliver(t)
		if status != "failed" || calls != 3 || !strings.Contains(reason, "502") {
			t.Errorf("status %s, reason %q after %d calls; want failed with the 502 after 3", status, reason, calls)
		}
	})
	t.Run("BadRequestFailsAtOnce", func(t *testing.T) {
		v.srv.FailNext("sendMessage", 1, http.StatusBadRequest, 0)
		_, status, reason, calls := deliver(t)
		if status != "failed" || calls != 1 || !strings.Contains(reason, "Bad Request") {
			t.Errorf("status %s, reason %q after %d calls; want failed at once", status, reason, calls)
		}
	})
}
