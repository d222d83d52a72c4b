package telegramtest

import "time"

// Option configures a Server.
type Option func(*config)

type config struct {
	token           string
	botFirstName    string
	botUsername     string
	specJSON        []byte
	waitTimeout     time.Duration
	webhookBackoff  time.Duration
	webhookAttempts int
	webhookTimeout  time.Duration
	globalRate      int
	chatRate        int
	firstUpdateID   int64
	latency         time.Duration
	now             func() time.Time
	onCall          func(Call)
}

// WithToken makes the server accept token instead of DefaultToken. The bot id
// reported by getMe is the token's numeric prefix.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithBotUser sets the first name and username getMe reports.
func WithBotUser(firstName, username string) Option {
	return func(c *config) { c.botFirstName, c.botUsername = firstName, username }
}

// WithSpecJSON checks requests against the given Bot API spec (an
// api.min.json document) instead of the embedded copy in apispec: a
// maintainer can try a newer spec before scripts/update-bot-api-spec.sh
// makes it the repository's.
func WithSpecJSON(raw []byte) Option { return func(c *config) { c.specJSON = raw } }

// WithWaitTimeout sets how long the Wait* helpers wait before failing the
// test (default 5s).
func WithWaitTimeout(d time.Duration) Option { return func(c *config) { c.waitTimeout = d } }

// WithWebhookRetry sets the pause before a failed webhook delivery is tried
// again (default 50ms) and how many attempts an update gets before it is
// dropped (default 50).
func WithWebhookRetry(backoff time.Duration, maxAttempts int) Option {
	return func(c *config) { c.webhookBackoff, c.webhookAttempts = backoff, maxAttempts }
}

// WithWebhookTimeout bounds one webhook POST (default 10s).
func WithWebhookTimeout(d time.Duration) Option { return func(c *config) { c.webhookTimeout = d } }

// WithRateLimit answers 429 (retry_after 1) to message-sending calls beyond
// globalPerSecond in one wall-clock second, or beyond perChatPerSecond to one
// chat. Zero means unlimited. See SendWindows.
func WithRateLimit(globalPerSecond, perChatPerSecond int) Option {
	return func(c *config) { c.globalRate, c.chatRate = globalPerSecond, perChatPerSecond }
}

// WithFirstUpdateID fixes the first update_id. By default it is random in
// a range of 2^40 from one million: a bot cannot get away with assuming ids
// start at 1, and fake servers of tests that share a database do not hand
// out the same ids, which the bot would rightly drop as redeliveries. The
// range is wide because many servers run at once against one database: in a
// range of thousands, two of them soon hand out the same id.
func WithFirstUpdateID(id int64) Option { return func(c *config) { c.firstUpdateID = id } }

// WithLatency delays every answer by d (see SetLatency).
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithClock replaces time.Now for message dates and rate-limit windows.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithCallHook calls f with every call right after it is recorded, before
// the bot has its answer: load drivers time the bot's replies with it. f
// runs on the request's goroutine and must be quick; it must treat the
// Call as read-only.
func WithCallHook(f func(Call)) Option { return func(c *config) { c.onCall = f } }
