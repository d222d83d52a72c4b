// Package handlers implements donorbot's user journeys. Handlers are thin:
// parse the input, call domain rules and storage, render a text from the
// locale files. Register lists the whole command and button surface.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"donorbot/datefmt"
	"donorbot/quiet"
	"donorbot/storage"
)

// Deps is what the handlers need from the runtime.
type Deps struct {
	// Texts, if set, are the locale files already parsed for the progress
	// renderer; nil parses them.
	Texts *Texts
	Store *storage.Store
	State *storage.State
	// Broadcaster is the broadcast engine: fan-out, messages to users
	// other than the sender, and the send rate replies count against. Nil
	// only for handlers that send nothing (unit tests of routes, parsers).
	Broadcaster Broadcaster
	Log         *slog.Logger
	Location    *time.Location
	IsAdmin     func(ctx context.Context, userID int64) (bool, error)
	OnError     func()
	// OnQueued, if set, counts scheduled messages queued, by broadcast
	// kind ("reminder_2h", "thanks", "eligible_again", "recall").
	OnQueued func(kind string, n int)
	// OnRecall, if set, counts the recall funnel by stage ("recalled",
	// "registered", "donated").
	OnRecall func(stage string)
	// ContactCap is how many non-urgent messages the bot sends a donor on
	// its own initiative per mobilize.CapWindow (CONTACT_CAP); 0 is no cap.
	ContactCap int
	// OnContactSkipped, if set, counts donors skipped at the contact cap,
	// by kind ("announcement", "recall").
	OnContactSkipped func(kind string, n int)
	BotUsername      string
	// Now is the clock; tests may move it. Defaults to time.Now.
	Now func() time.Time
	// ReminderOffsets are the reminders before a slot; nil means 24h and 2h.
	ReminderOffsets []time.Duration
	// QuietHours hold back non-urgent scheduled messages to donors at
	// night; the zero value is none.
	QuietHours quiet.Hours
	// CheckinSecret signs the donors' check-in codes (/mycode).
	CheckinSecret []byte
	// CheckinOpens is how long before a drive's first slot its check-in
	// desk opens (drive.CheckinWindow).
	CheckinOpens time.Duration
	// UrgentPaidCap is how many alerts of one urgent need are sent as paid
	// broadcasts (broadcast.Spec.Paid); 0 for none.
	UrgentPaidCap int
	// ConsoleURL is where the organizers' menu button and "Open console"
	// button open the console (a Mini App); empty: no such buttons.
	ConsoleURL string
}

// Handlers routes updates to journeys.
type Handlers struct {
	d         Deps
	texts     *texts
	commands  map[string]handlerFunc
	callbacks map[string]handlerFunc
	flows     map[string]flowRunner
	menu      map[string]string // home menu label (any language) → command
}

// handlerFunc handles one update. A returned error is internal: it is logged
// and the user gets a short apology; user mistakes are answered, not returned.
type handlerFunc func(ctx context.Context, t *turn) error

// New loads the locale files and builds the routes.
func New(d Deps) (*Handlers, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	var tx *texts
	if d.Texts != nil {
		tx = d.Texts.t
	} else {
		var err error
		if tx, err = loadTexts(); err != nil {
			return nil, err
		}
	}
	h := &Handlers{d: d, texts: tx}
	h.routes()
	h.menu = h.menuCommands()
	return h, nil
}

