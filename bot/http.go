package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"donorbot/handlers"
)

// HTTPTimeouts bound each connection to the HTTP server, so that a slow or
// idle client (a keep-alive connection left open, headers sent a byte at a
// time) cannot hold a connection, and its goroutine, forever.
type HTTPTimeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultHTTPTimeouts: a webhook body is read within Read, and its answer,
// which waits for the update's statement (inboxTimeout), as well as the
// playground's 25 s long poll, are written within Write.
var DefaultHTTPTimeouts = HTTPTimeouts{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Write:      60 * time.Second,
	Idle:       90 * time.Second,
}

// WithHTTPTimeouts replaces DefaultHTTPTimeouts (tests shorten them).
func WithHTTPTimeouts(t HTTPTimeouts) Option {
	return func(a *App) { a.timeouts = t }
}

func (a *App) server(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: a.timeouts.ReadHeader, ReadTimeout: a.timeouts.Read,
		WriteTimeout: a.timeouts.Write, IdleTimeout: a.timeouts.Idle}
}

// routes serves the webhook, /healthz, the console, the extra pages and, unless
// METRICS_ADDR serves it apart, /metrics.
func (a *App) routes(webhookPath string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", a.healthz)
	if a.cfg.MetricsAddr == "" {
		mux.Handle("/metrics", a.metrics.Handler())
	}
	// The console checks each request's initData itself; without a public
	// HTTPS address no button opens it, but it costs nothing to serve.
	mux.Handle(handlers.ConsolePath, a.handlers.Console(a.cfg.Token))
	for pattern, h := range a.pages {
		mux.Handle(pattern, h)
	}
	if webhookPath != "" {
		mux.HandleFunc(webhookPath, a.webhook)
	}
	return mux
}

func (a *App) metricsRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", a.metrics.Handler())
	return mux
}

// healthz reports whether PostgreSQL and Redis answer; 503 if either does
// not. It names the dependency that is down and nothing more: whoever can
// reach LISTEN_ADDR need not learn addresses or errors, which are logged.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	report := map[string]string{"postgres": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := a.store.Ping(ctx); err != nil {
		a.log.Error("healthz: postgres down", "err", err)
		report["postgres"] = "down"
		status = http.StatusServiceUnavailable
	}
	if err := a.state.Ping(ctx); err != nil {
		a.log.Error("healthz: redis down", "err", err)
		report["redis"] = "down"
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(report); err != nil {
		a.log.Debug("healthz write", "err", err)
	}
}
