package botapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"donorbot/botapi"
)

// cannedAnswer answers every request with the same body and its
// Content-Length, as the Bot API does, without a network in between: the
// allocations counted are JSONCaller's own.
type cannedAnswer string

func (a cannedAnswer) Do(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, ContentLength: int64(len(a)),
		Body: io.NopCloser(strings.NewReader(string(a)))}, nil
}

// TestJSONCallerReadsAnAnswerOnce: the outbox makes about three calls per
// update, and each answer (a sent message with its keyboard, 1-2 KiB) is
// read into one buffer of its Content-Length, not grown from 512 bytes.
func TestJSONCallerReadsAnAnswerOnce(t *testing.T) {
	keyboard := strings.Repeat(`[{"text":"08:00–09:00 (còn 12)","callback_data":"drv:slot:42:4242"}],`, 12)
	answer := cannedAnswer(`{"ok":true,"result":{"message_id":4242,"date":1765700000,` +
		`"chat":{"id":123456789,"type":"private","first_name":"Lan"},"text":"Chọn ca hiến máu",` +
		`"reply_markup":{"inline_keyboard":[` + strings.TrimSuffix(keyboard, ",") + `]}}}`)
	api := botapi.NewJSONCaller(answer, "http://api.invalid", "1:x")
	params := []byte(`{"chat_id":123456789,"text":"Chọn ca hiến máu"}`)
	ctx := context.Background()
	var err error
	allocs := testing.AllocsPerRun(100, func() {
		if e := api.Call(ctx, "sendMessage", params, nil); e != nil {
			err = e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// 24 allocations (2.8 KiB of buffers for a 1 KiB answer) when the
	// buffer grew; 21 now.
	if allocs > 22 {
		t.Errorf("a call with a %d-byte answer: %v allocations, want at most 22", len(answer), allocs)
	}
}
