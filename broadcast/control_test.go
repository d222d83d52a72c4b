package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/telegramtest"
)

func TestCancelStopsTheRest(t *testing.T) {
	// Slow enough that workers wait for tokens while holding claims.
	const limit = 10
	v := newEnv(t, telegramtest.WithRateLimit(limit, 1))
	cfg := v.testConfig(limit)
	e, _ := v.engine(cfg)
	ctx := context.Background()
	ids := recipients(200)
	admin := recipients(1)[0]
	id, err := e.Start(ctx, broadcast.Spec{Kind: "drive", Text: "Hiến máu", CreatedBy: admin,
		ProgressChatID: admin, Recipients: ids})
	if err != nil {
		t.Fatal(err)
	}
	v.srv.WaitUntil(t, "20 sends", func() bool { return len(v.sends(ids)) >= 20 })
	// The engine sent the progress message itself, with a Cancel button.
	progress := v.srv.Messages(admin)
	if len(progress) != 1 || !progress[0].HasButton("bcast:v1:cancel:"+fmtID(id)) {
		t.Fatalf("admin chat holds %d messages, want 1 with a Cancel button", len(progress))
	}

	n, err := e.Cancel(ctx, id)
	if err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	cancelled := time.Now()
	atCancel := len(v.sends(ids))
	p := v.waitFinished(e, id)

	// Sends under way when Cancel returned may land, one per worker at most.
	if late := len(v.sends(ids)) - atCancel; late > cfg.Workers {
		t.Errorf("%d sends after Cancel returned, want at most %d in flight", late, cfg.Workers)
	}
	if !p.Stopped || p.Sent+p.Cancelled != len(ids) || p.Cancelled < n-cfg.Workers || p.Cancelled < 100 {
		t.Errorf("progress = %+v after cancelling %d, want the rest cancelled", p, n)
	}
	// A send in flight when Cancel marked its delivery cancelled records
	// itself as sent a moment after the broadcast looks finished.
	v.srv.WaitUntil(t, "every send recorded", func() bool {
		p, err = e.Progress(ctx, id)
		return err == nil && p.Sent == len(v.sends(ids))
	})
	v.srv.WaitUntil(t, "the final progress", func() bool {
		return strings.Contains(v.srv.LastMessage(admin).Text, "(cancelled)")
	})
	// The cancel finishes the broadcast at once, but workers still hold the
	// deliveries they claimed before it, for up to half a lease. None of
	// those may go out (once, 8 did, to donors of a closed urgent need).
	time.Sleep(time.Until(cancelled.Add(cfg.Lease/2 + 250*time.Millisecond)))
	if late := len(v.sends(ids)) - atCancel; late > cfg.Workers {
		t.Errorf("%d sends after Cancel returned and the broadcast finished, want at most %d in flight", late, cfg.Workers)
	}
	if final := v.srv.LastMessage(admin); final.InlineKeyboard != nil || final.ID != progress[0].ID {
		t.Errorf("final progress is message %d with buttons %v, want message %d edited without buttons",
			final.ID, final.Buttons(), progress[0].ID)
	}
	if again, err := e.Cancel(ctx, id); err != nil || again != 0 {
		t.Errorf("Cancel again = %d, %v; want 0, nil", again, err)
	}
}

func TestProgressIsEdited(t *testing.T) {
	const limit = 50
	v := newEnv(t, telegramtest.WithRateLimit(limit, 1))
	cfg := v.testConfig(limit)
	cfg.ChatInterval = 100 * time.Millisecond // the admin's chat sees edits only
	e, _ := v.engine(cfg)
	ctx := context.Background()
	admin := recipients(1)[0]
	b, _ := botClient(t, v.srv.URL(), v.srv.Token())
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: admin, Text: "Đang gửi…"})
	if err != nil {
		t.Fatal(err)
	}
	ids := recipients(100)
	id, err := e.Start(ctx, broadcast.Spec{Kind: "drive", Text: "Hiến máu", CreatedBy: admin,
		ProgressChatID: admin, ProgressMessageID: m.ID, Recipients: ids})
	if err != nil {
		t.Fatal(err)
	}
	v.waitFinished(e, id)
	v.srv.WaitUntil(t, "the final progress", func() bool {
		return strings.Contains(v.srv.LastMessage(admin).Text, "(done)")
	})

	var edits []telegramtest.Call
	for _, c := range v.srv.CallsOf("editMessageText") {
		if c.OK() && c.Params["chat_id"] == fmtID(admin) {
			edits = append(edits, c)
		}
	}
	if len(edits) < 4 {
		t.Fatalf("%d edits of the progress message in a 2s broadcast, want at least 4", len(edits))
	}
	// Every edit but the final one waits ProgressEvery after the previous
	// (less the jitter of two sends).
	for i := 1; i < len(edits)-1; i++ {
		if gap := edits[i].At.Sub(edits[i-1].At); gap < cfg.ProgressEvery*3/4 {
			t.Errorf("edits %d and %d only %v apart, want at least %v", i-1, i, gap, cfg.ProgressEvery)
		}
	}
	if !strings.Contains(edits[0].Params["reply_markup"], "bcast:v1:cancel:"+fmtID(id)) {
		t.Errorf("first edit's markup %s has no Cancel button", edits[0].Params["reply_markup"])
	}
	msgs := v.srv.Messages(admin)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "sent 100/100") || msgs[0].InlineKeyboard != nil {
		t.Errorf("admin chat = %d messages, last %q; want the one message edited to sent 100/100", len(msgs), msgs[0].Text)
	}
}

