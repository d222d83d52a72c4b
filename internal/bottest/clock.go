package bottest

import (
	"sync"
	"time"

	"donorbot/internal/testenv"
)

// vietnam is the bot's time zone in tests (Config.TimeZone), fixed rather
// than loaded so that Epoch needs no tz database.
var vietnam = time.FixedZone("ICT", 7*3600)

// Epoch is where every test bot's clock stands until the test moves it: a
// Thursday, 10:00 in Vietnam, far from midnight, a month's end and Tết, so
// no answer depends on when the test runs. Tests date their drives from it.
var Epoch = time.Date(2030, time.May, 16, 10, 0, 0, 0, vietnam)

// FakeClock is a clock that stands still until Advance or Set moves it.
type FakeClock struct {
	mu sync.Mutex
	at time.Time
}

// NewClock is a clock standing at at.
func NewClock(at time.Time) *FakeClock { return &FakeClock{at: at} }

// Now is the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// Set moves the clock to at.
func (c *FakeClock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = at
}

// NewPhone returns a user with a Telegram id no other test has used, so a
// test never meets a donor another test (or an earlier -count iteration)
// left in the shared database.
func (b *Bot) NewPhone(lang string) *Phone { return b.Phone(testenv.TelegramID(), lang) }
