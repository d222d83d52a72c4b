// Package playground runs donorbot with no Telegram at all: the bot talks to
// the in-repo Bot API emulator (telegramtest, the fake server of the tests),
// and a chat page served by the bot at /playground lets a person play
// several Telegram users in a browser. It is for trying donorbot out: a
// newcomer, an organizer deciding whether to adopt it, a developer offline.
package playground

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"donorbot/bot"
	"donorbot/demo"
	"donorbot/storage"
	"donorbot/telegramtest"
)

// User is one simulated Telegram user the page can switch to.
type User struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Role  string `json:"role"` // donor, club_admin or organizer
	Lang  string `json:"lang"` // Telegram's language_code
	Phone string `json:"phone"`
}

// Users are the playground's people: two new donors (Vietnamese and
// English speaking), the admin of the first demo club, an organizer who is
// also an admin (as ADMIN_IDS would make them), and Bình, a regular donor
// already onboarded, whose history, donor card and recall (eligible again
// today) can be seen at once; so every journey can be played.
func Users() []User {
	return []User{
		{ID: 910001, Name: "Lan", Role: "donor", Lang: "vi", Phone: "+84901000001"},
		{ID: 910002, Name: "Sam", Role: "donor", Lang: "en", Phone: "+84901000002"},
		{ID: 910003, Name: "Hùng", Role: "club_admin", Lang: "vi", Phone: "+84901000003"},
		{ID: 910004, Name: "Mai", Role: "organizer", Lang: "vi", Phone: "+84901000004"},
		{ID: ReturningDonorID, Name: "Bình", Role: "donor", Lang: "vi", Phone: "+84901000005"},
	}
}

// ReturningDonorID is Bình, the onboarded donor with a history.
const ReturningDonorID = 910005

// Playground is a running emulator with its simulated users.
type Playground struct {
	API   *telegramtest.Server
	users []User

	mu    sync.Mutex
	taps  map[int64][]int64 // update ids of each user's latest taps, for the bot's answers
	codes codeSource        // the bot's /mycode texts; nil until the bot is built
	now   func() time.Time  // the bot's clock, which signs the console's initData too
}

// Option adjusts a playground.
type Option func(*Playground)

// WithClock runs the playground's bot, its demo data and the console's
// signing on now instead of the wall clock: a test of a drive day needs
// the same hour of the day whenever it runs.
func WithClock(now func() time.Time) Option { return func(p *Playground) { p.now = now } }

// New starts the Bot API emulator on a random loopback port. It checks the
// bot's requests against the Bot API spec embedded in the binary, so a
// request the real server would reject is refused here too.
func New() (*Playground, error) {
	api, err := telegramtest.NewServer(
		telegramtest.WithBotUser("DonorBot", "donorbot_playground_bot"),
		// update_id is unique in the bot's inbox for good: ids of an earlier
		// run on the same database must not come back, or the bot would
		// drop the new updates as already handled.
		telegramtest.WithFirstUpdateID(time.Now().UnixMilli()),
	)
	if err != nil {
		return nil, err
	}
	p := &Playground{API: api, users: Users(), taps: map[int64][]int64{}, now: time.Now}
	for _, u := range p.users {
		api.AddUser(p.telegramUser(u))
	}
	return p, nil
}

// Close stops the emulator.
func (p *Playground) Close() { p.API.Close() }

func (p *Playground) telegramUser(u User) telegramtest.User {
	return telegramtest.User{ID: u.ID, FirstName: u.Name, LastName: "Playground", LanguageCode: u.Lang}
}

func (p *Playground) user(id int64) (User, bool) {
	for _, u := range p.users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// Configure points cfg at the emulator: its token and URL, long polling,
// the organizer as an admin, and no public address (the console opens on
// the playground's own, see Start).
func (p *Playground) Configure(cfg *bot.Config) {
	cfg.Token, cfg.APIURL = p.API.Token(), p.API.URL()
	cfg.WebhookURL, cfg.WebhookSecret, cfg.PublicURL = "", "", ""
	for _, u := range p.users {
		if u.Role == "organizer" {
			cfg.AdminIDs = append(cfg.AdminIDs, u.ID)
		}
	}
}

// GrantRoles gives the organizer and the club admin their roles; the club
// admin gets the first demo club, which Seed created.
func (p *Playground) GrantRoles(ctx context.Context, store *storage.Store, club storage.Unit) error {
	for _, u := range p.users {
		var err error
		switch u.Role {
		case "organizer":
			err = store.GrantRole(ctx, u.ID, storage.RoleOrganizer, 0, 0)
		case "club_admin":
			err = store.GrantRole(ctx, u.ID, storage.RoleClubAdmin, club.ID, 0)
		}
		if err != nil {
			return fmt.Errorf("playground: roles: %w", err)
		}
	}
	return nil
}

// Instance is a donorbot wired to a playground, ready to Run.
type Instance struct {
	*Playground
	App *bot.App
	// URL is the chat page, e.g. http://127.0.0.1:8080/playground/.
	URL string
}

// Start prepares a playground donorbot: the emulator, the bot configured
// for it (migrations applied), the demo data (Seed is idempotent, so a
// restart finds the same data) and the roles. The page is served on
// cfg.ListenAddr next to /healthz and /metrics once Run is called.
func Start(ctx context.Context, cfg bot.Config, log *slog.Logger, opts ...Option) (*Instance, error) {
	p, err := New()
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		o(p)
	}
	p.Configure(&cfg)
	if cfg.Location == nil {
		if err := cfg.Validate(); err != nil {
			p.Close()
			return nil, err
		}
	}
	if err := p.prepareData(ctx, cfg); err != nil {
		p.Close()
		return nil, err
	}
	app, err := bot.New(ctx, cfg, log,
		bot.WithRoute("/playground/", p.Handler()),
		bot.WithRoute("/{$}", http.RedirectHandler("/playground/", http.StatusFound)),
		bot.WithConsoleAt(consoleURL),
		bot.WithClock(p.now))
	if err != nil {
		p.Close()
		return nil, err
	}
	p.mu.Lock()
	p.codes = app.Handlers().CheckinCode
	p.mu.Unlock()
	return &Instance{Playground: p, App: app, URL: pageURL(app.Addr())}, nil
}

// pageURL is the address a browser on this machine opens: a listener on
// every interface (0.0.0.0 in a container, published by docker compose) is
// reached on loopback.
func pageURL(listen string) string { return origin(listen) + "/playground/" }

// origin is the scheme and host a browser on this machine reaches listen at.
func origin(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			listen = net.JoinHostPort("127.0.0.1", port)
		}
	}
	return "http://" + listen
}

func (p *Playground) prepareData(ctx context.Context, cfg bot.Config) error {
	// bot.New would migrate too, but the demo data needs the schema first.
	now := p.now().In(cfg.Location)
	_, err := demo.SeedDatabase(ctx, cfg.DatabaseURL, now, func(store *storage.Store, sum demo.Summary) error {
		if err := p.GrantRoles(ctx, store, sum.Clubs[0]); err != nil {
			return err
		}
		return p.seedReturningDonor(ctx, store, sum, now)
	})
	return err
}

// Run serves until ctx ends, then stops the bot and the emulator.
func (i *Instance) Run(ctx context.Context) error {
	defer i.Close()
	return i.App.Run(ctx)
}