// routes is donorbot's whole surface: every command and every callback action.
func (h *Handlers) routes() {
	h.commands = map[string]handlerFunc{
		"start":        h.start,
		"help":         h.help,
		"profile":      h.profile,
		"lang":         h.chooseLanguage,
		"cancel":       h.cancel,
		"forget":       h.forget,
		"eligibility":  h.eligibility,
		"drives":       h.drives,
		"mydrives":     h.myDrives,
		"donors":       h.adminOnly(h.donorStats),
		"newunit":      h.adminOnly(h.newUnit),
		"grant":        h.adminOnly(h.grant),
		"revoke":       h.adminOnly(h.revoke),
		"newdrive":     h.organizerOnly(h.newDrive),
		"qr":           h.organizerOnly(h.qr),
		"canceldrive":  h.organizerOnly(h.cancelDrive),
		"editdrive":    h.organizerOnly(h.editDrive),
		"export":       h.organizerOnly(h.export),
		"audit":        h.adminOnly(h.audit),
		"checkin":      h.organizerOnly(h.checkin),
		"mycode":       h.myCode,
		"history":      h.history,
		"card":         h.card,
		"stats":        h.organizerOnly(h.stats),
		"campaign":     h.organizerOnly(h.campaign),
		"available":    h.available,
		"urgent":       h.clubAdminOnly(h.urgentCmd),
		"needs":        h.clubAdminOnly(h.needs),
		"invite":       h.clubAdminOnly(h.invite),
		"addmember":    h.clubAdminOnly(h.addMember),
		"settings":     h.settings,
		"hospitals":    h.adminOnly(h.hospitals),
		"hospital":     h.adminOnly(h.hospitalCmd),
		"unitprovince": h.adminOnly(h.unitProvince),
	}
	h.callbacks = map[string]handlerFunc{
		"consent": h.onConsent,                         // consent:v1:yes|no
		"edit":    h.onEditButton,                      // edit:v1:<field> (starts the profile edit flow)
		"forget":  h.onForgetReply,                     // forget:v1:yes|no
		"lang":    h.onLanguage,                        // lang:v1:vi|en
		"drv":     h.onDriveButton,                     // drv:v1:<action>:<id>[:<id>] (see drives.go)
		"drvpg":   h.onDrivesPage,                      // drvpg:v1:<offset>
		"remind":  h.onRemind,                          // remind:v1:<yyyymmdd>
		"rchk":    h.onRecheck,                         // rchk:v1:<registration>:y|n
		"rmd":     h.onReminderAnswer,                  // rmd:v1:<registration>:<slot>:here|move|cant|cancel|keep
		"cdrv":    h.organizerOnly(h.onCancelDrive),    // cdrv:v1:<drive>
		"qrb":     h.organizerOnly(h.onQRButton),       // qrb:v1:<drive>
		"bcx":     h.organizerOnly(h.onStopBroadcast),  // bcx:v1:<broadcast>
		"exp":     h.organizerOnly(h.onExport),         // exp:v1:<drive>:<slot|0>
		"pick":    h.organizerOnly(h.onPick),           // pick:v1:<command>:d<drive>|p<page> (see pickers.go)
		"ci":      h.organizerOnly(h.onCheckinChoice),  // ci:v1:<registration>
		"res":     h.organizerOnly(h.onResultVolume),   // res:v1:<registration>:<ml>[:fix]
		"resk":    h.organizerOnly(h.onResultKind),     // resk:v1:<registration>:<ml>:<kind>[:fix]
		"resd":    h.organizerOnly(h.onResultDeferred), // resd:v1:<registration>[:fix]
		"resfix":  h.organizerOnly(h.onResultFix),      // resfix:v1:<registration>
		"resundo": h.organizerOnly(h.onResultUndo),     // resundo:v1:<registration>
		"avail":   h.onAvailability,                    // avail:v1:on|off|until|optin|optout
		"urg":     h.onAlertAnswer,                     // urg:v1:<need>:y|n (the tapper's own alert)
		"urgadm":  h.clubAdminOnly(h.onNeedAdmin),      // urgadm:v1:<need>:<action>[:<donor>] (club admin of the need)
		"cinv":    h.onInvitationAnswer,                // cinv:v1:<invitation>:y|n (the tapper's own invitation)
		"hist":    h.onHistoryButton,                   // hist:v1:open|card|elig|drives|invite (the tapper's own)
		"fl":      h.onFlowButton,                      // fl:v1:<flow>:<step>:<op>[:<value>] (see flow.go)
		"home":    h.onHomeButton,                      // home:v1:mydrives|eligibility|start (a journey's next step)
		"rcl":     h.onRecallButton,                    // rcl:v1:off (under a recall)
		"dinv":    h.onDriveInviteButton,               // dinv:v1:off (under a drive invitation)
		"set":     h.onSettings,                        // set:v1:<action>[:<value>] (see settings.go)
		"rnx":     h.onRoleNext,                        // rnx:v1:<command> (under the news of a role; the command checks the role)
		"afc":     h.organizerOnly(h.onAutofillButton), // afc:v1:<drive>:<op>[:<arg>] (see autofill_control.go)
	}
	// Guided journeys, run by the engine of flow.go. Their buttons route
	// through "fl" above; typed answers through onText.
	h.flows = map[string]flowRunner{}
	for _, f := range []flowRunner{
		h.availableUntilFlow(), // /available → "On call until a day"
		h.urgentFlow(),         // /urgent → a need's questions, review, Send
		h.checkinFlow(),        // /checkin <drive> → the desk's searches; ⏸ deferred → reason, until
		h.screeningFlow(),      // registering for a slot, the morning-of re-check (rchk)
		h.onboardingFlow(),     // /start, consent, Continue → the profile questions
		h.profileEditFlow(),    // /profile → a field's button
		h.newDriveFlow(),       // /newdrive
		h.editDriveFlow(),      // /editdrive <code>
		h.hospitalFlow(),       // /hospital [id] → a directory hospital's answers, review, Save
		h.roleFlow(),           // /grant, /revoke → who, role, club, Yes on the person's card
	} {
		h.flows[f.name()] = f
	}
}