func TestProgressMessageDeleted(t *testing.T) {
	const limit = 50
	v := newEnv(t, telegramtest.WithRateLimit(limit, 1))
	cfg := v.testConfig(limit)
	cfg.ChatInterval = 100 * time.Millisecond
	e, _ := v.engine(cfg)
	ctx := context.Background()
	admin := recipients(1)[0]
	id, err := e.Start(ctx, broadcast.Spec{Kind: "drive", Text: "Hiến máu", CreatedBy: admin,
		ProgressChatID: admin, Recipients: recipients(100)})
	if err != nil {
		t.Fatal(err)
	}
	first := v.srv.WaitMessage(t, admin, nil)
	b, _ := botClient(t, v.srv.URL(), v.srv.Token())
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: admin, MessageID: first.ID}); err != nil {
		t.Fatal(err)
	}
	v.waitFinished(e, id)
	final := v.srv.WaitText(t, admin, "(done)")
	if final.ID == first.ID || len(v.srv.Messages(admin)) != 1 {
		t.Errorf("admin chat holds %d messages, final %d; want one new progress message after %d was deleted",
			len(v.srv.Messages(admin)), final.ID, first.ID)
	}
}

func TestSendNowGoesAheadOfBulk(t *testing.T) {
	const limit = 20
	v := newEnv(t, telegramtest.WithRateLimit(limit, 1))
	cfg := v.testConfig(limit)
	cfg.Workers = 16 // a bulk send waits for ~16 tokens: 0.8s at 20/s
	e, _ := v.engine(cfg)
	ctx := context.Background()
	ids := recipients(200)
	if _, err := e.Start(ctx, broadcast.Spec{Kind: "drive", Text: "Hiến máu", Recipients: ids}); err != nil {
		t.Fatal(err)
	}
	v.srv.WaitUntil(t, "10 bulk sends", func() bool { return len(v.sends(ids)) >= 10 })

	user := recipients(1)[0]
	start := time.Now()
	if _, err := e.SendNow(ctx, user, "Cảm ơn bạn đã đăng ký", nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 300*time.Millisecond {
		t.Errorf("SendNow took %v behind the broadcast, want under 300ms", took)
	}
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{{{Text: "OK", CallbackData: "ok:v1"}}}}
	if _, err := e.SendNow(ctx, user, "Nhắc lịch: 8h sáng mai", kb); err != nil {
		t.Fatal(err)
	}
	msgs := v.srv.Messages(user)
	if len(msgs) != 2 || msgs[0].Text != "Cảm ơn bạn đã đăng ký" || !msgs[1].HasButton("ok:v1") {
		t.Fatalf("user's chat = %+v, want the reply then the reminder", msgs)
	}
	if gap := msgs[1].Date.Sub(msgs[0].Date); gap < 0 {
		t.Errorf("reminder dated before the reply")
	}
	calls := v.sends([]int64{user})
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("two messages to one chat %v apart, want at least 1s", gap)
	}
	v.checkWindows(limit, 0)
}

func TestSendNowBlocked(t *testing.T) {
	v := newEnv(t)
	e, _ := v.engine(v.testConfig(200))
	ctx := context.Background()
	user := recipients(1)[0]
	if _, err := v.store.CreateDonor(ctx, user, user, "vi", "v1"); err != nil {
		t.Fatal(err)
	}
	v.srv.Block(user)
	_, err := e.SendNow(ctx, user, "Xin chào", nil)
	if !errors.Is(err, broadcast.ErrBlocked) || !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("SendNow to a chat that blocked the bot = %v, want ErrBlocked", err)
	}
	if d, err := v.store.Donor(ctx, user); err != nil || d.UnreachableAt.IsZero() {
		t.Errorf("donor not marked unreachable (%v)", err)
	}
}

