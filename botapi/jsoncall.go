package botapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-telegram/bot"
)

// Doer sends an HTTP request: the *http.Client go-telegram/bot is given
// (bot.WithHTTPClient), so that both ways of calling share its transport.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// JSONCaller makes Bot API calls whose parameters are a JSON object
// already (the outbox stores them so), posting them as they are rather
// than through go-telegram/bot, which decodes them into its structs,
// writes them again as a multipart form by reflection and decodes each
// answer twice. Its errors are the library's values, so callers classify
// them the same way (FloodWait, errors.Is(err, bot.ErrorForbidden), ...).
type JSONCaller struct {
	client Doer
	token  string
	base   string // <server>/bot<token>/
}

// NewJSONCaller calls the Bot API at serverURL (bot.WithServerURL's) as
// the bot of token, through client.
func NewJSONCaller(client Doer, serverURL, token string) *JSONCaller {
	return &JSONCaller{client: client, token: token, base: serverURL + "/bot" + token + "/"}
}

// answer is the Bot API's envelope; Result is set to the caller's
// destination before decoding, so the answer is decoded once.
type answer struct {
	OK          bool   `json:"ok"`
	Result      any    `json:"result,omitempty"`
	Description string `json:"description,omitempty"`
	ErrorCode   int    `json:"error_code,omitempty"`
	Parameters  struct {
		RetryAfter      int `json:"retry_after,omitempty"`
		MigrateToChatID int `json:"migrate_to_chat_id,omitempty"`
	} `json:"parameters,omitempty"`
}

// skipResult stands for a result nobody reads: the decoder passes over it
// without building anything.
type skipResult struct{}

func (*skipResult) UnmarshalJSON([]byte) error { return nil }

// Call posts params, a JSON object, to method and decodes the answer's
// result into dest (nil: the result is not read).
func (c *JSONCaller) Call(ctx context.Context, method string, params []byte, dest any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(params))
	if err != nil {
		return fmt.Errorf("error create request for method %s, %w", method, redactURL(err, c.token))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("error do request for method %s, %w", method, redactURL(err, c.token))
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if err != nil {
		return fmt.Errorf("error read response body for method %s, %w", method, err)
	}
	if dest == nil {
		dest = &skipResult{}
	}
	a := answer{Result: dest}
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("error decode response body for method %s, %s, %w", method, body, err)
	}
	if !a.OK {
		return answerError(method, a)
	}
	return nil
}

// maxSizedAnswer bounds the buffer an answer's Content-Length may size:
// a sent message with its keyboard is a few KiB.
const maxSizedAnswer = 1 << 20

// readBody reads an answer into one buffer of its declared length, where
// io.ReadAll would grow one from 512 bytes, copying as it goes, for every
// call the outbox makes.
func readBody(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n < 0 || n > maxSizedAnswer {
		return io.ReadAll(resp.Body)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, body); err != nil {
		return nil, err
	}
	return body, nil
}

// answerError is go-telegram/bot v1.19.0's rawRequest mapping of a
// refused call, value for value.
func answerError(method string, a answer) error {
	switch a.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", bot.ErrorForbidden, a.Description)
	case http.StatusBadRequest:
		if a.Parameters.MigrateToChatID != 0 {
			return &bot.MigrateError{
				Message:         fmt.Sprintf("%s: %s", bot.ErrorBadRequest, a.Description),
				MigrateToChatID: a.Parameters.MigrateToChatID,
			}
		}
		return fmt.Errorf("%w, %s", bot.ErrorBadRequest, a.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", bot.ErrorUnauthorized, a.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", bot.ErrorNotFound, a.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", bot.ErrorConflict, a.Description)
	case http.StatusTooManyRequests:
		return &bot.TooManyRequestsError{
			Message:    fmt.Sprintf("%s, %s", bot.ErrorTooManyRequests, a.Description),
			RetryAfter: a.Parameters.RetryAfter,
		}
	}
	return fmt.Errorf("error response from telegram for method %s, %d %s", method, a.ErrorCode, a.Description)
}

// redactURL keeps the token out of a transport error's URL, which ends up
// in logs.
func redactURL(err error, token string) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		uerr.URL = strings.ReplaceAll(uerr.URL, token, "***")
	}
	return err
}
