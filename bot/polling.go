package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"
)

// allowedUpdates are the update kinds donorbot handles.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// poll runs the long-polling loop. Unlike go-telegram/bot's own loop, it
// moves the offset past an update (which confirms it to Telegram) only after
// the update is stored, so a crash or a database outage loses nothing:
// Telegram hands the unconfirmed updates out again.
func (a *App) poll(ctx context.Context) {
	var offset int64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
		raws, err := a.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			a.log.Error("getUpdates", "err", err)
			backoff = nextBackoff(backoff)
			continue
		}
		backoff = 0
		for _, raw := range raws {
			upd, clean, err := decodePolled(raw)
			if err != nil {
				// Fetching it again would fail the same way, at once and
				// forever: confirm it if its id can be read.
				a.log.Error("getUpdates: undecodable update skipped", "update_id", upd.ID, "err", err)
				if upd.ID > 0 {
					offset = upd.ID + 1
				}
				continue
			}
			if !a.acceptPolled(ctx, upd, clean) {
				break // not stored: ask for it again from this offset
			}
			offset = upd.ID + 1
		}
	}
}

// decodePolled makes a polled update storable and decodes it. On an error
// the update's ID is still set when it can be read.
func decodePolled(raw json.RawMessage) (*models.Update, []byte, error) {
	var upd models.Update
	clean, err := storableUpdate(raw)
	if err == nil {
		err = json.Unmarshal(clean, &upd)
	}
	if err == nil && upd.ID <= 0 {
		err = errors.New("no update_id")
	}
	if err != nil {
		var id struct {
			UpdateID int64 `json:"update_id"`
		}
		_ = json.Unmarshal(raw, &id) // best effort: err says what went wrong
		return &models.Update{ID: id.UpdateID}, nil, err
	}
	return &upd, clean, nil
}

func (a *App) acceptPolled(ctx context.Context, upd *models.Update, raw []byte) bool {
	fresh, sender, err := a.inbox.accept(ctx, upd, raw)
	if err != nil {
		a.log.Error("polling: update not stored, will fetch again", "update_id", upd.ID, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		return false
	}
	if fresh {
		if err := a.dispatcher.dispatchRead(ctx, upd, sender); err != nil {
			a.log.Warn("polling: update stored but not queued", "update_id", upd.ID, "err", err)
		}
	}
	return true
}

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 100 * time.Millisecond
	}
	return min(2*d, 5*time.Second)
}

// getUpdates calls the Bot API directly: go-telegram/bot keeps its own
// getUpdates private and advances the offset before handling.
func (a *App) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	params := map[string]any{
		"offset":          offset,
		"timeout":         int(a.cfg.PollTimeout.Seconds()),
		"allowed_updates": allowedUpdates,
	}
	var raws []json.RawMessage
	if err := a.callAPI(ctx, "getUpdates", params, &raws); err != nil {
		return nil, err
	}
	return raws, nil
}

// callAPI makes one JSON Bot API call and decodes its result into dest.
func (a *App) callAPI(ctx context.Context, method string, params any, dest any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	url := a.cfg.APIURL + "/bot" + a.cfg.Token + "/" + method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", method, redactToken(err, a.cfg.Token))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", method, err)
	}
	var answer struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		Description string          `json:"description"`
		ErrorCode   int             `json:"error_code"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fmt.Errorf("%s: HTTP %d: undecodable answer: %w", method, resp.StatusCode, err)
	}
	if !answer.OK {
		return fmt.Errorf("%s: %d %s", method, answer.ErrorCode, answer.Description)
	}
	if dest != nil {
		if err := json.Unmarshal(answer.Result, dest); err != nil {
			return fmt.Errorf("%s: decode result: %w", method, err)
		}
	}
	return nil
}

// redactToken keeps the bot token out of logged URL errors.
func redactToken(err error, token string) error {
	if token == "" {
		return err
	}
	return fmt.Errorf("%s", bytes.ReplaceAll([]byte(err.Error()), []byte(token), []byte("***")))
}