// Surface lists every command and every callback action, sorted: the
// authorization matrix test walks it, so a new entry cannot go untested.
func (h *Handlers) Surface() (commands, callbacks []string) {
	return slices.Sorted(maps.Keys(h.commands)), slices.Sorted(maps.Keys(h.callbacks))
}

// Register installs the router as the client's only handler. Routing is ours,
// not the library's: its command matcher slices the text by entity offsets
// before any middleware runs, so a malformed entity would panic outside recover.
func (h *Handlers) Register(b *tg.Bot) {
	b.RegisterHandlerMatchFunc(func(*models.Update) bool { return true }, h.Handle)
}

// Handle routes one update as one unit of work (storage.Work): what the
// handler changes in PostgreSQL, the conversation it leaves in Redis and the
// replies in its user's chat commit together with the update's handled
// mark, and only then go out. A crash before commit leaves nothing done, so
// the inbox runs the update again from scratch; a crash after it leaves the
// replies in the outbox, which another process sends. Messages to other
// users and uploads of exports go out directly, as the handler runs.
func (h *Handlers) Handle(ctx context.Context, b *tg.Bot, upd *models.Update) {
	for attempt := 1; ; attempt++ {
		w, err := h.handleOnce(ctx, b, upd)
		if storage.IsRetryable(err) && attempt < maxTurnAttempts {
			// Rolled back by a deadlock or a serialization failure, and
			// nothing left the process: the whole turn runs again.
			h.d.Log.Info("turn retried", "update_id", upd.ID, "attempt", attempt, "err", err)
			continue
		}
		if err != nil {
			h.fail(ctx, b, upd, err)
			return
		}
		if w != nil {
			h.afterSend(ctx, b, upd, w)
		}
		return
	}
}

// maxTurnAttempts bounds the runs of one update rolled back by a deadlock.
const maxTurnAttempts = 3

// handleOnce runs one update in a unit of work, commits it and sends its
// replies. It returns the committed work, nil for an update donorbot
// ignores.
func (h *Handlers) handleOnce(ctx context.Context, b *tg.Bot, upd *models.Update) (*storage.Work, error) {
	wctx, w, err := h.d.Store.BeginWork(ctx)
	if err != nil {
		return nil, err
	}
	defer w.Rollback()
	// The marks owed for the chat's last replies ride in this turn's
	// commit, so they are durable before its replies go out; they also
	// tell the turn which conversation writes were applied.
	if _, chatID := sender(upd); chatID != 0 {
		w.Carry(h.d.Broadcaster.MarksOf(chatID))
	}
	t, ok, err := h.newTurn(wctx, upd)
	if err != nil || !ok {
		return nil, err
	}
	t.bot = b
	if err := h.route(wctx, t); err != nil {
		return nil, err
	}
	if t.callbackID != "" && !t.answered {
		if err := t.answer(wctx, ""); err != nil {
			return nil, err
		}
	}
	rows, err := w.Commit(ctx, upd.ID)
	if err != nil {
		return nil, err
	}
	h.d.Broadcaster.MarksCarried(w.Carried())
	if err := h.d.Broadcaster.SendOutbox(ctx, rows); err != nil {
		// Committed: the outbox sweep sends what is left after the lease.
		h.d.Log.Warn("replies left to the outbox sweep", "update_id", upd.ID, "err", err)
	}
	return w, nil
}

// afterSend runs what must follow the turn's commit and replies (see
// storage.Work.After).
func (h *Handlers) afterSend(ctx context.Context, b *tg.Bot, upd *models.Update, w *storage.Work) {
	for _, f := range w.Afters() {
		if err := f(ctx); err != nil {
			h.fail(ctx, b, upd, err)
			return
		}
	}
}

