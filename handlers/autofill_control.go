package handlers

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
)

// The organizer's auto-fill screen of a drive (issue 21, point 4), reached
// from /stats: on/off, pause, checkpoints, the dry run, the wave log and,
// when the drive is full, overbooking. Its buttons carry
// afc:v1:<drive>:<op>[:<arg>]; every tap re-checks that the tapper still
// manages the drive, since the data is untrusted and a role can be revoked.

// checkpointPresets are the checkpoint sets offered as buttons: typing
// days is slow on a phone, and these cover a long, a medium and a short
// campaign.
var checkpointPresets = [][]int{{10, 5, 2}, {14, 7, 3}, {7, 3, 1}, {5, 2}}

// autofillOps are the ops of afc data without an argument.
var autofillOps = []string{"show", "on", "off", "pause", "resume", "cps", "stats", "slot"}

// autofillTap is decoded afc callback data.
type autofillTap struct {
	DriveID int64
	Op      string // an autofillOps entry, "cp" or "ob"
	Preset  int    // op "cp": index in checkpointPresets
	Seats   int    // op "ob": the seats the screen offered
}

func (a autofillTap) data() string {
	switch a.Op {
	case "cp":
		return encodeCallback("afc", id(a.DriveID), "cp", strconv.Itoa(a.Preset))
	case "ob":
		return encodeCallback("afc", id(a.DriveID), "ob", strconv.Itoa(a.Seats))
	}
	return encodeCallback("afc", id(a.DriveID), a.Op)
}

// maxOverbookSeats bounds the seats an overbook button may name: data is
// untrusted, and no drive adds thousands of seats at once.
const maxOverbookSeats = 10000

// parseAutofillTap reads decoded afc data, refusing anything data() would
// not have written.
func parseAutofillTap(cb callback) (autofillTap, error) {
	if cb.Action != "afc" || len(cb.Args) < 2 || len(cb.Args) > 3 {
		return autofillTap{}, errBadCallback
	}
	driveID, ok := canonicalInt(cb.Args[0])
	if !ok || driveID <= 0 {
		return autofillTap{}, errBadCallback
	}
	a := autofillTap{DriveID: driveID, Op: cb.Args[1]}
	if len(cb.Args) == 2 {
		if !slices.Contains(autofillOps, a.Op) {
			return autofillTap{}, errBadCallback
		}
		return a, nil
	}
	n, ok := canonicalInt(cb.Args[2])
	switch {
	case !ok:
		return autofillTap{}, errBadCallback
	case a.Op == "cp" && n >= 0 && n < int64(len(checkpointPresets)):
		a.Preset = int(n)
	case a.Op == "ob" && n > 0 && n <= maxOverbookSeats:
		a.Seats = int(n)
	default:
		return autofillTap{}, errBadCallback
	}
	return a, nil
}

// canonicalInt parses s as a base-10 integer written the way FormatInt
// writes it (no sign, no leading zero), so decoded data re-encodes the same.
func canonicalInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && strconv.FormatInt(n, 10) == s
}

// autofillButton opens the drive's auto-fill screen, under its /stats.
func autofillButton(t *turn, driveID int64) botapi.Button {
	return botapi.Button{Text: t.text("btn_autofill"), CallbackData: autofillTap{DriveID: driveID, Op: "show"}.data()}
}

// onAutofillButton answers a tap on the auto-fill screen.
func (h *Handlers) onAutofillButton(ctx context.Context, t *turn) error {
	a, err := parseAutofillTap(t.cb)
	if err != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	d, ok, err := h.managedDriveByID(ctx, t, a.DriveID)
	if !ok || err != nil {
		return err
	}
	if a.Op == "stats" {
		if err := t.finishTap(ctx); err != nil {
			return err
		}
		return h.driveStats(ctx, t, d)
	}
	if a.Op == "cps" {
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return t.editHere(ctx, t.text("autofill_pick_checkpoints"), autofillPresetKeyboard(t, d.ID))
	}
	v, err := h.autofillView(ctx, d)
	if err != nil {
		return err
	}
	note, err := h.applyAutofillTap(ctx, t, a, &v)
	if err != nil {
		return err
	}
	if err := t.answer(ctx, note); err != nil {
		return err
	}
	return t.editHere(ctx, v.render(t.h, t.lang), h.autofillKeyboard(t, v))
}

