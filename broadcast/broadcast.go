// Package broadcast sends drive announcements, reminders and urgent blood
// needs to many Telegram chats within Telegram's limits, and sends the bot's
// one-to-one messages (SendNow) through the same limits ahead of them.
//
// # Limits
//
// Every process shares one limiter in Redis (go-redis/redis_rate): Rate
// messages per second in all, and one message per ChatInterval to any one
// chat. A 429 answer pauses every process for its retry_after (a Redis key),
// after which the message is tried again.
//
// # Delivery guarantee
//
// Start writes the broadcast and one delivery row per recipient to PostgreSQL
// in one transaction before anything is sent; the rows are the queue. Workers
// claim a few rows at a time (FOR UPDATE SKIP LOCKED, stamped claimed_at) and
// record each outcome right after its send. Hence:
//
//   - Nothing is lost. A process that dies (kill -9, power loss) leaves its
//     claimed rows pending; any process takes them over once the lease has
//     run out, including the same process after a restart.
//   - A recipient gets the message twice only when its send was in flight:
//     Telegram had accepted it but the process died before recording it.
//     Each worker has at most one send in flight, so one crash duplicates at
//     most Workers messages. A worker stops sending from its claim once half
//     the lease has passed, so a live claim is never taken over.
//   - Outside a crash, a message may arrive twice only if Telegram's answer
//     was lost (timeout, reset connection: the send is retried) or
//     PostgreSQL stayed unreachable for longer than the lease while the
//     outcome was being recorded.
//   - Recipients who blocked the bot are recorded as blocked, marked
//     unreachable, and skipped by later broadcasts until they write again.
//   - Scheduled messages (reminders) are queued as deliveries of a system
//     broadcast by storage, in the transaction that marks them due; each
//     carries its own text and keyboard, and gets the same guarantees.
//   - After Cancel returns, nothing more is sent but what was under way: at
//     most one send per worker in this process, and in other processes the
//     deliveries their workers hold (at most Workers×Batch each).
package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot"
	"github.com/redis/go-redis/v9"

	"donorbot/botapi"
	"donorbot/internal/batch"
	"donorbot/storage"
)

var (
	// ErrInvalid is returned by Start for a broadcast that cannot be sent.
	ErrInvalid = errors.New("broadcast: invalid")
	// ErrBlocked is returned by SendNow and EditNow when the user blocked
	// the bot; the donor is then marked unreachable.
	ErrBlocked = errors.New("broadcast: bot blocked by the user")
	// ErrNotRunning is returned by SendNow and EditNow once Run has ended.
	ErrNotRunning = errors.New("broadcast: engine is not running")
)

