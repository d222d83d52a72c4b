package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"donorbot/botapi"
	"donorbot/storage"
)

// A flow is a guided journey (onboarding, screening, /newdrive, /urgent…)
// declared as steps; the engine here runs every flow alike, so each gets
// Back and Cancel on every step, an optional review that lists the answers
// with a button to change any one, resumption after a restart, and one
// answer to input that fits no step. The flow's answers are a typed State S,
// kept as JSON in the user's one conversation record in Redis.
type flow[S any] struct {
	// Name is the flow's id in the conversation record and in callback
	// data: a short lower-case word.
	Name string
	// Version is the version of S. Bump it when S changes shape: a record of
	// another version is not decoded into the new S but restarted.
	Version int
	Steps   []step[S]
	// Review, if set, renders the heading of the review step, shown once
	// every step is answered; its answers follow, one line per step with a
	// Show. Without Review, Done runs after the last step.
	Review func(t *turn, s *S) string
	// Check, if set, validates the answers together before the review; it
	// returns the step to answer again and why ("" when all is well).
	Check func(ctx context.Context, t *turn, s *S) (stepID, problem string, err error)
	// Done commits the answers: on Confirm at the review, or after the last
	// step. The conversation is over before Done runs; Done may start
	// another flow.
	Done func(ctx context.Context, t *turn, s *S) error
	// Cancelled, if set, answers Cancel; else the text "flow_cancelled".
	Cancelled func(ctx context.Context, t *turn, s *S) error
	// Restart, if set, starts the flow afresh for a user whose record is of
	// an old version; else the user is told to start it again.
	Restart func(ctx context.Context, t *turn) error
	// Lost, if set, answers a tap on one of the flow's buttons when the
	// user has no conversation (expired, or lost with Redis): a flow whose
	// answers are kept elsewhere, like onboarding's in the donor row, asks
	// its next question again instead of leaving the user at a dead
	// button. handled false lets the engine call the button stale.
	Lost func(ctx context.Context, t *turn) (handled bool, err error)
	// Numbered prefixes each prompt with "Step n/m".
	Numbered bool
	// Guard, if set, checks the user's role at every answer, as the route
	// table's wrappers do for commands (h.organizerOnly): a role revoked
	// mid-flow stops the flow's next step.
	Guard func(handlerFunc) handlerFunc
	// ConfirmText, if set, is the text id of the review's Confirm button,
	// for a flow whose commit is more than saving ("Publish"; /urgent's Send
	// alerts donors at once); else "btn_flow_confirm".
	ConfirmText string
	// ReviewShowsAnswers is set when Review renders the answers itself (a
	// drive's card reads better than a list of answers): the engine then
	// adds only the buttons, one to change each answer with a Show.
	ReviewShowsAnswers bool
}

// step is one question of a flow.
type step[S any] struct {
	ID string
	// Prompt is the question.
	Prompt func(t *turn, s *S) string
	// Choices are buttons that answer the step; each Value goes to Parse as
	// if typed. Values must be short and free of ':' (callback data).
	Choices func(ctx context.Context, t *turn, s *S) ([]choice, error)
	// Columns lays the choices out; 0 means one per row.
	Columns int
	// Typed accepts typed text (and a shared contact when Contact is set).
	Typed   bool
	Contact bool
	// Forwards accepts a forwarded message of any kind, text or not: Parse
	// gets its text, maybe empty, and reads whose it is from the update.
	Forwards bool
	// Markup, if set, replaces the engine's keyboard, e.g. a reply keyboard
	// that shares the phone number. The engine then sends its Back and
	// Cancel buttons in a second, short message.
	Markup func(t *turn, s *S) any
	// Parse takes an answer into s. problem is a rendered text telling the
	// user what is wrong ("" when the answer is taken).
	Parse func(ctx context.Context, t *turn, s *S, raw string) (problem string, err error)
	// Skip reports that the step is not asked (known already, or not
	// relevant to the earlier answers).
	Skip func(s *S) bool
	// Answered, if set, reports that an earlier step gave this step's
	// answer (a group's "None of these"): the step is not asked in order,
	// but, unlike a skipped one, the review still lists it to be changed.
	Answered func(s *S) bool
	// Clear, if set, makes the step optional: a Skip button clears its
	// answer with it.
	Clear func(s *S)
	// FollowUp marks a step that completes the answer of the step before it
	// (the month of a Yes): when that answer is changed at the review, the
	// follow-ups that apply are asked before the review returns, and Back
	// from one returns to the step it follows, not to the review.
	FollowUp bool
	// Label names the step in the review; Show renders its answer ("" hides
	// the line). A step without Show is not listed and cannot be changed.
	Label string
	Show  func(t *turn, s *S) string
	// Commit, if set, ends the flow after this step's answer when it
	// reports true: Done runs at once, without the steps after it or the
	// review (answers reused as they were confirmed before: "still true").
	Commit func(s *S) bool
	// Then, if set, is the step the flow returns to after this one's
	// answer, without asking it again: a desk that takes one search after
	// another (check-in) stays open, and Parse has answered the user.
	Then string
}

