package handlers

import (
	"context"
	"errors"
	"net/http"

	"donorbot/storage"
)

var (
	errConsoleOverbookChanged = consoleRefuse(http.StatusConflict, "overbook_changed")
	errConsoleDriveNoRoom     = consoleRefuse(http.StatusConflict, "overbook_closed")
)

// consoleAutofillRoutes are the drive's auto-fill in the console: the same
// screen as the chat's (autofill_control.go), its lines rendered by the
// same code, so the two never disagree.
func (h *Handlers) consoleAutofillRoutes() []consoleRoute {
	return []consoleRoute{
		{"GET /drives/{id}/autofill", h.consoleAutofill},
		{"PUT /drives/{id}/autofill", h.consolePutAutofill},
		{"POST /drives/{id}/autofill/overbook", h.consoleOverbook},
		{"POST /drives/{id}/autofill/slot", h.consoleAddSlot},
	}
}

type consoleDryRun struct {
	Invitees     int     `json:"invitees"`
	Expected     int     `json:"expected"`
	Candidates   int     `json:"candidates"`
	SeatsLeft    int     `json:"seats_left"`
	ResponseRate float64 `json:"response_rate"`
	// Outcome says why nobody would be invited (no_gap, full,
	// no_candidates), or "".
	Outcome string `json:"outcome"`
	Line    string `json:"line"`
}

type consoleWave struct {
	Date       string `json:"date"`
	Checkpoint int    `json:"checkpoint"`
	Invited    int    `json:"invited"`
	SkippedCap int    `json:"skipped_cap"`
	Outcome    string `json:"outcome"`
	Line       string `json:"line"`
}

type consoleOverbook struct {
	Seats       int    `json:"seats"`
	RatePercent int    `json:"rate_percent"`
	Label       string `json:"label"`
}

type consoleAutofillReply struct {
	ID           int64           `json:"id"`
	Title        string          `json:"title"`
	Date         string          `json:"date"`
	On           bool            `json:"on"`
	Paused       bool            `json:"paused"`
	Checkpoints  []int           `json:"checkpoints"`
	Presets      [][]int         `json:"presets"`
	State        string          `json:"state"`
	Forecast     consoleForecast `json:"forecast"`
	ForecastLine string          `json:"forecast_line"`
	Full         string          `json:"full"`
	Waitlisted   int             `json:"waitlisted"`
	DryRun       consoleDryRun   `json:"dry_run"`
	Overbook     consoleOverbook `json:"overbook"`
	// NextSlot labels the slot "add a slot" appends, "" when none is offered.
	NextSlot string        `json:"next_slot"`
	Waves    []consoleWave `json:"waves"`
	// Notice says what an action just did.
	Notice string `json:"notice,omitempty"`
}

func (h *Handlers) consoleAutofill(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	v, err := h.autofillView(ctx, d)
	if err != nil {
		return nil, err
	}
	return h.consoleAutofillOf(v, c.Lang), nil
}

func (h *Handlers) consoleAutofillOf(v autofillView, lang string) consoleAutofillReply {
	p := v.Plan
	out := consoleAutofillReply{ID: v.Drive.ID, Title: v.Drive.Title, Date: h.date(lang, v.Drive.Start),
		On: v.Setting.On, Paused: v.Setting.Paused, Checkpoints: v.Setting.Checkpoints, Presets: checkpointPresets,
		State: v.stateLine(h, lang), Forecast: forecastOf(p.Forecast), ForecastLine: h.forecastLineIn(lang, p.Forecast),
		Full: v.fullLine(h, lang), Waitlisted: v.Waitlisted,
		DryRun: consoleDryRun{Invitees: len(p.Invitees), Expected: p.Expected, Candidates: p.Candidates,
			SeatsLeft: p.SeatsLeft, ResponseRate: p.ResponseRate, Outcome: p.Outcome, Line: v.dryRunLine(h, lang)},
		Waves: make([]consoleWave, len(v.Waves))}
	if v.Overbook.Seats > 0 {
		out.Overbook = consoleOverbook{Seats: v.Overbook.Seats, RatePercent: v.Overbook.RatePercent(),
			Label: h.textIn(lang, "btn_autofill_overbook", map[string]any{"Count": v.Overbook.Seats, "Rate": v.Overbook.RatePercent()})}
	}
	if v.NextSlot != nil {
		out.NextSlot = h.textIn(lang, "btn_autofill_add_slot", map[string]any{
			"From": h.clock(v.NextSlot.Start), "To": h.clock(v.NextSlot.End)})
	}
	for i, w := range v.Waves {
		out.Waves[i] = consoleWave{Date: h.date(lang, w.StartedAt), Checkpoint: w.Checkpoint, Invited: w.Invited,
			SkippedCap: w.SkippedCap, Outcome: w.Outcome, Line: waveLine(h, lang, w)}
	}
	return out
}

