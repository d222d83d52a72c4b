package broadcast

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/botapi"
	"donorbot/storage"
)

// The outbox holds the effects of handled updates on their users' chats
// (see storage.Work): the process that committed them sends them at once,
// and SweepOutbox takes over those whose process died. A call is marked done
// after it is made, so a call in flight when a process dies is made again:
// at most one per chat whose update was being flushed. Marks are written in
// one statement per flush, except that a message is marked before the next
// one is sent, so no message a user could see twice waits on another's
// mark. Concurrent flushes share their mark statements (group commit): each
// still waits for the statement that carries its marks before it goes on,
// so the bound is the same.

// Outbox methods: the Bot API calls a turn makes in its user's chat.
const (
	MethodSendMessage       = "sendMessage"
	MethodEditReplyMarkup   = "editMessageReplyMarkup"
	MethodEditMessageText   = "editMessageText"
	MethodAnswerCallback    = "answerCallbackQuery"
	MethodSendDocument      = "sendDocument"
	MethodSendPhoto         = "sendPhoto"
	outboxAttempts          = 5
	outboxSweepBatch        = 100
	outboxRetryAfterMaxWait = 30 * time.Second
)

// Sent marks: one statement at a time, as the inbox's, so that flushes
// finishing meanwhile share the next one.
const (
	markFlushes = 1
	markBatch   = 128
	markTimeout = 10 * time.Second
)

// SendOutbox sends claimed outbox calls in order, conversations applied to
// Redis before the messages that follow them. A row that fails for a
// reason a retry may cure stops its chat's later rows, which stay claimed
// for SweepOutbox, so they keep their order.
//
// The conversations that lead the flush are applied in the request that
// takes the tokens of its first message, one round trip for both; calls
// that take no token (an answer to a button, an edit) may go out before
// them. The next update of the user reads a committed write whether it is
// applied yet or not (the pending marker, storage/convpending.go).
func (e *Engine) SendOutbox(ctx context.Context, rows []storage.OutboxRow) error {
	e.startSending(rows)
	defer e.doneSending(rows)
	tokens := map[int64]*replyTokens{}
	var first *replyTokens // of the flush's first message
	for _, r := range rows {
		if takesToken(r.Method) {
			if tokens[r.ChatID] == nil {
				tokens[r.ChatID] = &replyTokens{lim: e.lim, chatID: r.ChatID}
			}
			tokens[r.ChatID].want++
			if first == nil {
				first = tokens[r.ChatID]
			}
		}
	}
	ctx = context.WithValue(ctx, replyTokensKey{}, tokens)
	var done []storage.OutboxRow
	risky := false // done holds a call that must not be made twice
	stopped := map[int64]bool{}
	var errs []error
	fail := func(r storage.OutboxRow, err error) {
		stopped[r.ChatID] = true
		errs = append(errs, err)
		e.log.Warn("outbox: send failed", "update_id", r.UpdateID, "chat_id", r.ChatID, "method", r.Method, "err", err)
		if ferr := e.store.OutboxFailed(ctx, r, reason(err), outboxAttempts); ferr != nil {
			errs = append(errs, ferr)
		}
	}
	if first != nil && e.state != nil {
		rows = first.holdConversations(ctx, e.state, rows)
	}
	for _, r := range rows {
		if stopped[r.ChatID] {
			continue
		}
		visible := repeatShows(r)
		if visible && risky {
			if err := e.markOutboxSent(ctx, done); err != nil {
				return err
			}
			done, risky = done[:0], false
		}
		err := e.sendRow(ctx, r)
		if first != nil && first.applied != nil {
			done, first.applied = append(done, first.applied...), nil
		}
		if errors.Is(err, errConversationsUnapplied) {
			// The message waits, untried, for its conversations, whose
			// failure is recorded below.
			stopped[r.ChatID] = true
			continue
		}
		if err != nil {
			fail(r, err)
			continue
		}
		done = append(done, r)
		risky = risky || visible
	}
	if first != nil {
		// The first message never asked for its tokens (its chat
		// stopped): its conversations are applied on their own.
		for _, r := range first.convs {
			err := first.applyErr
			if err == nil {
				err = e.state.ApplyConversation(ctx, r)
			}
			if err != nil {
				fail(r, err)
				continue
			}
			done = append(done, r)
		}
	}
	if storage.InWork(ctx) {
		if err := e.markOutboxSent(ctx, done); err != nil {
			errs = append(errs, err)
		}
	} else {
		e.owe(done) // see owed_marks.go
	}
	return errors.Join(errs...)
}