// choice is one answer button of a step.
type choice struct {
	Text, Value string
}

// reviewStep is the step name of the review, after every question.
const reviewStep = "review"

// Callback operations of flow buttons: fl:v1:<flow>:<step>:<op>[:<value>].
const (
	opAnswer  = "a"
	opBack    = "b"
	opCancel  = "c"
	opSkip    = "s"
	opConfirm = "ok"
	opChange  = "ch"
)

// flowRunner is a flow with its State type erased, for the route table.
type flowRunner interface {
	name() string
	onText(ctx context.Context, t *turn, conv storage.Conversation, raw string) error
	onButton(ctx context.Context, t *turn, conv storage.Conversation) error
	// resume asks the current step again.
	resume(ctx context.Context, t *turn, conv storage.Conversation) error
	acceptsContact(conv storage.Conversation) bool
	guard(handlerFunc) handlerFunc
	// lost answers a tap on the flow's button with no conversation record.
	lost(ctx context.Context, t *turn) (handled bool, err error)
}

func (f *flow[S]) name() string { return f.Name }

func (f *flow[S]) lost(ctx context.Context, t *turn) (bool, error) {
	if f.Lost == nil {
		return false, nil
	}
	handled := false
	err := f.guard(func(ctx context.Context, t *turn) error {
		var err error
		handled, err = f.Lost(ctx, t)
		return err
	})(ctx, t)
	return handled, err
}

func (f *flow[S]) guard(fn handlerFunc) handlerFunc {
	if f.Guard == nil {
		return fn
	}
	return f.Guard(fn)
}

// start begins the flow with initial answers s.
func (f *flow[S]) start(ctx context.Context, t *turn, s S) error {
	conv := storage.Conversation{Version: storage.ConversationVersion, Flow: f.Name, FlowVersion: f.Version}
	first, ok := f.nextStep(&s, -1)
	if !ok {
		return f.finish(ctx, t, conv, &s)
	}
	conv.Step = first
	return f.ask(ctx, t, conv, &s)
}

// startAt begins the flow with answers s at step stepID, as if the steps
// of trail had been answered before it: a journey entered in its middle
// (a deferral from a check-in result button) still has Back.
func (f *flow[S]) startAt(ctx context.Context, t *turn, s S, stepID string, trail ...string) error {
	conv := storage.Conversation{Version: storage.ConversationVersion, Flow: f.Name, FlowVersion: f.Version,
		Step: stepID, Trail: trail}
	return f.ask(ctx, t, conv, &s)
}

// current decodes the record's state; ok is false for a record of another
// version, which the engine then restarts.
func (f *flow[S]) current(conv storage.Conversation) (S, bool) {
	var s S
	if conv.Version != storage.ConversationVersion || conv.FlowVersion != f.Version {
		return s, false
	}
	if len(conv.State) > 0 && json.Unmarshal(conv.State, &s) != nil {
		return s, false
	}
	return s, true
}

