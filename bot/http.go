package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

func (a *App) routes(webhookPath string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", a.healthz)
	mux.Handle("/metrics", a.metrics.Handler())
	for pattern, h := range a.pages {
		mux.Handle(pattern, h)
	}
	if webhookPath != "" {
		mux.HandleFunc(webhookPath, a.webhook)
	}
	return mux
}

// healthz reports whether PostgreSQL and Redis answer; 503 if either does not.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	report := map[string]string{"postgres": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := a.store.Ping(ctx); err != nil {
		report["postgres"] = err.Error()
		status = http.StatusServiceUnavailable
	}
	if err := a.state.Ping(ctx); err != nil {
		report["redis"] = err.Error()
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(report); err != nil {
		a.log.Debug("healthz write", "err", err)
	}
}
