// Package bot is donorbot's runtime: it takes updates in by long polling or
// webhook, stores them before acknowledging, hands them to per-chat ordered
// workers through middleware (logging, recover, flood limit), serves health
// and metrics, and shuts down without losing what it accepted.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"donorbot/botapi"
	"donorbot/broadcast"
	"donorbot/handlers"
	"donorbot/storage"
)

// App is one running donorbot process.
type App struct {
	cfg        Config
	log        *slog.Logger
	metrics    *Metrics
	store      *storage.Store
	state      *storage.State
	rdb        *redis.Client
	tg         *tg.Bot
	handlers   *handlers.Handlers
	engine     *broadcast.Engine
	httpClient *http.Client
	inbox      *inbox
	dispatcher *dispatcher
	listener   net.Listener
	metricsLn  net.Listener // nil: /metrics is on listener
	timeouts   HTTPTimeouts
	extra      []tg.Middleware // faults injected by tests (export_test.go)
	pages      map[string]http.Handler
	now        func() time.Time // the handlers' clock; nil: time.Now
	consoleAt  func(listenAddr string) string
	consoleURL string // where the menu and "Open console" buttons open; "": none
}

// Option adjusts an App beyond its Config.
type Option func(*App)

// WithRoute serves h at pattern (http.ServeMux syntax) next to /healthz
// and /metrics on LISTEN_ADDR; the playground mounts its chat page so.
func WithRoute(pattern string, h http.Handler) Option {
	return func(a *App) {
		if a.pages == nil {
			a.pages = map[string]http.Handler{}
		}
		a.pages[pattern] = h
	}
}

// WithClock sets the handlers' clock (reminders, urgent need timers); tests
// move it forward instead of waiting.
func WithClock(now func() time.Time) Option {
	return func(a *App) { a.now = now }
}

// WithConsoleAt makes the console's address url(the listener's address)
// instead of Config.ConsoleURL, and so exempts it from PUBLIC_URL's HTTPS
// rule: for the playground, whose emulator (not Telegram) opens the
// console, on this machine, over plain http.
func WithConsoleAt(url func(listenAddr string) string) Option {
	return func(a *App) { a.consoleAt = url }
}

// New connects to PostgreSQL (applying pending migrations), Redis and the
// Bot API, and binds the HTTP listener. Nothing is served until Run.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...Option) (*App, error) {
	if cfg.Token == "" {
		return nil, errors.New("config: TELEGRAM_BOT_TOKEN is not set: talk to @BotFather in Telegram, send /newbot, and set the token it gives you")
	}
	if cfg.Location == nil {
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
	}
	a := &App{cfg: cfg, log: log, metrics: NewMetrics(), timeouts: DefaultHTTPTimeouts}
	for _, o := range opts {
		o(a)
	}
	a.httpClient = apiClient(a.metrics, cfg.PollTimeout)
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()

	store, err := storage.OpenConns(ctx, cfg.DatabaseURL, cfg.DatabaseConns)
	if err != nil {
		return nil, err
	}
	a.store = store
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := store.CheckSchema(ctx); err != nil {
		return nil, err
	}
	for _, id := range cfg.AdminIDs {
		if err := store.GrantRole(ctx, id, storage.RoleAdmin, 0, 0); err != nil {
			return nil, err
		}
	}

	redisOpts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("config: REDIS_URL is malformed: %w", err)
	}
	// Fail fast while Redis is away: every use of Redis has a fallback
	// (PostgreSQL dedupe, an open flood gate), and go-redis's default
	// retries would hold each update for seconds instead.
	redisOpts.MaxRetries, redisOpts.DialerRetries = 1, 1
	a.rdb = redis.NewClient(redisOpts)
	a.state = storage.NewState(a.rdb, cfg.RedisPrefix, cfg.ConvTTL)
	if err := a.state.Ping(ctx); err != nil {
		return nil, err
	}

	// The listener first: the console's address may be its own.
	a.listener, err = net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	a.consoleURL = cfg.ConsoleURL()
	if a.consoleAt != nil {
		a.consoleURL = a.consoleAt(a.listener.Addr().String())
	}
	if err := a.connectTelegram(ctx); err != nil {
		return nil, err
	}
	a.dispatcher = newDispatcher(cfg.Workers, 64, a.handleUpdate)
	a.inbox = newInbox(store, a.metrics, a.log, a.handlers.Today, &a.dispatcher.turns)

	if cfg.MetricsAddr != "" {
		if a.metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return nil, fmt.Errorf("listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
	}
	ok = true
	return a, nil
}