func (f *flow[S]) stepIndex(id string) int {
	return slices.IndexFunc(f.Steps, func(st step[S]) bool { return st.ID == id })
}

// nextStep is the first step after index i that is asked.
func (f *flow[S]) nextStep(s *S, i int) (string, bool) {
	for j := i + 1; j < len(f.Steps); j++ {
		st := f.Steps[j]
		if (st.Skip == nil || !st.Skip(s)) && (st.Answered == nil || !st.Answered(s)) {
			return st.ID, true
		}
	}
	return "", false
}

func (f *flow[S]) save(ctx context.Context, t *turn, conv storage.Conversation, s *S) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("flow %s: encode state: %w", f.Name, err)
	}
	conv.State = raw
	return t.h.d.State.SaveConversation(ctx, t.userID, conv)
}

// ask saves the conversation at conv.Step and asks it.
func (f *flow[S]) ask(ctx context.Context, t *turn, conv storage.Conversation, s *S) error {
	if conv.Step == reviewStep {
		return f.review(ctx, t, conv, s)
	}
	i := f.stepIndex(conv.Step)
	if i < 0 {
		return fmt.Errorf("flow %s: no step %q", f.Name, conv.Step)
	}
	st := f.Steps[i]
	if err := f.save(ctx, t, conv, s); err != nil {
		return err
	}
	text := st.Prompt(t, s)
	if f.Numbered {
		text = t.textf("step_prefix", map[string]any{"N": i + 1, "Total": len(f.Steps)}) + " " + text
	}
	if st.Markup != nil {
		if err := t.reply(ctx, text, st.Markup(t, s)); err != nil {
			return err
		}
		nav := f.navRow(t, conv, st)
		return t.reply(ctx, t.text("flow_nav"), rows(len(nav), nav...))
	}
	kb, err := f.keyboard(ctx, t, conv, st, s)
	if err != nil {
		return err
	}
	return t.reply(ctx, text, kb)
}

// keyboard is a step's choices above its navigation row.
func (f *flow[S]) keyboard(ctx context.Context, t *turn, conv storage.Conversation, st step[S], s *S) (botapi.InlineKeyboard, error) {
	var buttons []botapi.Button
	if st.Choices != nil {
		choices, err := st.Choices(ctx, t, s)
		if err != nil {
			return botapi.InlineKeyboard{}, err
		}
		for _, c := range choices {
			buttons = append(buttons, f.button(c.Text, conv.Step, opAnswer, c.Value))
		}
	}
	return rows(max(st.Columns, 1), buttons...).With(f.navRow(t, conv, st)...), nil
}

// errRedraw, returned by a step's Parse, keeps the conversation at the step
// after taking the answer into S: for a step whose buttons change the
// step itself (a page of a long list, a box ticked in a multi-select),
// which the engine then redraws in place under the same question.
var errRedraw = errors.New("flow: redraw the step")

// redraw saves s and shows the step's new buttons in the message tapped,
// or asks the step again after typed text.
func (f *flow[S]) redraw(ctx context.Context, t *turn, conv storage.Conversation, s *S) error {
	if t.callbackID == "" || t.messageID == 0 {
		return f.ask(ctx, t, conv, s)
	}
	if err := f.save(ctx, t, conv, s); err != nil {
		return err
	}
	kb, err := f.keyboard(ctx, t, conv, f.Steps[f.stepIndex(conv.Step)], s)
	if err != nil {
		return err
	}
	return t.editButtons(ctx, kb)
}

// navRow is Back (when there is a step to go back to), Skip (for an
// optional step) and Cancel.
func (f *flow[S]) navRow(t *turn, conv storage.Conversation, st step[S]) []botapi.Button {
	var nav []botapi.Button
	if len(conv.Trail) > 0 || conv.Reviewing {
		nav = append(nav, f.button(t.text("btn_flow_back"), conv.Step, opBack, ""))
	}
	if st.Clear != nil {
		nav = append(nav, f.button(t.text("btn_flow_skip"), conv.Step, opSkip, ""))
	}
	return append(nav, f.button(t.text("btn_flow_cancel"), conv.Step, opCancel, ""))
}

