package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"donorbot/drive"
	"donorbot/storage"
	"donorbot/textbound"
)

// consoleGateRoutes are the gate's endpoints: check-in by the donor's
// /mycode QR or by registration, the desk card, and results. They share
// every rule and message with the chat desk (checkin.go, results.go).
func (h *Handlers) consoleGateRoutes() []consoleRoute {
	return []consoleRoute{
		{"GET /drives/{id}/gate", h.consoleGate},
		{"POST /drives/{id}/checkin", h.consoleCheckin},
		{"GET /registrations/{id}", h.consoleDeskCard},
		{"POST /registrations/{id}/result", h.consoleResult},
		{"DELETE /registrations/{id}/result", h.consoleUndoResult},
		{"GET /deferral-reasons", h.consoleDeferralReasons},
	}
}

var (
	errConsoleCheckinClosed = consoleRefuse(http.StatusConflict, "checkin_closed")
	errConsoleNotLive       = consoleRefuse(http.StatusConflict, "not_live")
	errConsoleNotCheckedIn  = consoleRefuse(http.StatusConflict, "not_checked_in")
	errConsoleNoResult      = consoleRefuse(http.StatusConflict, "no_result")
)

// gateReply is the gate screen's header: whether the desk is open now and,
// when closed, why and when it opens, in the user's language.
type gateReply struct {
	DriveID int64  `json:"drive_id"`
	Title   string `json:"title"`
	Open    bool   `json:"open"`
	Closed  string `json:"closed,omitempty"`
}

func (h *Handlers) consoleGate(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	closed := h.checkinClosedIn(c.Lang, d)
	return gateReply{DriveID: d.ID, Title: d.Title, Open: closed == "", Closed: closed}, nil
}

// checkinBody names the donor to check in: the text of their /mycode QR,
// or a registration picked in the search.
type checkinBody struct {
	Code           string `json:"code"`
	RegistrationID int64  `json:"registration_id"`
}

func (h *Handlers) consoleCheckin(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	var body checkinBody
	if err := c.decode(&body); err != nil {
		return nil, err
	}
	if h.checkinClosedIn(c.Lang, d) != "" {
		return nil, errConsoleCheckinClosed
	}
	a, err := h.gateArrival(ctx, d, body)
	if err != nil {
		return nil, err
	}
	err = h.d.Store.CheckIn(ctx, d.ID, a.RegistrationID, c.User.ID, h.d.Now())
	switch st := drive.RegStatus(a.Status); {
	// Scanned again after a result: the card says what was recorded.
	case errors.Is(err, storage.ErrNotLive) && (st == drive.RegAttended || st == drive.RegDeferred):
	case errors.Is(err, storage.ErrNotLive):
		return nil, errConsoleNotLive
	case err != nil:
		return nil, err
	}
	card, err := h.deskCard(ctx, c.Lang, a.RegistrationID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"registration": card}, nil
}

// gateArrival finds the registration of the drive a check-in names. A code
// goes through the same verification as at the chat desk: forged or
// expired is "bad_code"; a valid one of a donor not registered at this
// drive is "wrong_drive".
func (h *Handlers) gateArrival(ctx context.Context, d drive.Drive, body checkinBody) (storage.Arrival, error) {
	switch {
	case body.Code != "":
		tid, err := drive.ParseCheckinCode(h.d.CheckinSecret, body.Code, h.d.Now())
		if err != nil {
			return storage.Arrival{}, consoleRefuse(http.StatusNotFound, "bad_code")
		}
		found, err := h.d.Store.FindArrivals(ctx, d.ID, storage.ArrivalQuery{TelegramID: tid})
		if err != nil {
			return storage.Arrival{}, err
		}
		if len(found) == 0 {
			return storage.Arrival{}, consoleRefuse(http.StatusNotFound, "wrong_drive")
		}
		return found[0], nil
	case body.RegistrationID > 0:
		a, err := h.d.Store.Arrival(ctx, body.RegistrationID)
		if errors.Is(err, storage.ErrNotFound) || err == nil && a.DriveID != d.ID {
			return storage.Arrival{}, errConsoleNotFound
		}
		return a, err
	}
	return storage.Arrival{}, errConsoleBadInput
}

// consoleArrival loads the registration of the path's {id} for a user who
// manages its drive, else 404.
func (h *Handlers) consoleArrival(ctx context.Context, c *consoleCall) (storage.Arrival, error) {
	id, err := c.pathID("id")
	if err != nil {
		return storage.Arrival{}, err
	}
	a, err := h.d.Store.Arrival(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a, errConsoleNotFound
	}
	if err != nil {
		return a, err
	}
	if _, err := h.consoleDrive(ctx, c, a.DriveID); err != nil {
		return a, err
	}
	return a, nil
}

