package botapi

import (
	"errors"
	"time"

	"github.com/go-telegram/bot"
)

// FloodWait reports whether err is Telegram's 429 Too Many Requests answer
// and how long it asked to wait, a second at least. errors.As, not
// bot.IsTooManyRequestsError, because the latter does not see through
// wrapping.
func FloodWait(err error) (time.Duration, bool) {
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) {
		return 0, false
	}
	return time.Duration(max(tooMany.RetryAfter, 1)) * time.Second, true
}

// Retry makes call, and again after each 429 answer, at most attempts calls
// in all. Before calling again it runs wait with the time Telegram asked
// for; if wait fails (no time left) Retry gives up and returns the 429.
// Other errors are returned at once: only flood control says that the same
// call will succeed later.
func Retry(attempts int, call func() error, wait func(time.Duration) error) error {
	for attempt := 1; ; attempt++ {
		err := call()
		d, flood := FloodWait(err)
		if !flood || attempt >= attempts {
			return err
		}
		if wait(d) != nil {
			return err
		}
	}
}