func TestStartRefuses(t *testing.T) {
	v := newEnv(t)
	b, hc := botClient(t, v.srv.URL(), v.srv.Token())
	api := botapi.NewJSONCaller(hc, v.srv.URL(), v.srv.Token())
	e, err := broadcast.New(v.testConfig(25), broadcast.Deps{Store: v.store, Redis: v.rdb, Bot: b, API: api})
	if err != nil {
		t.Fatal(err)
	}
	ok := broadcast.Spec{Kind: "drive", Text: "Hiến máu", Recipients: recipients(2)}
	for name, change := range map[string]func(*broadcast.Spec){
		"ErrTextRequired":    func(s *broadcast.Spec) { s.Text = "" },
		"ErrTextTooLong":     func(s *broadcast.Spec) { s.Text = strings.Repeat("á", 4097) },
		"ErrNoRecipients":    func(s *broadcast.Spec) { s.Recipients = nil },
		"ErrKind":            func(s *broadcast.Spec) { s.Kind = "Drive!" },
		"ErrParseMode":       func(s *broadcast.Spec) { s.ParseMode = "Markdown" },
		"ErrButton":          func(s *broadcast.Spec) { s.Buttons = [][]botapi.Button{{{Text: "x"}}} },
		"ErrNoRenderer":      func(s *broadcast.Spec) { s.ProgressChatID = 1 },
		"ErrMessageNoChatID": func(s *broadcast.Spec) { s.ProgressMessageID = 1 },
	} {
		t.Run(name, func(t *testing.T) {
			s := ok
			change(&s)
			if _, err := e.Start(context.Background(), s); !errors.Is(err, broadcast.ErrInvalid) {
				t.Errorf("Start = %v, want ErrInvalid", err)
			}
		})
	}
	waiting, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.SendNow(waiting, 1, "x", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SendNow without Run = %v, want it to wait for Run until its deadline", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	stop()
	if err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SendNow(context.Background(), 1, "x", nil); !errors.Is(err, broadcast.ErrNotRunning) {
		t.Errorf("SendNow after Run = %v, want ErrNotRunning", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg broadcast.Config
		ok  bool
	}{
		"OKDefaults":        {broadcast.Config{}, true},
		"ErrRate":           {broadcast.Config{Rate: -1}, false},
		"ErrHeadroom":       {broadcast.Config{Headroom: 0.6}, false},
		"ErrSendTimeout":    {broadcast.Config{Lease: 4 * time.Second, SendTimeout: 2 * time.Second}, false},
		"ErrBackoffOrder":   {broadcast.Config{Backoff: time.Minute, MaxBackoff: time.Second}, false},
		"OKShortLease":      {broadcast.Config{Lease: 2 * time.Second}, true},
		"ErrNegativeWorker": {broadcast.Config{Workers: -2}, false},
	} {
		t.Run(name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%t", err, tc.ok)
			}
		})
	}
}

// TestReserveLetsRepliesBurstAheadOfBulk: a conversation's replies take
// global tokens ahead of a running broadcast, and a few may go to one chat
// back to back (an answer and the next question), unlike SendNow.
func TestReserveLetsRepliesBurstAheadOfBulk(t *testing.T) {
	const limit = 20
	v := newEnv(t, telegramtest.WithRateLimit(limit, 5))
	cfg := v.testConfig(limit)
	cfg.Workers = 16
	e, _ := v.engine(cfg)
	replier, _ := botClient(t, v.srv.URL(), v.srv.Token())
	ctx := context.Background()
	ids := recipients(200)
	if _, err := e.Start(ctx, broadcast.Spec{Kind: "drive", Text: "Hiến máu", Recipients: ids}); err != nil {
		t.Fatal(err)
	}
	v.srv.WaitUntil(t, "10 bulk sends", func() bool { return len(v.sends(ids)) >= 10 })
	user := recipients(1)[0]
	before := len(v.sends(ids))
	for i := range 3 {
		if err := e.Reserve(ctx, user); err != nil {
			t.Fatal(err)
		}
		if _, err := replier.SendMessage(ctx, &bot.SendMessageParams{ChatID: user, Text: fmt.Sprintf("trả lời %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// At 20/s, waiting behind the 16 queued bulk workers would let about
	// 16 bulk sends through per reply; ahead of them only a few slip by.
	if during := len(v.sends(ids)) - before; during > 12 {
		t.Errorf("%d bulk sends went out during 3 replies, want the replies served first", during)
	}
	v.checkWindows(limit, 0)
}
