// Package telegramtest is an in-process fake of the Telegram Bot API for
// tests and benchmarks, in the spirit of net/http/httptest.
//
// A Server listens on loopback and answers POST /bot<token>/<method> the way
// api.telegram.org does, so the bot under test is built unchanged with
// bot.WithServerURL(srv.URL()). Every request is checked against the official
// Bot API spec (api.min.json): a request the real server would reject, or
// that the spec does not describe, is answered 400 and recorded as a
// violation, and New(t) fails the test for each one at cleanup.
//
// The test plays the phone users (SendText, SendContact, TapButton,
// SendUpdate); the bot receives those updates through getUpdates or, once it
// has called setWebhook, by HTTP push with redelivery. Faults (blocked
// chats, 429 with retry_after, latency, rate limits) are injected on demand,
// and everything the bot did can be inspected (Calls, Messages) or awaited
// without sleeping (WaitMessage, WaitCalls).
//
// NewServer builds a Server without a testing.TB for benchmark commands or a
// playground: violations are then only collected.
package telegramtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// DefaultToken is the bot token a Server accepts unless WithToken is given.
// It has the shape BotFather hands out (<bot id>:<secret>), so token
// validation in the bot under test accepts it.
const DefaultToken = "123456789:TEST-token"

// DefaultBotUsername is the username getMe reports unless WithBotUser is given.
const DefaultBotUsername = "donorbot_test_bot"

// reporter is the part of testing.TB the core needs; nil outside tests, so
// the core never depends on a test being present.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Server is a fake Telegram Bot API server. All methods are safe for
// concurrent use.
type Server struct {
	cfg     config
	spec    *spec
	botID   int64
	url     string
	httpSrv *http.Server
	baseCtx context.Context
	cancel  context.CancelFunc
	client  *http.Client // webhook pushes
	bg      sync.WaitGroup
	closing sync.Once

	hookMu sync.Mutex // serialises starting and stopping webhook sessions

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	closed   bool
	inflight int // handlers running
	reporter reporter

	calls      []Call
	violations []string

	chats    map[int64]*chatState
	users    map[int64]User
	channels map[string]int64
	files    map[string]*storedFile // by file_id (photo sizes share one)
	paths    map[string]*storedFile // by file_path, for downloads
	fileSeq  int64

	updates     map[int64]*updateEntry
	pending     []*updateEntry // unconfirmed, in update_id order
	nextUpd     int64
	allowed     []string // allowed_updates; nil means Telegram's default
	pollGen     uint64
	callbacks   map[string]*callbackState
	commands    map[string][]models.BotCommand
	menuButtons map[int64]MenuButton

	hook       *webhookSession
	hookURL    string
	hookSecret string
	hookInfo   webhookInfo
	deliveries []Delivery

	blocked     map[int64]bool
	notFound    map[int64]bool
	failNext    map[string][]fault
	holds       []*holdRule
	latency     time.Duration
	globalRate  int
	chatRate    int
	windows     map[int64]int
	chatWindows map[int64]map[int64]int
	sendLog     []sendRecord
}