// connectTelegram builds the Telegram side in dependency order: a client
// that sends (the engine's, and who the bot is), the broadcast engine on
// it, the handlers on the engine, and last the client that takes updates
// in, whose middleware answers users through the handlers.
func (a *App) connectTelegram(ctx context.Context) error {
	sender, err := tg.New(a.cfg.Token,
		tg.WithServerURL(a.cfg.APIURL),
		tg.WithHTTPClient(a.cfg.PollTimeout, a.httpClient),
		tg.WithSkipGetMe(),
	)
	if err != nil {
		return fmt.Errorf("telegram client: %w", err)
	}
	me, err := sender.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("telegram getMe at %s: %w", a.cfg.APIURL, redactToken(err, a.cfg.Token))
	}
	texts, err := handlers.LoadTexts()
	if err != nil {
		return err
	}
	render := handlers.NewProgressRenderer(texts)
	a.engine, err = broadcast.New(a.cfg.broadcastConfig(), broadcast.Deps{
		Store: a.store, State: a.state, Redis: a.rdb, Bot: sender, Log: a.log.With("component", "broadcast"), Render: render,
		API: botapi.NewJSONCaller(a.httpClient, a.cfg.APIURL, a.cfg.Token),
		OnOutcome: func(kind string, outcome storage.DeliveryStatus) {
			if outcome == storage.DeliveryPending {
				outcome = "retried"
			}
			a.metrics.Deliveries.WithLabelValues(kind, string(outcome)).Inc()
		},
		// The handlers exist once the engine does, and before it runs.
		OnProgress: func(ctx context.Context, b storage.Broadcast) error {
			if a.handlers == nil {
				return nil
			}
			return a.handlers.BroadcastProgress(ctx, b)
		}})
	if err != nil {
		return err
	}
	h, err := handlers.New(handlers.Deps{
		Texts:       texts,
		Store:       a.store,
		State:       a.state,
		Broadcaster: a.engine,
		Log:         a.log,
		Location:    a.cfg.Location,
		IsAdmin:     a.isAdmin,
		OnError:     func() { a.metrics.Errors.WithLabelValues("error").Inc() },
		OnQueued:    func(kind string, n int) { a.metrics.Queued.WithLabelValues(kind).Add(float64(n)) },
		OnRecall:    func(stage string) { a.metrics.Recalls.WithLabelValues(stage).Inc() },
		ContactCap:  a.cfg.ContactCap,
		OnContactSkipped: func(kind string, n int) {
			a.metrics.ContactSkipped.WithLabelValues(kind).Add(float64(n))
		},
		BotUsername:     me.Username,
		ReminderOffsets: a.cfg.ReminderOffsets,
		QuietHours:      a.cfg.Quiet,
		CheckinSecret:   a.cfg.CheckinKey(),
		CheckinOpens:    a.cfg.CheckinOpensBefore,
		UrgentPaidCap:   a.cfg.urgentPaidCap(),
		ConsoleURL:      a.consoleURL,
		Now:             a.now,
	})
	if err != nil {
		return err
	}
	a.handlers = h
	a.tg, err = tg.New(a.cfg.Token,
		tg.WithServerURL(a.cfg.APIURL),
		tg.WithHTTPClient(a.cfg.PollTimeout, a.httpClient),
		tg.WithSkipGetMe(),
		tg.WithNotAsyncHandlers(), // our dispatcher already runs chats in parallel
		tg.WithMiddlewares(append([]tg.Middleware{
			observe(a.log, a.metrics),
			recoverPanics(a.log, a.metrics, h),
			limitFlood(a.log, a.state, a.cfg.FloodPerMin, h),
		}, a.extra...)...),
		tg.WithErrorsHandler(func(err error) { a.log.Error("telegram client", "err", err) }),
	)
	if err != nil {
		return fmt.Errorf("telegram client: %w", err)
	}
	h.Register(a.tg)
	return nil
}

// remind retries pending erasures and runs the scheduled jobs (reminders,
// no-shows, urgent needs) every REMINDER_INTERVAL.
func (a *App) remind(ctx context.Context) {
	tick := time.NewTicker(a.cfg.ReminderInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		// First and apart: a failing reminder must not hold up an erasure.
		if err := a.handlers.SweepErasures(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("sweep erasures", "err", err)
		}
		if err := a.handlers.SendReminders(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("scheduled jobs", "err", err)
		}
	}
}

func (a *App) isAdmin(ctx context.Context, userID int64) (bool, error) {
	if a.cfg.IsAdmin(userID) {
		return true, nil
	}
	return a.store.HasRole(ctx, userID, storage.RoleAdmin)
}