func (f *flow[S]) button(text, stepID, op, value string) botapi.Button {
	args := []string{f.Name, stepID, op}
	if value != "" {
		args = append(args, value)
	}
	return botapi.Button{Text: text, CallbackData: encodeCallback("fl", args...)}
}

// review lists the answers with Confirm, a Change button per answer, Back
// and Cancel.
func (f *flow[S]) review(ctx context.Context, t *turn, conv storage.Conversation, s *S) error {
	if redo, err := f.redo(ctx, t, conv, s); redo || err != nil {
		return err
	}
	conv.Step, conv.Reviewing = reviewStep, false
	if err := f.save(ctx, t, conv, s); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(f.Review(t, s))
	var change []botapi.Button
	for _, st := range f.Steps {
		if st.Show == nil || (st.Skip != nil && st.Skip(s)) {
			continue
		}
		answer := st.Show(t, s)
		if answer == "" {
			continue
		}
		label := t.text(st.Label)
		if !f.ReviewShowsAnswers {
			fmt.Fprintf(&b, "\n• %s: %s", label, answer)
		}
		change = append(change, f.button("✏️ "+label, reviewStep, opChange, st.ID))
	}
	confirm := f.ConfirmText
	if confirm == "" {
		confirm = "btn_flow_confirm"
	}
	kb := rows(1, f.button(t.text(confirm), reviewStep, opConfirm, ""))
	kb.InlineKeyboard = append(kb.InlineKeyboard, rows(2, change...).InlineKeyboard...)
	kb = kb.With(f.button(t.text("btn_flow_back"), reviewStep, opBack, ""),
		f.button(t.text("btn_flow_cancel"), reviewStep, opCancel, ""))
	return t.reply(ctx, b.String(), kb)
}

// redo runs Check: when an answer must be given again, it says why, asks
// that step with the review to come back to, and reports true.
func (f *flow[S]) redo(ctx context.Context, t *turn, conv storage.Conversation, s *S) (bool, error) {
	if f.Check == nil {
		return false, nil
	}
	stepID, problem, err := f.Check(ctx, t, s)
	if err != nil || stepID == "" {
		return false, err
	}
	if problem != "" {
		if err := t.reply(ctx, problem, nil); err != nil {
			return true, err
		}
	}
	conv.Step, conv.Reviewing = stepID, true
	return true, f.ask(ctx, t, conv, s)
}

// answered moves on after the current step took its answer.
func (f *flow[S]) answered(ctx context.Context, t *turn, conv storage.Conversation, s *S) error {
	if st := f.Steps[f.stepIndex(conv.Step)]; st.Commit != nil && st.Commit(s) {
		if redo, err := f.redo(ctx, t, conv, s); redo || err != nil {
			return err
		}
		return f.finish(ctx, t, conv, s)
	}
	if conv.Reviewing {
		if next, ok := f.followUp(s, f.stepIndex(conv.Step)); ok {
			conv.Step = next
			return f.ask(ctx, t, conv, s)
		}
		return f.review(ctx, t, conv, s)
	}
	if then := f.Steps[f.stepIndex(conv.Step)].Then; then != "" {
		if k := slices.Index(conv.Trail, then); k >= 0 {
			conv.Trail = conv.Trail[:k]
		}
		conv.Step = then
		return f.save(ctx, t, conv, s)
	}
	conv.Trail = append(conv.Trail, conv.Step)
	next, ok := f.nextStep(s, f.stepIndex(conv.Step))
	switch {
	case ok:
		conv.Step = next
		return f.ask(ctx, t, conv, s)
	case f.Review != nil:
		return f.review(ctx, t, conv, s)
	default:
		return f.finish(ctx, t, conv, s)
	}
}

