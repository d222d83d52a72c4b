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
// Redis before the calls that follow them. A row that fails for a reason
// a retry may cure stops its chat's later rows, which stay claimed for
// SweepOutbox, so they keep their order.
func (e *Engine) SendOutbox(ctx context.Context, rows []storage.OutboxRow) error {
	tokens := map[int64]*replyTokens{}
	for _, r := range rows {
		if takesToken(r.Method) {
			if tokens[r.ChatID] == nil {
				tokens[r.ChatID] = &replyTokens{lim: e.lim, chatID: r.ChatID}
			}
			tokens[r.ChatID].want++
		}
	}
	ctx = context.WithValue(ctx, replyTokensKey{}, tokens)
	var done []storage.OutboxRow
	risky := false // done holds a call that must not be made twice
	stopped := map[int64]bool{}
	var errs []error
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
		if err != nil {
			stopped[r.ChatID] = true
			errs = append(errs, err)
			e.log.Warn("outbox: send failed", "update_id", r.UpdateID, "chat_id", r.ChatID, "method", r.Method, "err", err)
			if ferr := e.store.OutboxFailed(ctx, r, reason(err), outboxAttempts); ferr != nil {
				errs = append(errs, ferr)
			}
			continue
		}
		done = append(done, r)
		risky = risky || visible
	}
	if err := e.markOutboxSent(ctx, done); err != nil {
		errs = append(errs, err)
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
	e.log.Info("outbox: resuming unsent effects", "rows", len(rows))
	return len(rows), e.SendOutbox(ctx, rows)
}

// sendRow makes one row's call. Outcomes that another try would not
// change (the user blocked the bot, an edit of a message gone) count as
// done.
func (e *Engine) sendRow(ctx context.Context, r storage.OutboxRow) error {
	switch r.Method {
	case storage.MethodConversation:
		if e.state == nil {
			return errors.New("outbox: no conversation state wired")
		}
		return e.state.ApplyConversation(ctx, r)
	case MethodSendMessage:
		p, err := rowParams[bot.SendMessageParams](r)
		if err != nil {
			return err
		}
		p.ChatID = r.ChatID
		return e.reply(ctx, p)
	case MethodEditReplyMarkup:
		p, err := rowParams[bot.EditMessageReplyMarkupParams](r)
		if err != nil {
			return err
		}
		p.ChatID = r.ChatID
		return ignoreBadRequest(e.callRetrying(ctx, func(ctx context.Context) error {
			_, err := e.bot.EditMessageReplyMarkup(ctx, p)
			return err
		}))
	case MethodEditMessageText:
		p, err := rowParams[bot.EditMessageTextParams](r)
		if err != nil {
			return err
		}
		p.ChatID = r.ChatID
		return ignoreBadRequest(e.callRetrying(ctx, func(ctx context.Context) error {
			_, err := e.bot.EditMessageText(ctx, p)
			return err
		}))
	case MethodSendDocument, MethodSendPhoto:
		f, err := rowParams[OutboxFile](r)
		if err != nil {
			return err
		}
		return e.upload(ctx, r.ChatID, r.Method, *f)
	case MethodAnswerCallback:
		p, err := rowParams[bot.AnswerCallbackQueryParams](r)
		if err != nil {
			return err
		}
		err = e.callRetrying(ctx, func(ctx context.Context) error {
			_, err := e.bot.AnswerCallbackQuery(ctx, p)
			return err
		})
		if errors.Is(err, bot.ErrorBadRequest) {
			// The query is too old (a slow or resumed update): the spinner
			// is gone on the phone already, but a notice must still arrive.
			if p.Text == "" {
				return nil
			}
			return e.reply(ctx, &bot.SendMessageParams{ChatID: r.ChatID, Text: p.Text})
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
}

type replyTokensKey struct{}

// take takes a token for one send, reserving for the flush's remaining
// sends when none is held.
func (t *replyTokens) take(ctx context.Context) error {
	if t.held == 0 {
		n, err := t.lim.reserveReplies(ctx, t.chatID, max(1, t.want))
		if err != nil {
			return err
		}
		t.held = n
	}
	t.held--
	t.want = max(0, t.want-1)
	return nil
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

// reply sends a message within the chat's reply budget. A user who blocked
// the bot is marked unreachable; nothing is left to do.
func (e *Engine) reply(ctx context.Context, p *bot.SendMessageParams) error {
	chatID, _ := p.ChatID.(int64)
	err := botapi.Retry(priorityAttempts, func() error {
		if err := e.takeReply(ctx, chatID); err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, e.cfg.SendTimeout)
		defer cancel()
		_, err := e.bot.SendMessage(cctx, p)
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