// Addr is the address the HTTP server listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// MetricsAddr is the address /metrics is served on.
func (a *App) MetricsAddr() string {
	if a.metricsLn == nil {
		return a.Addr()
	}
	return a.metricsLn.Addr().String()
}

// handleUpdate runs one update through middleware and handlers, then marks it
// handled. An update cut short by shutdown stays unhandled for the next start.
func (a *App) handleUpdate(ctx context.Context, upd *models.Update) {
	var committed storage.CommitFlag
	hctx, cancel := context.WithTimeout(storage.WithCommitFlag(ctx, &committed), 30*time.Second)
	defer cancel()
	a.tg.ProcessUpdate(hctx, upd)
	if ctx.Err() != nil || committed.Marked(upd.ID) {
		return // stopped, or marked handled in the commit of its effects
	}
	if err := a.inbox.done(ctx, upd.ID); err != nil {
		a.log.Error("mark update handled", "update_id", upd.ID, "err", err)
	}
}

// Run serves until ctx ends, then shuts down gracefully: intake stops first,
// updates in hand finish, pools close last.
func (a *App) Run(ctx context.Context) error {
	defer a.close()
	admins, err := a.handlers.Admins(ctx, a.cfg.AdminIDs)
	if err != nil {
		return err
	}
	if err := a.handlers.SetCommands(ctx, a.tg, admins); err != nil {
		a.log.Error("publish command menus and menu buttons", "err", err)
	}
	// The routes come first: nothing they could refuse may follow setWebhook.
	hookPath := ""
	if a.cfg.WebhookURL != "" {
		if hookPath, err = webhookPath(a.cfg.WebhookURL); err != nil {
			return err
		}
	}
	handler := a.routes(hookPath)
	if err := a.setupIntake(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	// The engine outlives the dispatcher: handlers finishing their update
	// during shutdown still send through it.
	engineCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	engineDone := make(chan struct{})
	go func() {
		if err := a.engine.Run(engineCtx); err != nil {
			a.log.Error("broadcast engine", "err", err)
		}
		close(engineDone)
	}()
	a.dispatcher.start(ctx)
	srv := a.server(handler)
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(a.listener) }()
	var metricsSrv *http.Server
	if a.metricsLn != nil {
		metricsSrv = a.server(a.metricsRoutes())
		go func() { serveErr <- metricsSrv.Serve(a.metricsLn) }()
	}
	sweepDone := make(chan struct{})
	go func() { a.sweep(ctx); close(sweepDone) }()
	remindDone := make(chan struct{})
	go func() { a.remind(ctx); close(remindDone) }()
	pollDone := make(chan struct{})
	if a.cfg.WebhookURL == "" {
		go func() { a.poll(ctx); close(pollDone) }()
	} else {
		close(pollDone)
	}
	a.log.Info("donorbot serving", "addr", a.Addr(), "webhook", a.cfg.WebhookURL != "", "workers", a.cfg.Workers)

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		runErr = fmt.Errorf("http server: %w", err)
	}
	a.log.Info("donorbot stopping")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		a.log.Error("http shutdown", "err", err)
	}
	if metricsSrv != nil {
		if err := metricsSrv.Shutdown(shutdownCtx); err != nil {
			a.log.Error("metrics http shutdown", "err", err)
		}
	}
	<-pollDone
	<-sweepDone
	<-remindDone
	a.dispatcher.stop(20 * time.Second)
	stopEngine()
	<-engineDone
	a.log.Info("donorbot stopped")
	return runErr
}

// setupIntake registers the webhook with Telegram, or removes it for long
// polling (getUpdates is refused while a webhook is set).
func (a *App) setupIntake(ctx context.Context) error {
	if a.cfg.WebhookURL == "" {
		if _, err := a.tg.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
			return fmt.Errorf("deleteWebhook: %w", err)
		}
		return nil
	}
	_, err := a.tg.SetWebhook(ctx, &tg.SetWebhookParams{
		URL:            a.cfg.WebhookURL,
		SecretToken:    a.cfg.WebhookSecret,
		AllowedUpdates: allowedUpdates,
		MaxConnections: 40,
	})
	if err != nil {
		return fmt.Errorf("setWebhook: %w", err)
	}
	return nil
}

func (a *App) close() {
	if a.listener != nil {
		a.listener.Close()
	}
	if a.metricsLn != nil {
		a.metricsLn.Close()
	}
	if a.rdb != nil {
		if err := a.rdb.Close(); err != nil {
			a.log.Error("close redis", "err", err)
		}
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("close postgres", "err", err)
		}
	}
}

// Handlers exposes the handlers, for tests that drive them as another
// process would.
func (a *App) Handlers() *handlers.Handlers { return a.handlers }