// markOutboxSent records rows as done, in a statement shared with the other
// flushes marking rows at the same moment, and waits for it.
func (e *Engine) markOutboxSent(ctx context.Context, rows []storage.OutboxRow) error {
	if len(rows) == 0 {
		return nil
	}
	if storage.InWork(ctx) {
		// A shared statement must not run in one caller's transaction.
		return e.store.MarkOutboxSent(ctx, rows)
	}
	_, err := e.marks.Do(ctx, slices.Clone(rows))
	return err
}

// markSentTogether is the statement of markOutboxSent's batches.
func markSentTogether(store *storage.Store) func(context.Context, [][]storage.OutboxRow) ([]struct{}, error) {
	return func(ctx context.Context, batches [][]storage.OutboxRow) ([]struct{}, error) {
		return make([]struct{}, len(batches)), store.MarkOutboxSent(ctx, slices.Concat(batches...))
	}
}

// SweepOutbox sends the outbox calls whose claim is older than lease: their
// process died between commit and sending. It returns how many it took.
func (e *Engine) SweepOutbox(ctx context.Context, lease time.Duration) (int, error) {
	rows, err := e.store.ClaimStaleOutbox(ctx, lease, outboxSweepBatch)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	// A call this process is sending, or sent and still owes the mark of,
	// looks unsent to the claim when its lease ran out first (a flush
	// slowed by an outage, a lease renewal lost to a deadlock): it is left
	// to its flush, or marked, never made a second time.
	owed, sending, rest := e.ownRows(rows)
	if err := e.markRows(ctx, owed); err != nil {
		return 0, err
	}
	if len(sending) > 0 {
		e.log.Info("outbox: rows claimed while this process sends them, left to it", "rows", len(sending))
	}
	if len(rest) == 0 {
		return len(owed), nil
	}
	e.log.Info("outbox: resuming unsent effects", "rows", len(rest))
	return len(rest) + len(owed), e.SendOutbox(ctx, rest)
}

// sendRow makes one row's call. Outcomes that another try would not
// change (the user blocked the bot, an edit of a message gone) count as
// done. A text call's params are posted as stored: they were written by
// Work.Call from the handler's params, which name the row's chat.
func (e *Engine) sendRow(ctx context.Context, r storage.OutboxRow) error {
	switch r.Method {
	case storage.MethodConversation:
		if e.state == nil {
			return errors.New("outbox: no conversation state wired")
		}
		return e.state.ApplyConversation(ctx, r)
	case MethodSendMessage:
		return e.reply(ctx, r.ChatID, r.Params)
	case MethodEditReplyMarkup, MethodEditMessageText:
		return ignoreBadRequest(e.callRetrying(ctx, func(ctx context.Context) error {
			return e.api.Call(ctx, r.Method, r.Params, nil)
		}))
	case MethodSendDocument, MethodSendPhoto:
		f, err := rowParams[OutboxFile](r)
		if err != nil {
			return err
		}
		return e.upload(ctx, r.ChatID, r.Method, *f)
	case MethodAnswerCallback:
		err := e.callRetrying(ctx, func(ctx context.Context) error {
			return e.api.Call(ctx, r.Method, r.Params, nil)
		})
		if errors.Is(err, bot.ErrorBadRequest) {
			// The query is too old (a slow or resumed update): the spinner
			// is gone on the phone already, but a notice must still arrive.
			p, err := rowParams[bot.AnswerCallbackQueryParams](r)
			if err != nil || p.Text == "" {
				return err
			}
			body, err := json.Marshal(bot.SendMessageParams{ChatID: r.ChatID, Text: p.Text})
			if err != nil {
				return fmt.Errorf("outbox call %d of update %d: notice as a message: %w", r.Seq, r.UpdateID, err)
			}
			return e.reply(ctx, r.ChatID, body)
		}
		return err
	}
	return fmt.Errorf("outbox call %d of update %d: unknown method %q", r.Seq, r.UpdateID, r.Method)
}

