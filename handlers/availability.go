package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"donorbot/botapi"
)

const flowAvailable = "available" // typing the last day on call

// available shows whether the donor is on call for urgent needs, and
// whether they accept alerts from outside their clubs, with buttons to change.
func (h *Handlers) available(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return h.needConsent(ctx, t)
	}
	return h.showAvailability(ctx, t, "")
}

// showAvailability renders the donor's availability after an optional
// confirmation line.
func (h *Handlers) showAvailability(ctx context.Context, t *turn, prefix string) error {
	a, err := h.d.Store.Availability(ctx, t.userID)
	if err != nil {
		return err
	}
	var b strings.Builder
	if prefix != "" {
		b.WriteString(prefix + "\n\n")
	}
	switch today := h.today(); {
	case !a.OnCallOn(today):
		b.WriteString(t.text("avail_off"))
	case a.Until.IsZero():
		b.WriteString(t.text("avail_on"))
	default:
		b.WriteString(t.textf("avail_until", map[string]any{"Date": t.day(a.Until)}))
	}
	b.WriteString("\n")
	optin := botapi.Button{Text: t.text("btn_avail_optin"), CallbackData: encodeCallback("avail", "optin")}
	if a.UrgentOptIn {
		b.WriteString(t.text("avail_optin_on"))
		optin = botapi.Button{Text: t.text("btn_avail_optout"), CallbackData: encodeCallback("avail", "optout")}
	} else {
		b.WriteString(t.text("avail_optin_off"))
	}
	kb := rows(1,
		botapi.Button{Text: t.text("btn_avail_on"), CallbackData: encodeCallback("avail", "on")},
		botapi.Button{Text: t.text("btn_avail_until"), CallbackData: encodeCallback("avail", "until")},
		botapi.Button{Text: t.text("btn_avail_off"), CallbackData: encodeCallback("avail", "off")},
		optin)
	return t.reply(ctx, b.String(), kb)
}

// onAvailability handles the buttons of /available.
func (h *Handlers) onAvailability(ctx context.Context, t *turn) error {
	if t.donor == nil || !t.donor.Onboarded() {
		return t.answer(ctx, t.text("consent_needed"))
	}
	var err error
	switch t.cb.arg(0) {
	case "on":
		err = h.d.Store.SetOnCall(ctx, t.userID, true, time.Time{})
	case "off":
		err = h.d.Store.SetOnCall(ctx, t.userID, false, time.Time{})
	case "optin", "optout":
		err = h.d.Store.SetUrgentOptIn(ctx, t.userID, t.cb.arg(0) == "optin")
	case "until":
		if err := t.finishTap(ctx); err != nil {
			return err
		}
		return h.availableUntilFlow().start(ctx, t, availableUntil{})
	default:
		return t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return err
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	return h.showAvailability(ctx, t, t.text("avail_saved"))
}

// availableUntil is the answer of "on call until a day".
type availableUntil struct {
	Until string `json:"until"` // yyyy-mm-dd
}

// availableUntilFlow asks the last day the donor is on call for urgent needs.
func (h *Handlers) availableUntilFlow() *flow[availableUntil] {
	return &flow[availableUntil]{
		Name: flowAvailable, Version: 1,
		Steps: []step[availableUntil]{{
			ID: "until",
			// The example is two weeks ahead of the clock: a fixed date
			// would one day be in the past, and refused.
			Prompt: func(t *turn, _ *availableUntil) string {
				return t.textf("avail_ask_until", map[string]any{"Example": h.today().AddDate(0, 0, 14).Format("02/01/2006")})
			},
			Typed: true,
			Parse: func(_ context.Context, t *turn, s *availableUntil, raw string) (string, error) {
				day, err := time.ParseInLocation("2/1/2006", raw, time.UTC)
				if err != nil || day.Before(h.today()) || day.After(h.today().AddDate(1, 0, 0)) {
					return t.text("avail_bad_date"), nil
				}
				s.Until = day.Format(time.DateOnly)
				return "", nil
			},
		}},
		Done: func(ctx context.Context, t *turn, s *availableUntil) error {
			day, err := time.Parse(time.DateOnly, s.Until)
			if err != nil {
				return fmt.Errorf("available until %q: %w", s.Until, err)
			}
			if err := h.d.Store.SetOnCall(ctx, t.userID, true, day); err != nil {
				return err
			}
			return h.showAvailability(ctx, t, t.text("avail_saved"))
		},
		Cancelled: func(ctx context.Context, t *turn, _ *availableUntil) error {
			return h.showAvailability(ctx, t, "")
		},
	}
}
