package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"donorbot/telegramtest"
)

// event is one Bot API call concerning a chat, as the fake received it.
type event struct {
	call telegramtest.Call
	at   time.Time
}

// router hands each call the fake receives to the simulated donor whose
// chat it concerns (by chat_id, or by the callback query id we made up).
type router struct {
	mu    sync.RWMutex
	chats map[int64]chan event

	callsMu sync.Mutex
	calls   map[string]int // Bot API calls by method, for the report
}

func newRouter() *router { return &router{chats: map[int64]chan event{}, calls: map[string]int{}} }

// callCounts is how many calls of each method the fake received so far.
func (r *router) callCounts() map[string]int {
	r.callsMu.Lock()
	defer r.callsMu.Unlock()
	return maps.Clone(r.calls)
}

func (r *router) subscribe(chat int64) chan event {
	ch := make(chan event, 256)
	r.mu.Lock()
	r.chats[chat] = ch
	r.mu.Unlock()
	return ch
}

func (r *router) deliver(c telegramtest.Call) {
	at := time.Now()
	r.callsMu.Lock()
	r.calls[c.Method]++
	r.callsMu.Unlock()
	raw := c.Params["chat_id"]
	if q, ok := strings.CutPrefix(c.Params["callback_query_id"], "q"); ok {
		raw, _, _ = strings.Cut(q, "-")
	}
	chat, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return
	}
	r.mu.RLock()
	ch := r.chats[chat]
	r.mu.RUnlock()
	if ch != nil {
		select {
		case ch <- event{call: c, at: at}:
		default: // a donor far behind: its next wait times out and resets
		}
	}
}

// donor is one simulated donor: it cycles through a fixed set of chats (its
// share of the fixture) and walks each through a journey, one action at a
// time, waiting for the bot's last answer to an action before the next.
type donor struct {
	r       *loadRun
	client  *http.Client
	chats   []int64
	events  map[int64]chan event
	seq     int64
	nextUpd *atomic.Int64
	rec     *recorder
}

var errTimeout = errors.New("no answer within 10s")

// journey is the traffic mix: browse the drives, open one, register for a
// slot, answer the screening questions, look at my drives, cancel. An
// action's reply is awaited until its last call (done).
func (d *donor) journey(ctx context.Context, chat int64) error {
	if !d.r.o.journeys() {
		// The echo bot answers every update with one message: the same
		// sequence of updates, synthetic ids.
		for _, a := range []string{"/drives", "cb:drv:v1:open:1", "cb:drv:v1:slot:1:2", "cb:fl:v1:screening:ill_now:a:n",
			"cb:fl:v1:screening:chronic:a:n", "cb:fl:v1:screening:m12:a:n", "cb:fl:v1:screening:m6:a:n",
			"cb:fl:v1:screening:m1:a:n", "cb:fl:v1:screening:d14:a:n", "cb:fl:v1:screening:d7:a:n",
			"cb:fl:v1:screening:donated_before:a:n", "cb:fl:v1:screening:review:ok", "/mydrives", "cb:drv:v1:cancel:1"} {
			if _, err := d.act(ctx, chat, a, 1, isSend); err != nil {
				return err
			}
		}
		return nil
	}
	list, err := d.act(ctx, chat, "/drives", 0, isSend)
	if err != nil {
		return err
	}
	card, err := d.tapButton(ctx, chat, list, prefixed("drv:v1:open:"), isSend)
	if err != nil {
		return err
	}
	q, err := d.tapButton(ctx, chat, card, prefixed("drv:v1:slot:"), isQuestion)
	if err != nil {
		return err
	}
	for range 20 {
		if q.call.Method == "sendDocument" {
			break // the calendar file that ends a confirmed registration
		}
		if q, err = d.tapButton(ctx, chat, q, screeningNo, isQuestionOrDone); err != nil {
			return err
		}
	}
	mine, err := d.act(ctx, chat, "/mydrives", 0, isSend)
	if err != nil {
		return err
	}
	asked, err := d.tapButton(ctx, chat, mine, prefixed("drv:v1:cancel:"), isSendOrEdit)
	if err != nil || !hasButton(asked, prefixed("drv:v1:cancelok:")) {
		return err // a bot that cancels at the first tap
	}
	// donorbot (and the peer, like it) asks first, in the list's message,
	// and answers there too.
	_, err = d.tapButton(ctx, chat, asked, prefixed("drv:v1:cancelok:"), isSendOrEdit)
	return err
}

func isSend(c telegramtest.Call) bool { return c.Method == "sendMessage" }

func isSendOrEdit(c telegramtest.Call) bool {
	return c.Method == "sendMessage" || c.Method == "editMessageText"
}