func (h *Handlers) consoleDeskCard(ctx context.Context, c *consoleCall) (any, error) {
	a, err := h.consoleArrival(ctx, c)
	if err != nil {
		return nil, err
	}
	return h.deskCard(ctx, c.Lang, a.RegistrationID)
}

// resultBody is a result sent from the gate: {"kind":"donated","volume":350}
// or {"kind":"deferred","reason":"low_hb","until":"2027-01-05"}. A reason
// that is not a preset code is kept as typed, as at the chat desk.
type resultBody struct {
	Kind   string `json:"kind"`
	Volume int    `json:"volume"`
	Reason string `json:"reason"`
	Until  string `json:"until"`
}

func (h *Handlers) consoleResult(ctx context.Context, c *consoleCall) (any, error) {
	a, err := h.consoleArrival(ctx, c)
	if err != nil {
		return nil, err
	}
	var body resultBody
	if err := c.decode(&body); err != nil {
		return nil, err
	}
	res, err := h.gateResult(ctx, a, body)
	if err != nil {
		return nil, err
	}
	if !a.CheckedInAt.Valid {
		return nil, errConsoleNotCheckedIn
	}
	// A second result corrects the first, with an audit entry. Another
	// phone may record or undo meanwhile: the result is then recorded the
	// other way.
	st := drive.RegStatus(a.Status)
	fix := st == drive.RegAttended || st == drive.RegDeferred
	_, err = h.saveResult(ctx, c.User.ID, a, res, fix)
	if !fix && errors.Is(err, storage.ErrResultRecorded) || fix && errors.Is(err, storage.ErrNoResult) {
		_, err = h.saveResult(ctx, c.User.ID, a, res, !fix)
	}
	switch {
	case errors.Is(err, storage.ErrResultUnchanged):
	case errors.Is(err, storage.ErrNotLive), errors.Is(err, storage.ErrNoResult):
		return nil, errConsoleNotLive
	case errors.Is(err, storage.ErrNotCheckedIn):
		return nil, errConsoleNotCheckedIn
	case err != nil:
		return nil, err
	}
	return h.deskCard(ctx, c.Lang, a.RegistrationID)
}

// gateResult checks a result sent from the gate by the chat desk's rules:
// only a bag the donor may give (donorBags), a reason of at most 200
// characters, an end after today.
func (h *Handlers) gateResult(ctx context.Context, a storage.Arrival, body resultBody) (storage.Result, error) {
	switch body.Kind {
	case "donated":
		volumes, _, err := h.donorBags(ctx, a)
		if err != nil {
			return storage.Result{}, err
		}
		for _, v := range volumes {
			if v == body.Volume {
				return storage.Result{Donated: true, VolumeML: v, Kind: donationKinds[0]}, nil
			}
		}
		return storage.Result{}, consoleRefuse(http.StatusBadRequest, "volume_not_allowed")
	case "deferred":
		reason := strings.TrimSpace(body.Reason)
		if reason == "" || !textbound.Within(reason, 200) {
			return storage.Result{}, consoleRefuse(http.StatusBadRequest, "bad_reason")
		}
		res := storage.Result{Reason: reason}
		if body.Until != "" {
			until, err := time.Parse(time.DateOnly, body.Until)
			if err != nil || !until.After(h.today()) {
				return storage.Result{}, consoleRefuse(http.StatusBadRequest, "bad_until")
			}
			res.Until = until
		}
		return res, nil
	}
	return storage.Result{}, errConsoleBadInput
}

func (h *Handlers) consoleUndoResult(ctx context.Context, c *consoleCall) (any, error) {
	a, err := h.consoleArrival(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, err := h.undoResult(ctx, c.User.ID, a); errors.Is(err, storage.ErrNoResult) {
		return nil, errConsoleNoResult
	} else if err != nil {
		return nil, err
	}
	return h.deskCard(ctx, c.Lang, a.RegistrationID)
}

// deferralReason is a preset reason as the gate offers it.
type deferralReason struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

func (h *Handlers) consoleDeferralReasons(_ context.Context, c *consoleCall) (any, error) {
	out := make([]deferralReason, 0, len(drive.DeferralReasons))
	for _, code := range drive.DeferralReasons {
		out = append(out, deferralReason{Code: code, Text: h.texts.text(c.Lang, "btn_deferral_"+code, nil)})
	}
	return out, nil
}
