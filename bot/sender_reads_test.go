package bot_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/bot"
	"donorbot/internal/bottest"
	"donorbot/telegramtest"
)

// donorReadsIn counts the statements that read a turn's sender
// (storage.DonorWithRecord) in the bot's database during fn.
func donorReadsIn(t *testing.T, b *bottest.Bot, fn func()) int64 {
	t.Helper()
	if _, err := b.Store.DB().Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		t.Skipf("pg_stat_statements: %v", err)
	}
	const q = `SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query LIKE '%FROM donors WHERE telegram_id = $1) d %'`
	var before, after int64
	if err := b.Store.DB().Get(&before, q); err != nil {
		t.Skipf("pg_stat_statements not preloaded: %v", err)
	}
	fn()
	if err := b.Store.DB().Get(&after, q); err != nil {
		t.Fatal(err)
	}
	return after - before
}

// consented takes a new phone through consent: a donor from then on,
// at onboarding's first step.
func consented(b *bottest.Bot) *bottest.Phone {
	p := b.NewPhone("vi")
	p.Send("/start")
	p.Tap("✅ Tôi đồng ý")
	p.Expect("Bước 1/7", "Họ và tên")
	return p
}

// holdFirst holds the first update that match picks before its handler
// runs, until the test releases it; entered tells the test it is held.
func holdFirst(match func(*models.Update) bool) (opt bottest.Option, entered <-chan struct{}, release func()) {
	return hold(match, false, nil)
}

// hold holds the first update that match picks, before its handler runs
// or, if after, once it returned (committed, replies sent), until the test
// releases it; then runs then, if any, with the update's context.
func hold(match func(*models.Update) bool, after bool, then func(context.Context)) (opt bottest.Option, entered <-chan struct{}, release func()) {
	in, out := make(chan struct{}), make(chan struct{})
	var held atomic.Bool
	mw := func(next tg.HandlerFunc) tg.HandlerFunc {
		return func(ctx context.Context, b *tg.Bot, upd *models.Update) {
			if after {
				next(ctx, b, upd)
			}
			if match(upd) && held.CompareAndSwap(false, true) {
				close(in)
				<-out
				if then != nil {
					then(ctx)
				}
			}
			if !after {
				next(ctx, b, upd)
			}
		}
	}
	return bottest.AppOption(bot.WithMiddleware(mw)), in, sync1(func() { close(out) })
}

// sync1 runs f at most once.
func sync1(f func()) func() {
	var done atomic.Bool
	return func() {
		if done.CompareAndSwap(false, true) {
			f()
		}
	}
}

// waitStored waits until the webhook answered 200 for update id: it is
// stored, with its sender read, and queued.
func waitStored(t *testing.T, b *bottest.Bot, id int64) {
	t.Helper()
	b.API.WaitUntil(t, "the update stored", func() bool {
		return slices.ContainsFunc(b.API.Deliveries(), func(d telegramtest.Delivery) bool {
			return d.UpdateID == id && d.Status == 200
		})
	})
}

// TestFreshUpdateTurnReadsNoDonor: the statement that stores an update
// reads its sender, so the turn of a donor typing their name, and of a
// stranger's first /start, makes no statement of its own to know who
// wrote (each made one before).
func TestFreshUpdateTurnReadsNoDonor(t *testing.T) {
	b := bottest.Start(t, bottest.Webhook())
	donor := consented(b)
	stranger := b.NewPhone("vi")
	b.Settle()
	if n := donorReadsIn(t, b, func() {
		donor.Send("Nguyễn Thị Hoa")
		donor.Expect("Bước 2/7")
		stranger.Send("/start")
		stranger.Expect("Nghị định 13/2023")
		b.Settle()
	}); n != 0 {
		t.Errorf("two fresh updates' turns read their sender in %d statements, want 0", n)
	}
}

// TestSenderReadStoredDuringAnEarlierTurn: a donor taps "English" and,
// while that turn has not yet run, sends /help, which is stored (and its
// sender read) with the language still Vietnamese. The /help turn starts
// after the language changed, so it must read the donor again and answer
// in English.
func TestSenderReadStoredDuringAnEarlierTurn(t *testing.T) {
	hold, entered, release := holdFirst(func(upd *models.Update) bool {
		return upd.CallbackQuery != nil && strings.HasPrefix(upd.CallbackQuery.Data, "lang:")
	})
	b := bottest.Start(t, bottest.Webhook(), hold)
	defer release()
	p := consented(b)
	p.Send("/lang")
	p.Expect("Choose your language")
	p.Tap("English")
	<-entered
	help := p.Send("/help")
	waitStored(t, b, help)
	release()
	p.Expect("Switched to English.")
	p.Expect("Commands:")
	b.Settle()
}

// TestSenderReadOnTheEveOfTheTurn: an update stored (and its sender read)
// on one day whose turn starts the next day reads the donor again, on the
// turn's day.
func TestSenderReadOnTheEveOfTheTurn(t *testing.T) {
	hold, entered, release := holdFirst(func(upd *models.Update) bool {
		return upd.Message != nil && upd.Message.Text == "/help"
	})
	b := bottest.Start(t, bottest.Webhook(), hold)
	defer release()
	p := consented(b)
	b.Settle()
	if n := donorReadsIn(t, b, func() {
		p.Send("/help")
		<-entered
		b.Clock.Advance(24 * time.Hour)
		release()
		p.Expect("Các lệnh:")
		b.Settle()
	}); n != 1 {
		t.Errorf("a turn the day after its update was stored: %d donor reads, want 1", n)
	}
}

// TestSenderReadAfterTheLastTurnReplied: a donor answers as soon as the
// last turn's reply reaches them, while that turn still runs (here held
// once it returned). It committed before the answer was stored, so the
// answer's turn takes the read that came with it: no donor statement.
func TestSenderReadAfterTheLastTurnReplied(t *testing.T) {
	opt, entered, release := hold(func(upd *models.Update) bool {
		return upd.Message != nil && upd.Message.Text == "/help"
	}, true, nil)
	b := bottest.Start(t, bottest.Webhook(), opt)
	defer release()
	p := consented(b)
	b.Settle()
	if n := donorReadsIn(t, b, func() {
		p.Send("/help")
		p.Expect("Các lệnh:")
		<-entered
		waitStored(t, b, p.Send("/lang"))
		release()
		p.Expect("Chọn ngôn ngữ")
		b.Settle()
	}); n != 0 {
		t.Errorf("/help, then /lang stored while /help's turn still ran: %d donor reads, want 0", n)
	}
}

// TestSenderReadAfterAWriteOutsideTheUnit: a turn that writes after its
// unit of work committed (as an After function may) counts as a write of
// the chat: the next update, stored before that write, is read again.
func TestSenderReadAfterAWriteOutsideTheUnit(t *testing.T) {
	var b *bottest.Bot
	var id int64
	opt, entered, release := hold(func(upd *models.Update) bool {
		return upd.Message != nil && upd.Message.Text == "/help"
	}, true, func(ctx context.Context) {
		if err := b.Store.SetDonorLanguage(ctx, id, "en"); err != nil {
			t.Error(err)
		}
	})
	b = bottest.Start(t, bottest.Webhook(), opt)
	defer release()
	p := consented(b)
	id = p.User.ID
	p.Send("/help")
	p.Expect("Các lệnh:")
	<-entered
	waitStored(t, b, p.Send("/help"))
	release()
	p.Expect("Commands:")
	b.Settle()
}