// Config tunes the engine; a zero field takes its default.
type Config struct {
	// Rate is how many messages per second all processes send together
	// (BROADCAST_RATE; default 25, under Telegram's about 30).
	Rate int
	// PaidRate is how many paid deliveries (Spec.Paid) per second all
	// processes send together, besides Rate: Telegram lets a bot that pays
	// in Stars for allow_paid_broadcast send up to 1,000 (the default).
	PaidRate int
	// ChatInterval is the least time between two messages to one chat
	// (default 1s).
	ChatInterval time.Duration
	// Headroom is the fraction of Rate and of the chat rate held back so
	// that a send arriving a few milliseconds late still falls within the
	// one-second windows Telegram counts in (default 0.03).
	Headroom float64
	// Workers is how many deliveries this process sends at once (default 8).
	Workers int
	// Batch is how many deliveries a worker claims at a time (default 5).
	Batch int
	// Lease is how long a claim holds; older claims are taken over
	// (default 1m).
	Lease time.Duration
	// MaxAttempts is how many failed sends make a delivery failed (default 5).
	MaxAttempts int
	// Backoff is the wait after the first failed send, doubled after each
	// next one up to MaxBackoff (defaults 5s and 10m).
	Backoff, MaxBackoff time.Duration
	// SendTimeout bounds one Bot API call (default 15s, at most Lease/4).
	SendTimeout time.Duration
	// Poll is how often idle workers look for work queued by other
	// processes (default 1s; work queued here wakes them at once).
	Poll time.Duration
	// ProgressEvery is the least time between two edits of a progress
	// message (default 3s).
	ProgressEvery time.Duration
	// KeyPrefix starts every Redis key (default "donorbot:").
	KeyPrefix string
	// ReplyPerMinute and ReplyBurst bound the replies Reserve lets through
	// to one chat: sustained rate and burst (defaults 60 and 20).
	ReplyPerMinute, ReplyBurst int
	// MarkLinger is how long the marks of a flush's last calls wait at
	// least for the chat's next turn to carry them before a timer marks
	// them, at most twice as long (default 25ms; see owed_marks.go).
	MarkLinger time.Duration
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Rate == 0 {
		c.Rate = 25
	}
	if c.PaidRate == 0 {
		c.PaidRate = 1000
	}
	if c.Headroom == 0 {
		c.Headroom = 0.03
	}
	if c.Workers == 0 {
		c.Workers = 8
	}
	if c.Batch == 0 {
		c.Batch = 5
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 5
	}
	if c.ReplyPerMinute == 0 {
		c.ReplyPerMinute = 60
	}
	if c.ReplyBurst == 0 {
		c.ReplyBurst = 20
	}
	if c.KeyPrefix == "" {
		c.KeyPrefix = "donorbot:"
	}
	def(&c.ChatInterval, time.Second)
	def(&c.Lease, time.Minute)
	def(&c.Backoff, 5*time.Second)
	def(&c.MaxBackoff, 10*time.Minute)
	def(&c.SendTimeout, min(15*time.Second, c.Lease/4))
	def(&c.Poll, time.Second)
	def(&c.ProgressEvery, 3*time.Second)
	def(&c.MarkLinger, 25*time.Millisecond)
	return c
}

// Validate reports the first setting out of range, after defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Rate < 1 || c.Rate > 10_000:
		return fmt.Errorf("broadcast: BROADCAST_RATE is %d: want 1..10000 messages/s", c.Rate)
	case c.PaidRate < 1 || c.PaidRate > 1000:
		return fmt.Errorf("broadcast: paid rate %d: want 1..1000 messages/s (Telegram's limit)", c.PaidRate)
	case c.Headroom < 0 || c.Headroom >= 0.5:
		return fmt.Errorf("broadcast: headroom %.2f: want 0..0.5", c.Headroom)
	case c.Workers < 1 || c.Batch < 1 || c.MaxAttempts < 1:
		return fmt.Errorf("broadcast: workers %d, batch %d, attempts %d: want at least 1", c.Workers, c.Batch, c.MaxAttempts)
	case c.SendTimeout > c.Lease/4:
		return fmt.Errorf("broadcast: send timeout %s exceeds a quarter of the lease %s", c.SendTimeout, c.Lease)
	case c.MarkLinger < 0 || c.MarkLinger > c.Lease/2:
		// Longer, and an owed mark might outlive a sweeper's lease.
		return fmt.Errorf("broadcast: mark linger %s: want 0..half the lease %s", c.MarkLinger, c.Lease)
	case c.ChatInterval < 0 || c.Backoff < 0 || c.MaxBackoff < c.Backoff || c.Poll < 0 || c.ProgressEvery < 0:
		return errors.New("broadcast: negative durations, or MaxBackoff below Backoff")
	}
	return nil
}

// Deps is what the engine works with.
type Deps struct {
	Store *storage.Store
	// State applies the conversations of outbox rows (SendOutbox).
	State *storage.State
	Redis *redis.Client
	Bot   *bot.Bot
	// API posts the outbox's text calls as the JSON they are stored as;
	// it must share Bot's HTTP client, server and token.
	API *botapi.JSONCaller
	Log *slog.Logger
	// Render draws progress messages; required when a broadcast has a
	// ProgressChatID.
	Render Renderer
	// OnOutcome, if set, is told the final outcome of every delivery (sent,
	// failed, blocked; pending: retried later) with its broadcast's kind,
	// for metrics.
	OnOutcome func(kind string, outcome storage.DeliveryStatus)
	// OnProgress, if set, is told of a broadcast without a progress message
	// while it sends (at most once per ProgressEvery across processes) and
	// once when it finishes, so that its caller can show its progress its
	// own way (an urgent need's live status).
	OnProgress func(ctx context.Context, b storage.Broadcast) error
}