// consoleAutofillPut is a change of the setting; a field left out keeps
// its value.
type consoleAutofillPut struct {
	On          *bool `json:"on"`
	Paused      *bool `json:"paused"`
	Checkpoints []int `json:"checkpoints"`
}

func (h *Handlers) consolePutAutofill(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	var in consoleAutofillPut
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	set, err := h.d.Store.AutofillOf(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if in.On != nil {
		set.On = *in.On
	}
	if in.Paused != nil {
		set.Paused = *in.Paused
	}
	if in.Checkpoints != nil {
		set.Checkpoints = in.Checkpoints
	}
	err = h.d.Store.SetAutofill(ctx, d.ID, set, h.d.Now())
	if errors.Is(err, storage.ErrBadCheckpoints) {
		return nil, &consoleErr{Status: http.StatusBadRequest, Code: "bad_checkpoints",
			Fields: map[string]string{"checkpoints": h.textIn(c.Lang, "console_err_bad_checkpoints", nil)}}
	}
	if err != nil {
		return nil, err
	}
	h.d.Log.Info("autofill set", "drive_id", d.ID, "by", c.User.ID, "on", set.On, "paused", set.Paused,
		"checkpoints", set.Checkpoints)
	v, err := h.autofillView(ctx, d)
	if err != nil {
		return nil, err
	}
	return h.consoleAutofillOf(v, c.Lang), nil
}

// consoleOverbook adds the seats the screen offered ({"seats": n}), as the
// chat's button does; an offer that changed since is refused.
func (h *Handlers) consoleOverbook(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	var in struct {
		Seats int `json:"seats"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	v, err := h.autofillView(ctx, d)
	if err != nil {
		return nil, err
	}
	promoted, err := h.overbook(ctx, v, in.Seats, c.User.ID)
	switch {
	case errors.Is(err, errOverbookChanged):
		return nil, errConsoleOverbookChanged
	case errors.Is(err, storage.ErrDriveNotOpen):
		return nil, errConsoleDriveNoRoom
	case err != nil:
		return nil, err
	}
	if v, err = h.autofillView(ctx, d); err != nil {
		return nil, err
	}
	out := h.consoleAutofillOf(v, c.Lang)
	out.Notice = h.textIn(c.Lang, "autofill_overbooked", map[string]any{"Count": in.Seats, "Promoted": promoted})
	return out, nil
}

// consoleAddSlot appends a slot after the drive's last, within its day.
func (h *Handlers) consoleAddSlot(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	s, err := h.addSlot(ctx, d, c.User.ID)
	if errors.Is(err, storage.ErrDriveNotOpen) {
		return nil, errConsoleDriveNoRoom
	}
	if err != nil {
		return nil, err
	}
	v, err := h.autofillView(ctx, d)
	if err != nil {
		return nil, err
	}
	out := h.consoleAutofillOf(v, c.Lang)
	out.Notice = h.textIn(c.Lang, "autofill_slot_added", map[string]any{"From": h.clock(s.Start), "To": h.clock(s.End), "Count": s.Capacity})
	return out, nil
}
