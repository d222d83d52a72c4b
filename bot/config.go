package bot

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"donorbot/broadcast"
	"donorbot/drive"
	"donorbot/handlers"
	"donorbot/quiet"
)

// Config is every setting of a donorbot process, read from the environment.
type Config struct {
	Token         string `env:"TELEGRAM_BOT_TOKEN"`
	APIURL        string `env:"TELEGRAM_API_URL" envDefault:"https://api.telegram.org"`
	DatabaseURL   string `env:"DATABASE_URL,required"`
	DatabaseConns int    `env:"DATABASE_CONNS" envDefault:"16"`
	RedisURL      string `env:"REDIS_URL,required"`
	WebhookURL    string `env:"WEBHOOK_URL"`
	WebhookSecret string `env:"WEBHOOK_SECRET"`
	// PublicURL is the HTTPS address the bot's listener is reached at by
	// Telegram's clients; empty: the scheme and host of an https
	// WEBHOOK_URL (see ConsoleURL).
	PublicURL   string        `env:"PUBLIC_URL"`
	ListenAddr  string        `env:"LISTEN_ADDR" envDefault:"127.0.0.1:8080"`
	MetricsAddr string        `env:"METRICS_ADDR"` // empty: /metrics on LISTEN_ADDR
	AdminIDs    []int64       `env:"ADMIN_IDS" envSeparator:","`
	TimeZone    string        `env:"TZ" envDefault:"Asia/Ho_Chi_Minh"`
	Workers     int           `env:"WORKERS" envDefault:"64"`
	RedisPrefix string        `env:"REDIS_PREFIX" envDefault:"donorbot:"`
	FloodPerMin int           `env:"FLOOD_PER_MINUTE" envDefault:"40"`
	ConvTTL     time.Duration `env:"CONVERSATION_TTL" envDefault:"72h"`
	InboxLease  time.Duration `env:"INBOX_LEASE" envDefault:"2m"`
	PollTimeout time.Duration `env:"POLL_TIMEOUT" envDefault:"50s"`
	LogLevel    string        `env:"LOG_LEVEL" envDefault:"info"`

	BroadcastRate    int             `env:"BROADCAST_RATE" envDefault:"25"`
	BroadcastWorkers int             `env:"BROADCAST_WORKERS" envDefault:"8"`
	BroadcastLease   time.Duration   `env:"BROADCAST_LEASE" envDefault:"1m"`
	ReplyPerMinute   int             `env:"REPLY_PER_MINUTE" envDefault:"60"`
	ReplyBurst       int             `env:"REPLY_BURST" envDefault:"20"`
	ReminderOffsets  []time.Duration `env:"REMINDER_OFFSETS" envDefault:"24h,2h" envSeparator:","`
	ReminderInterval time.Duration   `env:"REMINDER_INTERVAL" envDefault:"30s"`
	// UrgentPaidBroadcast sends the first UrgentPaidBroadcastCap alerts of
	// each urgent need as Telegram paid broadcasts (allow_paid_broadcast):
	// up to 1,000 messages/s, each beyond the free limit billed in Stars.
	// Off by default; announcements and reminders never are.
	UrgentPaidBroadcast    bool `env:"URGENT_PAID_BROADCAST" envDefault:"false"`
	UrgentPaidBroadcastCap int  `env:"URGENT_PAID_BROADCAST_CAP" envDefault:"1000"`
	// QuietHours is when non-urgent messages do not reach donors (package
	// quiet); unset is DefaultQuietHours, empty is none.
	QuietHours string `env:"QUIET_HOURS"`
	// ContactCap is how many non-urgent messages (announcements, recalls,
	// invitations) a donor gets per 30 days (mobilize.UnderCap); 0 is none.
	ContactCap int `env:"CONTACT_CAP" envDefault:"4"`
	// CheckinSecret signs the donors' check-in codes; empty derives one
	// from the bot token (see CheckinKey).
	CheckinSecret string `env:"CHECKIN_SECRET"`
	// CheckinOpensBefore is how long before a drive's first slot its
	// check-in desk opens (never before the drive's day).
	CheckinOpensBefore time.Duration `env:"CHECKIN_OPENS_BEFORE" envDefault:"1h"`

	// Location is TimeZone loaded by Validate.
	Location *time.Location `env:"-"`
	// Quiet is QuietHours parsed by Validate.
	Quiet quiet.Hours `env:"-"`
}

// DefaultQuietHours is QUIET_HOURS when it is not set. It is not an
// envDefault: that would also replace an empty value, which means none.
const DefaultQuietHours = "21:00-07:00"