// Engine sends broadcasts. Several processes may run an Engine against the
// same PostgreSQL and Redis: they share the work and the limits.
type Engine struct {
	cfg    Config
	store  *storage.Store
	state  *storage.State
	rdb    *redis.Client
	bot    *bot.Bot
	api    *botapi.JSONCaller
	log    *slog.Logger
	render Renderer
	// onOutcome is Deps.OnOutcome.
	onOutcome  func(kind string, outcome storage.DeliveryStatus)
	onProgress func(ctx context.Context, b storage.Broadcast) error
	lim        *limiter
	marks      *batch.Batcher[[]storage.OutboxRow, struct{}] // outbox calls sent
	owed       owedMarks
	running    atomic.Bool
	work       signal // new deliveries queued in this process
	nudge      signal // progress worth showing now (a cancel)

	mu       sync.Mutex
	contents map[int64]*content // by broadcast id
	// cancelled holds broadcasts cancelled through this engine, with when.
	// A mark outlives the broadcast's finish (which the cancel brings at
	// once) by a lease: workers may still hold deliveries claimed before
	// the cancel, and must not send them.
	cancelled map[int64]time.Time
}

// New builds an engine; nothing is sent until Run.
func New(cfg Config, d Deps) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Store == nil || d.Redis == nil || d.Bot == nil || d.API == nil {
		return nil, errors.New("broadcast: Store, Redis, Bot and API are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	cfg = cfg.withDefaults()
	return &Engine{
		cfg: cfg, store: d.Store, state: d.State, rdb: d.Redis, bot: d.Bot, api: d.API, log: d.Log, render: d.Render, onOutcome: d.OnOutcome,
		onProgress: d.OnProgress,
		lim:        newLimiter(d.Redis, d.Log, cfg),
		marks:      batch.New(markFlushes, markBatch, markTimeout, markSentTogether(d.Store)),
		contents:   map[int64]*content{},
		cancelled:  map[int64]time.Time{},
	}, nil
}

// Run sends until ctx ends: the workers, the limiter that SendNow also
// needs, and the progress reports. On return every unsent claim has been
// given back. Run may be called once.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("broadcast: Run called twice")
	}
	e.log.Info("broadcast engine running", "rate", e.cfg.Rate, "workers", e.cfg.Workers)
	var wg sync.WaitGroup
	wg.Go(func() { e.lim.run(ctx) })
	wg.Go(func() { e.reportProgress(ctx) })
	for range e.cfg.Workers {
		wg.Go(func() { e.deliverLoop(ctx) })
	}
	wg.Wait()
	// Handlers finishing during shutdown flushed before the stop.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err := e.markOwed(ctx); err != nil {
		e.log.Error("outbox: owed sent marks lost at stop; their last calls may repeat", "err", err)
	}
	e.log.Info("broadcast engine stopped")
	return nil
}

// Spec is a broadcast to Start.
type Spec struct {
	// Kind names what it is ("drive", "reminder_2h", "urgent"): a-z, 0-9
	// and _.
	Kind      string
	Text      string
	ParseMode string // "", "HTML" or "MarkdownV2"
	Buttons   [][]botapi.Button
	// Priority orders broadcasts: higher ones are sent first.
	Priority  int
	CreatedBy int64
	// Lang is handed to the Renderer with each Progress.
	Lang string
	// ProgressChatID is where progress is shown (0: nowhere). With a zero
	// ProgressMessageID the engine sends the message, otherwise it edits
	// that one.
	ProgressChatID    int64
	ProgressMessageID int
	// Recipients are private chat ids, which are the donors' Telegram user
	// ids, sent to in this order; repeats are sent once.
	Recipients []int64
	// Paid is how many of the first recipients are sent as a paid
	// broadcast: with allow_paid_broadcast, at PaidRate rather than Rate,
	// each message beyond the free limit billed in Stars. 0 for none.
	Paid int
	// ContactKind, if set, marks the broadcast a non-urgent message the bot
	// sends on its own initiative: recipients at the contact cap
	// (ContactCap per 30 days at ContactAt) are left out, the others
	// recorded (storage.NewBroadcast).
	ContactKind string
	ContactCap  int
	ContactAt   time.Time
}

var kindPattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// Start stores a broadcast with its deliveries and queues them; it returns
// the broadcast's id once nothing can be lost any more.
func (e *Engine) Start(ctx context.Context, s Spec) (int64, error) {
	switch n := utf8.RuneCountInString(s.Text); {
	case n == 0 || n > 4096:
		return 0, fmt.Errorf("%w: text of %d characters, want 1..4096", ErrInvalid, n)
	case len(s.Recipients) == 0:
		return 0, fmt.Errorf("%w: no recipients", ErrInvalid)
	case !kindPattern.MatchString(s.Kind):
		return 0, fmt.Errorf("%w: kind %q", ErrInvalid, s.Kind)
	case s.ParseMode != "" && s.ParseMode != "HTML" && s.ParseMode != "MarkdownV2":
		return 0, fmt.Errorf("%w: parse mode %q", ErrInvalid, s.ParseMode)
	case s.Paid < 0:
		return 0, fmt.Errorf("%w: %d paid recipients", ErrInvalid, s.Paid)
	case s.ProgressMessageID != 0 && s.ProgressChatID == 0:
		return 0, fmt.Errorf("%w: progress message without its chat", ErrInvalid)
	case s.ProgressChatID != 0 && e.render == nil:
		return 0, fmt.Errorf("%w: progress asked for but the engine has no Renderer", ErrInvalid)
	}
	markup, err := keyboardJSON(s.Buttons)
	if err != nil {
		return 0, fmt.Errorf("%w: buttons: %w", ErrInvalid, err)
	}
	b, err := e.store.CreateBroadcast(ctx, storage.NewBroadcast{
		Kind: s.Kind, Text: s.Text, ParseMode: s.ParseMode, ReplyMarkup: markup, Priority: s.Priority,
		CreatedBy: s.CreatedBy, Lang: s.Lang, ProgressChatID: s.ProgressChatID,
		ProgressMessageID: s.ProgressMessageID, Recipients: s.Recipients, Paid: s.Paid,
		ContactKind: s.ContactKind, ContactCap: s.ContactCap, ContactAt: s.ContactAt,
	})
	if err != nil {
		return 0, fmt.Errorf("broadcast: start: %w", err)
	}
	e.log.Info("broadcast started", "broadcast_id", b.ID, "kind", b.Kind, "created_by", b.CreatedBy,
		"recipients", b.Total, "priority", b.Priority, "paid", min(s.Paid, b.Total))
	e.afterCommit(ctx, func() {
		e.work.notify()
		e.nudge.notify()
	})
	return b.ID, nil
}

// afterCommit runs notify now, or, in a unit of work (storage.Work), once
// it has committed: the workers would not see its rows before.
func (e *Engine) afterCommit(ctx context.Context, notify func()) {
	if w := storage.WorkOf(ctx); w != nil {
		w.After(func(context.Context) error { notify(); return nil })
		return
	}
	notify()
}

// Wake tells this process's workers that deliveries were queued outside
// Start (scheduled messages, see storage.ScheduledMessage), so they need not
// wait for their next poll.
func (e *Engine) Wake() { e.work.notify() }

// Cancel stops a broadcast: its pending deliveries are marked cancelled and
// nothing more is sent (see the package documentation for sends already
// under way). It returns how many deliveries were cancelled; a broadcast
// that is finished cancels none. An unknown id gives storage.ErrNotFound.
func (e *Engine) Cancel(ctx context.Context, broadcastID int64) (int, error) {
	e.mu.Lock()
	e.cancelled[broadcastID] = time.Now()
	e.mu.Unlock()
	n, err := e.store.CancelBroadcast(ctx, broadcastID)
	if err != nil {
		e.mu.Lock()
		delete(e.cancelled, broadcastID)
		e.mu.Unlock()
		return 0, fmt.Errorf("broadcast: cancel %d: %w", broadcastID, err)
	}
	e.log.Info("broadcast cancelled", "broadcast_id", broadcastID, "cancelled", n)
	e.afterCommit(ctx, e.nudge.notify)
	return n, nil
}

// signal wakes every goroutine waiting on it; a notify with nobody waiting
// is not kept, except that the next C returns a fresh channel.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// C returns a channel closed at the next notify.
func (s *signal) C() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// sleep waits d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
