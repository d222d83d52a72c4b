package botapi

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestFloodWait(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		wait  time.Duration
		flood bool
	}{
		{"Nil", nil, 0, false},
		{"Other", bot.ErrorForbidden, 0, false},
		{"429", &bot.TooManyRequestsError{RetryAfter: 7}, 7 * time.Second, true},
		// bot.IsTooManyRequestsError misses this one.
		{"Wrapped", fmt.Errorf("send message to 1: %w", &bot.TooManyRequestsError{RetryAfter: 3}), 3 * time.Second, true},
		{"ZeroIsOneSecond", &bot.TooManyRequestsError{}, time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if wait, flood := FloodWait(tt.err); wait != tt.wait || flood != tt.flood {
				t.Fatalf("FloodWait = %v, %t; want %v, %t", wait, flood, tt.wait, tt.flood)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	tooMany := fmt.Errorf("wrapped: %w", &bot.TooManyRequestsError{RetryAfter: 2})
	errNoTime := errors.New("no time left")
	tests := []struct {
		name     string
		answers  []error // of successive calls
		attempts int
		waitErr  error
		calls    int
		waits    []time.Duration
		err      error
	}{
		{"FirstTime", []error{nil}, 3, nil, 1, nil, nil},
		{"AfterOne429", []error{tooMany, nil}, 3, nil, 2, []time.Duration{2 * time.Second}, nil},
		{"AttemptsSpent", []error{tooMany, tooMany, tooMany}, 3, nil, 3, []time.Duration{2 * time.Second, 2 * time.Second}, tooMany},
		{"NoTimeToWait", []error{tooMany, nil}, 3, errNoTime, 1, []time.Duration{2 * time.Second}, tooMany},
		{"OtherErrorsAtOnce", []error{bot.ErrorBadRequest, nil}, 3, nil, 1, nil, bot.ErrorBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var waits []time.Duration
			err := Retry(tt.attempts, func() error {
				calls++
				return tt.answers[calls-1]
			}, func(d time.Duration) error {
				waits = append(waits, d)
				return tt.waitErr
			})
			if !errors.Is(err, tt.err) || calls != tt.calls || fmt.Sprint(waits) != fmt.Sprint(tt.waits) {
				t.Fatalf("Retry = %v after %d calls, waits %v; want %v, %d calls, waits %v",
					err, calls, waits, tt.err, tt.calls, tt.waits)
			}
		})
	}
}