// rowParams decodes a row's parameters as the method's parameter type.
func rowParams[T any](r storage.OutboxRow) (*T, error) {
	var p T
	if err := json.Unmarshal(r.Params, &p); err != nil {
		return nil, fmt.Errorf("outbox call %d of update %d (%s): %w", r.Seq, r.UpdateID, r.Method, err)
	}
	return &p, nil
}

// replyTokens holds the reply tokens a flush took for one chat's sends:
// all of them in one request to the limiter (as many as the limits allow
// at once), rather than one request per message.
type replyTokens struct {
	lim    *limiter
	chatID int64
	want   int // sends of the flush not yet made
	held   int

	// The conversation rows to apply with the first request for tokens
	// (holdConversations), and those applied since the flush
	// last looked.
	state    *storage.State
	convs    []storage.OutboxRow
	applies  []storage.ConversationApply
	applied  []storage.OutboxRow
	applyErr error
}

// errConversationsUnapplied fails a message whose flush's conversations
// could not be applied before it.
var errConversationsUnapplied = errors.New("outbox: the conversations before this message are not applied")

type replyTokensKey struct{}

// holdConversations takes the conversation rows that lead rows, to apply
// with t's first request for tokens, and returns the others.
func (t *replyTokens) holdConversations(ctx context.Context, state *storage.State, rows []storage.OutboxRow) []storage.OutboxRow {
	n := 0
	for n < len(rows) && rows[n].Method == storage.MethodConversation {
		n++
	}
	if n == 0 {
		return rows
	}
	applies := make([]storage.ConversationApply, n)
	for i, r := range rows[:n] {
		a, err := state.PrepareApply(ctx, r)
		if err != nil {
			return rows // sendRow applies them one by one and reports it
		}
		applies[i] = a
	}
	t.state, t.convs, t.applies = state, rows[:n:n], applies
	return rows[n:]
}

// take takes a token for one send, reserving for the flush's remaining
// sends when none is held.
func (t *replyTokens) take(ctx context.Context) error {
	if t.held == 0 {
		n, applied, err := t.lim.reserveApplying(ctx, t.lim.replyKey, t.chatID, t.lim.reply, max(1, t.want), t.applies)
		if applied {
			t.markApplied()
		}
		if err == nil && len(t.convs) > 0 {
			// The limiter paced this send without Redis: the
			// conversations go on their own, before it, as they must.
			if t.applyErr = t.applyAlone(ctx); t.applyErr != nil {
				return fmt.Errorf("%w: %w", errConversationsUnapplied, t.applyErr)
			}
		}
		if err != nil {
			return err
		}
		t.held = n
	}
	t.held--
	t.want = max(0, t.want-1)
	return nil
}

// applyAlone applies the held conversations one by one; those it could
// not apply stay held.
func (t *replyTokens) applyAlone(ctx context.Context) error {
	for len(t.convs) > 0 {
		if err := t.state.ApplyConversation(ctx, t.convs[0]); err != nil {
			return err
		}
		t.applied = append(t.applied, t.convs[0])
		t.convs, t.applies = t.convs[1:], t.applies[1:]
	}
	return nil
}

func (t *replyTokens) markApplied() {
	for _, r := range t.convs {
		t.applied = append(t.applied, r)
	}
	t.convs, t.applies = nil, nil
}

// takeReply takes a reply token for chatID: from the tokens of the flush
// under way, or on its own.
func (e *Engine) takeReply(ctx context.Context, chatID int64) error {
	if m, ok := ctx.Value(replyTokensKey{}).(map[int64]*replyTokens); ok && m[chatID] != nil {
		return m[chatID].take(ctx)
	}
	return e.lim.waitReply(ctx, chatID)
}