// LoadConfig reads Config from environ (KEY=VALUE strings) and validates it.
// Every error is one line naming the variable.
func LoadConfig(environ []string) (Config, error) {
	var cfg Config
	err := env.ParseWithOptions(&cfg, env.Options{Environment: env.ToMap(environ)})
	if err != nil {
		return Config{}, configError(err)
	}
	if _, set := env.ToMap(environ)["QUIET_HOURS"]; !set {
		cfg.QuietHours = DefaultQuietHours
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

var (
	tokenPattern  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	// Redis SCAN patterns are built on the prefix (ForgetUser): a glob
	// character in it (* ? [ ] \) would reach other applications' keys.
	redisPrefixPattern = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,256}$`)
	// A webhook path is a literal http.ServeMux pattern: a space would
	// read as a method, a brace as a wildcard.
	webhookPathPattern = regexp.MustCompile(`^/[A-Za-z0-9_.~/-]*$`)
)

// ownPaths are served on LISTEN_ADDR by the bot itself.
var ownPaths = []string{"/healthz", "/metrics"}

// webhookPath is the path WEBHOOK_URL's updates arrive on, checked to be
// servable next to the bot's own paths.
func webhookPath(webhookURL string) (string, error) {
	u, err := url.Parse(webhookURL)
	if err != nil {
		return "", fmt.Errorf("config: WEBHOOK_URL is %q: want an http(s) URL", webhookURL)
	}
	p := u.Path
	if p == "" {
		p = "/"
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if !webhookPathPattern.MatchString(p) || p != clean {
		return "", fmt.Errorf("config: WEBHOOK_URL path %q: want a clean path of A-Z a-z 0-9 _ - . ~ /", p)
	}
	if slices.Contains(ownPaths, clean) {
		return "", fmt.Errorf("config: WEBHOOK_URL path %q is the bot's own: choose another, e.g. /telegram/webhook", p)
	}
	return p, nil
}

// Validate checks the settings that parsing alone cannot and loads Location.
func (c *Config) Validate() error {
	if c.ContactCap < 0 {
		return errors.New("config: CONTACT_CAP is negative: want 0 (no cap) or more")
	}
	if c.Token != "" && !tokenPattern.MatchString(c.Token) {
		return errors.New("config: TELEGRAM_BOT_TOKEN is malformed: expected <digits>:<letters> as given by @BotFather")
	}
	if err := checkURL("TELEGRAM_API_URL", c.APIURL); err != nil {
		return err
	}
	if c.WebhookURL != "" {
		if err := checkURL("WEBHOOK_URL", c.WebhookURL); err != nil {
			return err
		}
		if _, err := webhookPath(c.WebhookURL); err != nil {
			return err
		}
		if !secretPattern.MatchString(c.WebhookSecret) {
			return errors.New("config: WEBHOOK_SECRET is required with WEBHOOK_URL: 1-256 characters of A-Z a-z 0-9 _ -")
		}
	}
	if c.PublicURL != "" {
		if err := checkPublicURL(c.PublicURL); err != nil {
			return err
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil || c.MetricsAddr == c.ListenAddr {
			return fmt.Errorf("config: METRICS_ADDR is %q: want a host:port other than LISTEN_ADDR", c.MetricsAddr)
		}
	}
	if !redisPrefixPattern.MatchString(c.RedisPrefix) {
		return fmt.Errorf("config: REDIS_PREFIX is %q: want 1-256 of A-Z a-z 0-9 _ - . : / (no glob characters)", c.RedisPrefix)
	}
	for _, id := range c.AdminIDs {
		if id <= 0 {
			return fmt.Errorf("config: ADMIN_IDS holds %d: Telegram user ids are positive", id)
		}
	}
	if c.DatabaseConns < 2 || c.DatabaseConns > 1000 {
		return fmt.Errorf("config: DATABASE_CONNS is %d: want 2..1000", c.DatabaseConns)
	}
	if c.Workers < 1 || c.Workers > 1024 {
		return fmt.Errorf("config: WORKERS is %d: want 1..1024", c.Workers)
	}
	if c.FloodPerMin < 1 {
		return fmt.Errorf("config: FLOOD_PER_MINUTE is %d: want at least 1", c.FloodPerMin)
	}
	if c.ConvTTL < time.Minute {
		return fmt.Errorf("config: CONVERSATION_TTL is %s: want at least 1m", c.ConvTTL)
	}
	if c.InboxLease < time.Second {
		return fmt.Errorf("config: INBOX_LEASE is %s: want at least 1s", c.InboxLease)
	}
	if c.PollTimeout < time.Second || c.PollTimeout > 10*time.Minute {
		return fmt.Errorf("config: POLL_TIMEOUT is %s: want 1s..10m", c.PollTimeout)
	}
	if err := c.broadcastConfig().Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if _, err := drive.ReminderRules(c.ReminderOffsets); err != nil {
		return fmt.Errorf("config: REMINDER_OFFSETS: %v", err)
	}
	if c.ReminderInterval < 100*time.Millisecond {
		return fmt.Errorf("config: REMINDER_INTERVAL is %s: want at least 100ms", c.ReminderInterval)
	}
	if c.UrgentPaidBroadcast && (c.UrgentPaidBroadcastCap < 1 || c.UrgentPaidBroadcastCap > 100_000) {
		return fmt.Errorf("config: URGENT_PAID_BROADCAST_CAP is %d: want 1..100000 paid alerts per need", c.UrgentPaidBroadcastCap)
	}
	if c.CheckinOpensBefore < 0 || c.CheckinOpensBefore > 24*time.Hour {
		return fmt.Errorf("config: CHECKIN_OPENS_BEFORE is %s: want 0..24h", c.CheckinOpensBefore)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return fmt.Errorf("config: TZ is %q: not a time zone name like Asia/Ho_Chi_Minh", c.TimeZone)
	}
	c.Location = loc
	q, err := quiet.Parse(c.QuietHours)
	if err != nil {
		return fmt.Errorf("config: QUIET_HOURS is %q: %v", c.QuietHours, err)
	}
	c.Quiet = q
	return nil
}

// CheckinKey is the key signing check-in codes: CHECKIN_SECRET, or else a
// hash of the bot token, which every process of one bot shares and which
// changes (voiding codes in circulation) when the token is revoked.
func (c Config) CheckinKey() []byte {
	if c.CheckinSecret != "" {
		return []byte(c.CheckinSecret)
	}
	sum := sha256.Sum256([]byte("donorbot check-in codes\x00" + c.Token))
	return sum[:]
}

// ConsoleURL is where Telegram's clients open the organizer console:
// PUBLIC_URL, or else the scheme and host of WEBHOOK_URL, plus /console/.
// Empty without either, or with a webhook that is not https (a test's fake
// server): Telegram opens Mini Apps only over HTTPS, so no button opens it.
func (c Config) ConsoleURL() string {
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil {
			return "" // Validate refused it
		}
		return u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/") + handlers.ConsolePath
	}
	if c.WebhookURL == "" {
		return ""
	}
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return "https://" + u.Host + handlers.ConsolePath
}

// checkPublicURL accepts an https URL with at most a path: a reverse
// proxy may serve the bot under a prefix, but a query or fragment would
// end up in the middle of the console's address.
func checkPublicURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		u = &url.URL{}
	}
	prefix := strings.TrimSuffix(u.Path, "/")
	if u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		prefix != "" && (prefix == "/" || !webhookPathPattern.MatchString(prefix) || path.Clean(prefix) != prefix) {
		return fmt.Errorf("config: PUBLIC_URL is %q: want an https URL such as https://donorbot.example.org (Telegram opens Mini Apps only over HTTPS)", raw)
	}
	return nil
}

// IsAdmin reports whether id is listed in ADMIN_IDS.
func (c Config) IsAdmin(id int64) bool {
	for _, a := range c.AdminIDs {
		if a == id {
			return true
		}
	}
	return false
}

func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("config: %s is %q: want an http(s) URL", name, raw)
	}
	return nil
}

// configError rewrites the env library's errors, which name struct fields,
// into one line naming the environment variable.
func configError(err error) error {
	var agg env.AggregateError
	if errors.As(err, &agg) && len(agg.Errors) > 0 {
		err = agg.Errors[0]
	}
	var notSet env.VarIsNotSetError
	if errors.As(err, &notSet) {
		return fmt.Errorf("config: %s is not set", notSet.Key)
	}
	var parse env.ParseError
	if errors.As(err, &parse) {
		return fmt.Errorf("config: %s is malformed: %v", envName(parse.Name), parse.Err)
	}
	return fmt.Errorf("config: %w", err)
}

func envName(field string) string {
	f, ok := reflect.TypeFor[Config]().FieldByName(field)
	if !ok {
		return field
	}
	name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return name
}

// broadcastConfig is the broadcast engine's share of the settings.
func (c Config) broadcastConfig() broadcast.Config {
	return broadcast.Config{Rate: c.BroadcastRate, Workers: c.BroadcastWorkers, Lease: c.BroadcastLease,
		KeyPrefix: c.RedisPrefix, ReplyPerMinute: c.ReplyPerMinute, ReplyBurst: c.ReplyBurst}
}

// urgentPaidCap is how many alerts of one urgent need go as paid
// broadcasts: 0 unless URGENT_PAID_BROADCAST is on.
func (c Config) urgentPaidCap() int {
	if !c.UrgentPaidBroadcast {
		return 0
	}
	return c.UrgentPaidBroadcastCap
}
