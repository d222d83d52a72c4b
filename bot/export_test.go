package bot

import tg "github.com/go-telegram/bot"

// WithMiddleware adds a middleware after the runtime's own (so inside
// recover and the flood limit), for tests to inject faults.
func WithMiddleware(m tg.Middleware) Option {
	return func(a *App) { a.extra = append(a.extra, m) }
}