// hasButton reports whether msg has a button whose data matches.
func hasButton(msg event, match func(string) bool) bool {
	var kb struct {
		InlineKeyboard [][]struct {
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if msg.call.DecodeParam("reply_markup", &kb) != nil {
		return false
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if match(b.CallbackData) {
				return true
			}
		}
	}
	return false
}

// isQuestion: a screening question, or the review of the answers (both
// donorbot and the grammY peer use donorbot's engine's callback data,
// fl:v1:screening:…).
func isQuestion(c telegramtest.Call) bool {
	return c.Method == "sendMessage" && strings.Contains(c.Params["reply_markup"], "fl:v1:screening:")
}

// screeningNo matches the "No" answer of a screening question, the Confirm
// of the review, and "Still true" when donorbot offers the answers a donor
// gave in the last 24 hours (a donor's second journey).
func screeningNo(data string) bool {
	return strings.HasPrefix(data, "fl:v1:screening:") && (strings.HasSuffix(data, ":a:n") ||
		strings.HasSuffix(data, ":review:ok") || strings.HasSuffix(data, ":reuse:a:keep"))
}

func prefixed(prefix string) func(string) bool {
	return func(data string) bool { return strings.HasPrefix(data, prefix) }
}

// isQuestionOrDone: the next question, or the calendar file sent last on
// a confirmed registration.
func isQuestionOrDone(c telegramtest.Call) bool { return isQuestion(c) || c.Method == "sendDocument" }

// tapButton taps a button of msg whose data matches.
func (d *donor) tapButton(ctx context.Context, chat int64, msg event, match func(string) bool, done func(telegramtest.Call) bool) (event, error) {
	var kb struct {
		InlineKeyboard [][]struct {
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := msg.call.DecodeParam("reply_markup", &kb); err != nil {
		return event{}, fmt.Errorf("chat %d: %s: no keyboard: %w", chat, msg.call.Method, err)
	}
	var res struct {
		MessageID int `json:"message_id"`
	}
	if err := json.Unmarshal(msg.call.Result, &res); err != nil {
		return event{}, err
	}
	var matching []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			data := b.CallbackData
			if match(data) {
				matching = append(matching, data)
			}
		}
	}
	if len(matching) == 0 {
		return event{}, fmt.Errorf("chat %d: no button to tap in %s", chat, msg.call.Params["reply_markup"])
	}
	// Donors spread over the slots, as people do, rather than all queueing
	// for the lock of the first one.
	return d.act(ctx, chat, "cb:"+matching[int(chat)%len(matching)], res.MessageID, done)
}

// act POSTs one update (text, or "cb:<data>" for a tap on message msgID)
// and waits for the call that ends the bot's answer. The latency recorded
// is from the POST to the bot's first call for this chat.
func (d *donor) act(ctx context.Context, chat int64, what string, msgID int, done func(telegramtest.Call) bool) (event, error) {
	events := d.events[chat]
	for len(events) > 0 {
		<-events // late calls of an earlier action
	}
	id := d.nextUpd.Add(1)
	from := map[string]any{"id": chat, "is_bot": false, "first_name": "Hiến", "language_code": "vi"}
	chatObj := map[string]any{"id": chat, "type": "private", "first_name": "Hiến"}
	upd := map[string]any{"update_id": id}
	if data, ok := strings.CutPrefix(what, "cb:"); ok {
		d.seq++
		upd["callback_query"] = map[string]any{
			"id": fmt.Sprintf("q%d-%d", chat, d.seq), "from": from, "chat_instance": "1", "data": data,
			"message": map[string]any{"message_id": msgID, "date": time.Now().Unix(), "chat": chatObj, "text": "…"},
		}
	} else {
		upd["message"] = map[string]any{"message_id": int(id), "date": time.Now().Unix(), "from": from, "chat": chatObj,
			"text": what, "entities": []map[string]any{{"type": "bot_command", "offset": 0, "length": len(what)}}}
	}
	body, err := json.Marshal(upd)
	if err != nil {
		return event{}, err
	}
	start := time.Now()
	if err := d.post(ctx, body); err != nil {
		return event{}, err
	}
	first := true
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case ev := <-events:
			if first {
				d.rec.add(start, ev.at.Sub(start), stepOf(what))
				first = false
			}
			if done(ev.call) {
				return ev, nil
			}
		case <-timeout.C:
			d.rec.fail()
			return event{}, fmt.Errorf("chat %d, %q: %w", chat, what, errTimeout)
		case <-ctx.Done():
			return event{}, ctx.Err()
		}
	}
}

// stepOf names the step of the journey an action is: its command, or its
// callback data without the ids and the question (so every screening answer
// is one step).
func stepOf(what string) string {
	data, ok := strings.CutPrefix(what, "cb:")
	if !ok {
		return what
	}
	parts := strings.Split(data, ":")
	switch {
	case len(parts) >= 3 && parts[2] == "screening" && len(parts) >= 4:
		if parts[3] == "review" || parts[3] == "reuse" {
			return "screening " + parts[3]
		}
		return "screening answer"
	case len(parts) >= 3:
		return parts[0] + ":" + parts[2]
	}
	return data
}

func (d *donor) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.r.webhook, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telegramtest.SecretHeader, webhookSecret)
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return nil
}
