package bot

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// maxUpdateBytes bounds a webhook body; real updates are a few KiB.
const maxUpdateBytes = 1 << 20

// webhook replaces go-telegram/bot's WebhookHandler, which answers 200 for a
// wrong secret and before anything is stored. This one answers 200 only once
// the update is stored (or known), and 5xx when it could not be, so that
// Telegram delivers it again.
func (a *App) webhook(w http.ResponseWriter, r *http.Request) {
	status := a.serveWebhook(w, r)
	a.metrics.Webhook.WithLabelValues(strconv.Itoa(status)).Inc()
}

func (a *App) serveWebhook(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return reply(w, http.StatusMethodNotAllowed)
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(a.cfg.WebhookSecret)) != 1 {
		return reply(w, http.StatusUnauthorized)
	}
	body, err := readBody(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return reply(w, http.StatusRequestEntityTooLarge)
		}
		return reply(w, http.StatusBadRequest)
	}
	if body, err = storableUpdate(body); err != nil {
		return reply(w, http.StatusBadRequest)
	}
	var upd models.Update
	if err := json.Unmarshal(body, &upd); err != nil || upd.ID <= 0 {
		return reply(w, http.StatusBadRequest)
	}
	fresh, sender, err := a.inbox.accept(r.Context(), &upd, body)
	if err != nil {
		a.log.Error("webhook: update not stored", "update_id", upd.ID, "err", err)
		return reply(w, http.StatusServiceUnavailable)
	}
	if fresh {
		if err := a.dispatcher.dispatchRead(r.Context(), &upd, sender); err != nil {
			// Stored already: the sweeper hands it to a worker after the lease.
			a.log.Warn("webhook: update stored but not queued", "update_id", upd.ID, "err", err)
		}
	}
	return reply(w, http.StatusOK)
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpdateBytes)
	return io.ReadAll(r.Body)
}

func reply(w http.ResponseWriter, status int) int {
	w.WriteHeader(status)
	return status
}