// applyAutofillTap changes the setting (or the seats) as the tap asks and
// reloads v; the text returned is the tap's toast.
func (h *Handlers) applyAutofillTap(ctx context.Context, t *turn, a autofillTap, v *autofillView) (string, error) {
	set := v.Setting
	switch a.Op {
	case "show":
		return "", nil
	case "on", "off":
		set.On, set.Paused = a.Op == "on", false
	case "pause", "resume":
		if !set.On {
			return t.text("autofill_is_off"), nil
		}
		set.Paused = a.Op == "pause"
	case "cp":
		set.Checkpoints = checkpointPresets[a.Preset]
	case "ob":
		return h.applyOverbook(ctx, t, a, v)
	case "slot":
		return h.applyAddSlot(ctx, t, v)
	}
	if err := h.d.Store.SetAutofill(ctx, v.Drive.ID, set, h.d.Now()); err != nil {
		return "", err
	}
	h.d.Log.Info("autofill set", "drive_id", v.Drive.ID, "by", t.userID, "on", set.On, "paused", set.Paused,
		"checkpoints", set.Checkpoints)
	fresh, err := h.autofillView(ctx, v.Drive)
	*v = fresh
	return t.text("autofill_saved"), err
}

func autofillPresetKeyboard(t *turn, driveID int64) botapi.InlineKeyboard {
	bs := make([]botapi.Button, 0, len(checkpointPresets)+1)
	for i, p := range checkpointPresets {
		bs = append(bs, botapi.Button{Text: checkpointLabel(p),
			CallbackData: autofillTap{DriveID: driveID, Op: "cp", Preset: i}.data()})
	}
	kb := rows(2, bs...)
	kb.InlineKeyboard = append(kb.InlineKeyboard, []botapi.Button{{Text: t.text("btn_autofill_back"),
		CallbackData: autofillTap{DriveID: driveID, Op: "show"}.data()}})
	return kb
}

// checkpointLabel is a preset on its button, e.g. "10·5·2".
func checkpointLabel(cps []int) string {
	parts := make([]string, len(cps))
	for i, c := range cps {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, "·")
}

func (h *Handlers) autofillKeyboard(t *turn, v autofillView) botapi.InlineKeyboard {
	tap := func(label, op string) botapi.Button {
		return botapi.Button{Text: t.text(label), CallbackData: autofillTap{DriveID: v.Drive.ID, Op: op}.data()}
	}
	var bs []botapi.Button
	switch {
	case !v.Setting.On:
		bs = append(bs, tap("btn_autofill_on", "on"))
	case v.Setting.Paused:
		bs = append(bs, tap("btn_autofill_resume", "resume"), tap("btn_autofill_off", "off"))
	default:
		bs = append(bs, tap("btn_autofill_pause", "pause"), tap("btn_autofill_off", "off"))
	}
	bs = append(bs, tap("btn_autofill_checkpoints", "cps"))
	kb := rows(2, bs...)
	if ob := v.overbookButton(t); ob != nil {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []botapi.Button{*ob})
	}
	if v.NextSlot != nil {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []botapi.Button{{
			Text:         t.textf("btn_autofill_add_slot", map[string]any{"From": t.clock(v.NextSlot.Start), "To": t.clock(v.NextSlot.End)}),
			CallbackData: autofillTap{DriveID: v.Drive.ID, Op: "slot"}.data()}})
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, []botapi.Button{tap("btn_autofill_refresh", "show"), tap("btn_autofill_back", "stats")})
	return kb
}

// autofillView is what the auto-fill screen shows, in the chat and the
// console alike.
type autofillView struct {
	Drive      drive.Drive
	Setting    storage.Autofill
	Plan       wavePlan
	Waves      []storage.Wave
	Waitlisted int
	// Overbook is the seats the unit's no-show rate predicts will stay
	// empty, offered when the drive is full or has a waitlist.
	Overbook overbookOffer
	// NextSlot is the slot "add a slot" would append, offered with
	// Overbook; nil when none fits in the drive's day.
	NextSlot *drive.Slot
}

func (h *Handlers) autofillView(ctx context.Context, d drive.Drive) (autofillView, error) {
	v := autofillView{Drive: d}
	var err error
	if v.Setting, err = h.d.Store.AutofillOf(ctx, d.ID); err != nil {
		return v, err
	}
	if v.Plan, err = h.planWave(ctx, d); err != nil {
		return v, err
	}
	if v.Waves, err = h.d.Store.Waves(ctx, d.ID); err != nil {
		return v, err
	}
	p, err := h.d.Store.DriveProgress(ctx, d.ID)
	if err != nil {
		return v, err
	}
	v.Waitlisted = p.Waitlisted
	if v.Overbook, err = h.overbookOffer(ctx, d, v.Plan.SeatsLeft, v.Waitlisted); err != nil {
		return v, err
	}
	if v.Plan.SeatsLeft == 0 || v.Waitlisted > 0 {
		if v.NextSlot, err = h.nextSlot(ctx, d); err != nil {
			return v, err
		}
	}
	return v, nil
}