func (h *Handlers) route(ctx context.Context, t *turn) error {
	switch {
	case t.upd.MyChatMember != nil:
		return h.onMembership(ctx, t)
	case t.callbackID != "":
		cb, err := decodeCallback(t.upd.CallbackQuery.Data)
		fn, ok := h.callbacks[cb.Action]
		if err != nil || !ok {
			return t.answer(ctx, t.text("button_stale"))
		}
		t.cb = cb
		return fn(ctx, t)
	case t.upd.Message.Contact != nil:
		return h.onContact(ctx, t)
	case strings.HasPrefix(t.upd.Message.Text, "/"):
		name, args := parseCommand(t.upd.Message.Text, h.d.BotUsername)
		fn, ok := h.commands[name]
		if !ok {
			return h.notUnderstood(ctx, t)
		}
		t.args = args
		return fn(ctx, t)
	default:
		return h.onText(ctx, t)
	}
}

// parseCommand splits "/cmd@bot args" into a lower-case name and its
// arguments; a command addressed to another bot yields no name.
func parseCommand(text, botUsername string) (name, args string) {
	head, args, _ := strings.Cut(text[1:], " ")
	head, target, addressed := strings.Cut(head, "@")
	if addressed && !strings.EqualFold(target, botUsername) {
		return "", ""
	}
	return strings.ToLower(head), strings.TrimSpace(args)
}

// adminOnly refuses fn to users who are not admins.
func (h *Handlers) adminOnly(fn handlerFunc) handlerFunc {
	return func(ctx context.Context, t *turn) error {
		ok, err := h.d.IsAdmin(ctx, t.userID)
		if err != nil {
			return fmt.Errorf("check admin %d: %w", t.userID, err)
		}
		if !ok {
			return t.refuse(ctx, "admin_only")
		}
		return fn(ctx, t)
	}
}

// fail logs an internal error and apologizes to the user.
func (h *Handlers) fail(ctx context.Context, b *tg.Bot, upd *models.Update, err error) {
	if h.d.OnError != nil {
		h.d.OnError()
	}
	h.d.Log.Error("handler failed", "update_id", upd.ID, "err", err)
	h.Apologize(ctx, b, upd)
}

// Apologize tells the user something failed on our side. It needs neither
// database nor Redis, which may be what failed.
func (h *Handlers) Apologize(ctx context.Context, b *tg.Bot, upd *models.Update) {
	h.notice(ctx, b, upd, "error_internal")
}

// SlowDown asks a flooding user to wait.
func (h *Handlers) SlowDown(ctx context.Context, b *tg.Bot, upd *models.Update) {
	h.notice(ctx, b, upd, "slow_down")
}

func (h *Handlers) notice(ctx context.Context, b *tg.Bot, upd *models.Update, id string) {
	from, chatID := sender(upd)
	if from == nil {
		return
	}
	text := h.texts.text(languageFor(from.LanguageCode), id, nil)
	var err error
	if upd.CallbackQuery != nil {
		_, err = b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{
			CallbackQueryID: upd.CallbackQuery.ID, Text: text, ShowAlert: true})
	} else {
		_, err = b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chatID, Text: text})
	}
	if err != nil {
		h.d.Log.Warn("send notice", "update_id", upd.ID, "notice", id, "err", err)
	}
}

// onMembership tracks whether the user blocked the bot, so broadcasts skip them.
func (h *Handlers) onMembership(ctx context.Context, t *turn) error {
	status := t.upd.MyChatMember.NewChatMember.Type
	reachable := status != models.ChatMemberTypeBanned && status != models.ChatMemberTypeLeft
	err := h.d.Store.SetDonorReachable(ctx, t.userID, reachable)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return nil
}

// today is the current calendar date in the bot's time zone, as UTC midnight
// like every calendar date in the domain packages.
func (h *Handlers) today() time.Time { return h.calendarDay(h.d.Now()) }

// Today is today for the runtime, which reads each update's sender on the
// day its turn will judge them (see storage.SenderRead).
func (h *Handlers) Today() time.Time { return h.today() }

// displayDate writes a calendar date for a reader of lang, with its weekday
// (datefmt.Day): every date a person reads goes through it or h.date.
func displayDate(lang string, d time.Time) string { return datefmt.Day(lang, d) }

// refuse tells a user they lack the role for what they tried: as a button
// notice for a tap, as a message for a command.
func (t *turn) refuse(ctx context.Context, msgID string) error {
	if t.callbackID != "" {
		return t.answer(ctx, t.text(msgID))
	}
	return t.reply(ctx, t.text(msgID), nil)
}