// takesToken reports whether a row's call takes a reply token.
func takesToken(method string) bool {
	return method == MethodSendMessage || method == MethodSendDocument || method == MethodSendPhoto
}

// reply sends a message, sendMessage's JSON body, within the chat's reply
// budget. A user who blocked the bot is marked unreachable; nothing is left
// to do.
func (e *Engine) reply(ctx context.Context, chatID int64, body []byte) error {
	err := botapi.Retry(priorityAttempts, func() error {
		if err := e.takeReply(ctx, chatID); err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, e.cfg.SendTimeout)
		defer cancel()
		return e.api.Call(cctx, MethodSendMessage, body, nil)
	}, e.floodWait(ctx, chatID))
	if errors.Is(err, bot.ErrorForbidden) {
		if err := e.store.SetDonorReachable(ctx, chatID, false); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return nil
	}
	return err
}

// callRetrying makes a call that takes no send token (an edit, an answer),
// waiting out 429s.
func (e *Engine) callRetrying(ctx context.Context, call func(context.Context) error) error {
	return botapi.Retry(priorityAttempts, func() error {
		cctx, cancel := context.WithTimeout(ctx, e.cfg.SendTimeout)
		defer cancel()
		return call(cctx)
	}, func(wait time.Duration) error {
		if wait > outboxRetryAfterMaxWait {
			return errors.New("flood wait too long")
		}
		return sleep(ctx, wait)
	})
}

// floodWait pauses every sender of every process for a 429's retry_after;
// the next try waits for the pause through the limiter.
func (e *Engine) floodWait(ctx context.Context, chatID int64) func(time.Duration) error {
	return func(wait time.Duration) error {
		e.log.Warn("outbox: flood wait", "chat_id", chatID, "retry_after", wait)
		e.lim.pause(context.WithoutCancel(ctx), wait)
		return nil
	}
}

// ignoreBadRequest treats a 400 as done: an edit of a message too old, gone
// or unchanged cannot succeed later either.
func ignoreBadRequest(err error) error {
	if errors.Is(err, bot.ErrorBadRequest) {
		return nil
	}
	return err
}

// OutboxFile is a small file (a calendar entry, a QR poster, a chart) sent
// as a document or a photo from the outbox.
type OutboxFile struct {
	Name    string `json:"name"`
	Data    []byte `json:"data"`
	Caption string `json:"caption,omitempty"`
}

// upload sends an OutboxFile within the chat's reply budget.
func (e *Engine) upload(ctx context.Context, chatID int64, method string, f OutboxFile) error {
	err := botapi.Retry(priorityAttempts, func() error {
		if err := e.takeReply(ctx, chatID); err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, e.cfg.SendTimeout)
		defer cancel()
		file := &models.InputFileUpload{Filename: f.Name, Data: bytes.NewReader(f.Data)}
		var err error
		if method == MethodSendPhoto {
			_, err = e.bot.SendPhoto(cctx, &bot.SendPhotoParams{ChatID: chatID, Photo: file, Caption: f.Caption})
		} else {
			_, err = e.bot.SendDocument(cctx, &bot.SendDocumentParams{ChatID: chatID, Document: file, Caption: f.Caption})
		}
		return err
	}, e.floodWait(ctx, chatID))
	if errors.Is(err, bot.ErrorForbidden) {
		if err := e.store.SetDonorReachable(ctx, chatID, false); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return nil
	}
	return err
}

// repeatShows reports whether making a row's call twice shows the user
// something twice: a message or file; an answer to a button only when it
// has a notice (a repeat is refused as too old and becomes a message).
// Conversations and edits are the same when repeated.
func repeatShows(r storage.OutboxRow) bool {
	switch r.Method {
	case storage.MethodConversation, MethodEditReplyMarkup, MethodEditMessageText:
		return false
	case MethodAnswerCallback:
		var p struct {
			Text string `json:"text"`
		}
		return json.Unmarshal(r.Params, &p) != nil || p.Text != ""
	}
	return true
}