// followUp is the first follow-up after index i that is asked, if any
// before the next step that is not a follow-up.
func (f *flow[S]) followUp(s *S, i int) (string, bool) {
	for j := i + 1; j < len(f.Steps) && f.Steps[j].FollowUp; j++ {
		if st := f.Steps[j]; st.Skip == nil || !st.Skip(s) {
			return st.ID, true
		}
	}
	return "", false
}

// finish ends the conversation and commits the answers.
func (f *flow[S]) finish(ctx context.Context, t *turn, conv storage.Conversation, s *S) error {
	if err := t.h.d.State.EndConversation(ctx, t.userID); err != nil {
		return err
	}
	return f.Done(ctx, t, s)
}

// take parses one answer to the current step.
func (f *flow[S]) take(ctx context.Context, t *turn, conv storage.Conversation, s *S, raw string) error {
	st := f.Steps[f.stepIndex(conv.Step)]
	problem, err := st.Parse(ctx, t, s, raw)
	if errors.Is(err, errRedraw) {
		return f.redraw(ctx, t, conv, s)
	}
	if err != nil {
		return err
	}
	if problem != "" {
		if err := t.reply(ctx, problem, nil); err != nil {
			return err
		}
		return f.ask(ctx, t, conv, s)
	}
	return f.answered(ctx, t, conv, s)
}

func (f *flow[S]) onText(ctx context.Context, t *turn, conv storage.Conversation, raw string) error {
	s, ok := f.current(conv)
	if !ok {
		return f.restart(ctx, t)
	}
	i := f.stepIndex(conv.Step)
	hint := ""
	switch {
	case conv.Step == reviewStep || i < 0 || !f.Steps[i].Typed:
		hint = "use_buttons"
	case strings.TrimSpace(raw) == "" && !(f.Steps[i].Forwards && t.upd.Message.ForwardOrigin != nil):
		hint = "use_text" // a sticker or a photo where words are asked
	}
	if hint != "" {
		if err := t.reply(ctx, t.text(hint), nil); err != nil {
			return err
		}
		return f.ask(ctx, t, conv, &s)
	}
	return f.take(ctx, t, conv, &s, strings.TrimSpace(raw))
}

func (f *flow[S]) acceptsContact(conv storage.Conversation) bool {
	i := f.stepIndex(conv.Step)
	return i >= 0 && f.Steps[i].Contact
}