// NewServer starts a Server on 127.0.0.1 with a random port. It fails only
// if the spec cannot be loaded or the port cannot be opened. Close it when
// done.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{
		token:           DefaultToken,
		botFirstName:    "DonorBot Test",
		botUsername:     DefaultBotUsername,
		waitTimeout:     5 * time.Second,
		webhookBackoff:  50 * time.Millisecond,
		webhookAttempts: 50,
		webhookTimeout:  10 * time.Second,
		firstUpdateID:   1_000_000 + rand.Int64N(1<<40),
		now:             time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	botID, err := tokenBotID(cfg.token)
	if err != nil {
		return nil, err
	}
	sp, err := embeddedSpec()
	if cfg.specJSON != nil {
		sp, err = parseSpec(cfg.specJSON)
		if err != nil {
			err = fmt.Errorf("telegramtest: Bot API spec given: %w", err)
		}
	}
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("telegramtest: listen: %w", err)
	}
	s := &Server{
		cfg:         cfg,
		spec:        sp,
		botID:       botID,
		url:         "http://" + ln.Addr().String(),
		changed:     make(chan struct{}),
		chats:       map[int64]*chatState{},
		users:       map[int64]User{},
		channels:    map[string]int64{},
		files:       map[string]*storedFile{},
		paths:       map[string]*storedFile{},
		updates:     map[int64]*updateEntry{},
		nextUpd:     cfg.firstUpdateID,
		callbacks:   map[string]*callbackState{},
		commands:    map[string][]models.BotCommand{},
		menuButtons: map[int64]MenuButton{},
		blocked:     map[int64]bool{},
		notFound:    map[int64]bool{},
		failNext:    map[string][]fault{},
		latency:     cfg.latency,
		globalRate:  cfg.globalRate,
		chatRate:    cfg.chatRate,
		windows:     map[int64]int{},
		chatWindows: map[int64]map[int64]int{},
	}
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Tests push one update many times concurrently; without a large idle
	// pool every push would open a new connection and exhaust ports. No
	// pool limit below the pushes in flight: a connection returned to a
	// full pool is closed, and net/http may report that close to the
	// round trip that just read its answer ("putIdleConn: too many idle
	// connections"), seen with 1,000 pushes answered in a few batches.
	tr.MaxIdleConns = 0 // no limit
	tr.MaxIdleConnsPerHost = 4096
	s.client = &http.Client{Timeout: cfg.webhookTimeout, Transport: tr}
	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		// Request contexts derive from baseCtx, so Close ends long polls.
		BaseContext: func(net.Listener) context.Context { return s.baseCtx },
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		_ = s.httpSrv.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	return s, nil
}

func tokenBotID(token string) (int64, error) {
	idPart, secret, ok := strings.Cut(token, ":")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if !ok || err != nil || id <= 0 || secret == "" {
		return 0, fmt.Errorf("telegramtest: token %q is not <bot id>:<secret>", token)
	}
	return id, nil
}

// URL is the base URL to give the bot (bot.WithServerURL), without a
// trailing slash.
func (s *Server) URL() string { return s.url }

// Token is the only token the server accepts; others get 401 Unauthorized.
func (s *Server) Token() string { return s.cfg.token }

// BotID is the bot's user id (the numeric prefix of the token).
func (s *Server) BotID() int64 { return s.botID }

// BotUsername is the username getMe reports.
func (s *Server) BotUsername() string { return s.cfg.botUsername }

// Close stops the webhook pusher, ends pending long polls, closes the
// listener and every connection, and waits for running handlers. It is
// idempotent.
func (s *Server) Close() {
	s.closing.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.notifyLocked()
		s.mu.Unlock()
		s.stopWebhook()
		s.cancel() // ends long polls and latency sleeps
		// Not Shutdown: it waits up to 5s for connections a client dialled
		// but never used, which concurrent clients leave behind.
		_ = s.httpSrv.Close()
		s.bg.Wait()
		s.client.CloseIdleConnections()
		// Handlers still running may record a call or violation; wait for
		// them so that nothing changes after Close returns.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Await(ctx, func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.inflight == 0
		})
	})
}

// notifyLocked wakes every waiter (long polls, the webhook pusher, Wait*).
// A closed channel is a broadcast that cannot be missed: a waiter takes the
// current channel under the lock before it checks its condition.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) now() time.Time { return s.cfg.now() }

// reportf fails the test if there is one, and otherwise records a violation,
// for misuse that happens on the test's side (tapping a button not shown).
func (s *Server) reportf(format string, args ...any) {
	s.mu.Lock()
	rep := s.reporter
	if rep == nil {
		s.violations = append(s.violations, "test: "+fmt.Sprintf(format, args...))
	}
	s.mu.Unlock()
	if rep != nil {
		rep.Helper()
		rep.Errorf("telegramtest: "+format, args...)
	}
}

var errNoWebhook = errors.New("telegramtest: no webhook is set")