// render is the screen's text for a reader of lang.
func (v autofillView) render(h *Handlers, lang string) string {
	var b strings.Builder
	b.WriteString(h.textIn(lang, "autofill_title", map[string]any{"Title": v.Drive.Title, "Date": h.date(lang, v.Drive.Start)}))
	b.WriteString("\n" + v.stateLine(h, lang))
	b.WriteString("\n" + v.checkpointsLine(h, lang))
	b.WriteString("\n\n" + h.forecastLineIn(lang, v.Plan.Forecast))
	if full := v.fullLine(h, lang); full != "" {
		b.WriteString("\n" + full)
	}
	b.WriteString("\n" + v.dryRunLine(h, lang))
	b.WriteString("\n\n" + h.textIn(lang, "autofill_waves", nil))
	if len(v.Waves) == 0 {
		b.WriteString("\n" + h.textIn(lang, "autofill_waves_none", nil))
	}
	for _, w := range v.Waves {
		b.WriteString("\n" + waveLine(h, lang, w))
	}
	return b.String()
}

func (v autofillView) stateLine(h *Handlers, lang string) string {
	switch {
	case !v.Setting.On:
		return h.textIn(lang, "autofill_state_off", nil)
	case v.Setting.Paused:
		return h.textIn(lang, "autofill_state_paused", nil)
	}
	return h.textIn(lang, "autofill_state_on", nil)
}

func (v autofillView) checkpointsLine(h *Handlers, lang string) string {
	cps := slices.Clone(v.Setting.Checkpoints)
	slices.Sort(cps)
	slices.Reverse(cps)
	parts := make([]string, len(cps))
	for i, c := range cps {
		parts[i] = strconv.Itoa(c)
	}
	// English says "1 day before" only for a lone 1; a list reads "days".
	count := len(cps)
	if count == 1 {
		count = cps[0]
	}
	return h.textIn(lang, "autofill_checkpoints", map[string]any{"Days": strings.Join(parts, ", "), "Count": count})
}

// dryRunLine is what a wave would do now: how many it would invite and
// the donations expected of them, or why it would invite nobody.
func (v autofillView) dryRunLine(h *Handlers, lang string) string {
	switch v.Plan.Outcome {
	case storage.WaveNoGap:
		return h.textIn(lang, "autofill_dry_no_gap", nil)
	case storage.WaveFull:
		return h.textIn(lang, "autofill_dry_full", nil)
	case storage.WaveNoCandidates:
		return h.textIn(lang, "autofill_dry_nobody", nil)
	}
	return h.textIn(lang, "autofill_dry_run", map[string]any{
		"People":    h.textIn(lang, "autofill_people", map[string]any{"Count": len(v.Plan.Invitees)}),
		"Donations": h.textIn(lang, "autofill_donations", map[string]any{"Count": v.Plan.Expected}),
	})
}

// fullLine says the drive is full or has a waitlist, or "".
func (v autofillView) fullLine(h *Handlers, lang string) string {
	switch {
	case v.Waitlisted > 0:
		return h.textIn(lang, "autofill_waitlist", map[string]any{"Count": v.Waitlisted})
	case v.Plan.SeatsLeft == 0:
		return h.textIn(lang, "autofill_full", nil)
	}
	return ""
}

// waveLine is one row of the wave log: its date, checkpoint and what it did.
func waveLine(h *Handlers, lang string, w storage.Wave) string {
	data := map[string]any{"Date": h.date(lang, w.StartedAt), "Count": w.Checkpoint}
	head := h.textIn(lang, "autofill_wave_head", data)
	var what string
	switch w.Outcome {
	case storage.WaveNoGap:
		what = h.textIn(lang, "autofill_wave_no_gap", nil)
	case storage.WaveFull:
		what = h.textIn(lang, "autofill_wave_full", nil)
	case storage.WaveNoCandidates:
		what = h.textIn(lang, "autofill_wave_nobody", nil)
	default:
		what = h.textIn(lang, "autofill_wave_invited", map[string]any{"Count": w.Invited})
		if w.SkippedCap > 0 {
			what += h.textIn(lang, "autofill_wave_skipped", map[string]any{"Count": w.SkippedCap})
		}
	}
	return head + what
}