func (f *flow[S]) onButton(ctx context.Context, t *turn, conv storage.Conversation) error {
	stepID, op, value := t.cb.arg(1), t.cb.arg(2), t.cb.arg(3)
	if conv.Flow != f.Name || conv.Step != stepID {
		return t.answer(ctx, t.text("button_stale"))
	}
	s, ok := f.current(conv)
	if !ok {
		if err := t.finishTap(ctx); err != nil {
			return err
		}
		return f.restart(ctx, t)
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	i := f.stepIndex(stepID)
	switch {
	case op == opCancel:
		if err := t.h.d.State.EndConversation(ctx, t.userID); err != nil {
			return err
		}
		if f.Cancelled != nil {
			return f.Cancelled(ctx, t, &s)
		}
		return t.reply(ctx, t.text("flow_cancelled"), nil)
	case op == opBack:
		return f.back(ctx, t, conv, &s)
	case op == opConfirm && stepID == reviewStep:
		// The review may have waited for hours (a drive's date passed, a
		// right was revoked): the answers are checked again before commit.
		if redo, err := f.redo(ctx, t, conv, &s); redo || err != nil {
			return err
		}
		return f.finish(ctx, t, conv, &s)
	case op == opChange && stepID == reviewStep:
		j := f.stepIndex(value)
		if j < 0 || f.Steps[j].Show == nil {
			return t.reply(ctx, t.text("button_stale"), nil)
		}
		conv.Step, conv.Reviewing = value, true
		return f.ask(ctx, t, conv, &s)
	case op == opSkip && i >= 0 && f.Steps[i].Clear != nil:
		f.Steps[i].Clear(&s)
		return f.answered(ctx, t, conv, &s)
	case op == opAnswer && i >= 0 && value != "":
		return f.take(ctx, t, conv, &s, value)
	}
	return t.reply(ctx, t.text("button_stale"), nil)
}

// back returns to the step answered before this one; from a change made at
// the review, back to the review, or from a follow-up of that change to the
// step it follows.
func (f *flow[S]) back(ctx context.Context, t *turn, conv storage.Conversation, s *S) error {
	i := f.stepIndex(conv.Step)
	switch {
	case conv.Reviewing && i > 0 && f.Steps[i].FollowUp:
		conv.Step = f.prevStep(s, i)
	case conv.Reviewing:
		return f.review(ctx, t, conv, s)
	case conv.Step == reviewStep && len(conv.Trail) > 0:
		conv.Step = conv.Trail[len(conv.Trail)-1]
		conv.Trail = conv.Trail[:len(conv.Trail)-1]
	case len(conv.Trail) > 0:
		conv.Step = conv.Trail[len(conv.Trail)-1]
		conv.Trail = conv.Trail[:len(conv.Trail)-1]
	}
	return f.ask(ctx, t, conv, s)
}

// prevStep is the last step before index i that is asked; a follow-up
// always has one, the step it follows.
func (f *flow[S]) prevStep(s *S, i int) string {
	for j := i - 1; j >= 0; j-- {
		if st := f.Steps[j]; st.Skip == nil || !st.Skip(s) {
			return st.ID
		}
	}
	return f.Steps[0].ID
}

func (f *flow[S]) resume(ctx context.Context, t *turn, conv storage.Conversation) error {
	s, ok := f.current(conv)
	if !ok {
		return f.restart(ctx, t)
	}
	return f.ask(ctx, t, conv, &s)
}

// restart replaces a record an earlier release left, whose answers this
// release cannot read, with a fresh start of the flow, and says why.
func (f *flow[S]) restart(ctx context.Context, t *turn) error {
	if err := t.h.d.State.EndConversation(ctx, t.userID); err != nil {
		return err
	}
	if err := t.reply(ctx, t.text("flow_restarted"), nil); err != nil {
		return err
	}
	if f.Restart != nil {
		return f.Restart(ctx, t)
	}
	return nil
}

// onFlowButton routes a tap on a flow's button to its flow.
func (h *Handlers) onFlowButton(ctx context.Context, t *turn) error {
	conv, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil {
		return err
	}
	f, known := h.flows[t.cb.arg(0)]
	if !ok && known {
		if handled, err := f.lost(ctx, t); handled || err != nil {
			return err
		}
	}
	if !ok || !known || conv.Flow != t.cb.arg(0) {
		return t.answer(ctx, t.text("button_stale"))
	}
	return f.guard(func(ctx context.Context, t *turn) error { return f.onButton(ctx, t, conv) })(ctx, t)
}

// flowFor returns the flow the user's conversation is in, if it is one run
// by the engine.
func (h *Handlers) flowFor(conv storage.Conversation) (flowRunner, bool) {
	f, ok := h.flows[conv.Flow]
	return f, ok
}

// flowInput gives typed text or a shared contact to the flow the user is
// in; handled is false when they are in no flow run by the engine.
func (h *Handlers) flowInput(ctx context.Context, t *turn) (handled bool, err error) {
	conv, ok, err := h.d.State.Conversation(ctx, t.userID)
	if err != nil || !ok {
		return false, err
	}
	f, ok := h.flowFor(conv)
	if !ok {
		return false, nil
	}
	return true, f.guard(func(ctx context.Context, t *turn) error {
		c := t.upd.Message.Contact
		switch {
		case c == nil:
			return f.onText(ctx, t, conv, t.upd.Message.Text)
		case !f.acceptsContact(conv):
			return f.onText(ctx, t, conv, "")
		case c.UserID != t.userID:
			if err := t.reply(ctx, t.text("err_phone_not_own"), nil); err != nil {
				return err
			}
			return f.resume(ctx, t, conv)
		}
		return f.onText(ctx, t, conv, c.PhoneNumber)
	})(ctx, t)
}
