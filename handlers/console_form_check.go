package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"donorbot/drive"
	"donorbot/storage"
)

// formFieldTexts name the locale text shown beside an input for each rule
// a form breaks.
var formFieldTexts = []struct {
	err error
	key string
}{
	{drive.ErrTitleRequired, "console_form_err_title"},
	{drive.ErrTitleTooLong, "console_form_err_title_long"},
	{drive.ErrTextTooLong, "console_form_err_text_long"},
	{drive.ErrDateFormat, "console_form_err_date"},
	{drive.ErrDateInPast, "console_form_err_past"},
	{drive.ErrDateTooFar, "console_form_err_far"},
	{drive.ErrTimeFormat, "console_form_err_time"},
	{drive.ErrWindowInvalid, "console_form_err_window"},
	{drive.ErrWindowTooLong, "console_form_err_window_long"},
	{drive.ErrSlotLength, "console_form_err_every"},
	{drive.ErrSlotPartial, "console_form_err_partial"},
	{drive.ErrCapacity, "console_form_err_seats"},
	{drive.ErrTarget, "console_form_err_target"},
	{drive.ErrAnnounceFormat, "console_form_err_announce"},
	{drive.ErrAnnounceLate, "console_form_err_announce_late"},
	{drive.ErrVenueRequired, "console_form_err_venue"},
	{drive.ErrVenueProvince, "console_form_err_province"},
	{drive.ErrWaveInvalid, "console_form_err_wave"},
	{errFormGone, "console_form_err_gone"},
	{errFormHospital, "console_form_err_hospital"},
	{errFormUnit, "console_form_err_unit"},
}

// Problems of the form's pickers, found in storage rather than by the
// domain's rules.
var (
	errFormGone     = errors.New("console form: picked entry no longer exists")
	errFormHospital = errors.New("console form: no partner hospital")
	errFormUnit     = errors.New("console form: not the user's unit")
)

// formRefusal is a 400 (or status) "invalid" answer with the text of key
// beside each of fields.
func (h *Handlers) formRefusal(c *consoleCall, status int, fields []string, key string) error {
	if len(fields) == 0 {
		fields = []string{"form"}
	}
	texts := map[string]string{}
	for _, f := range fields {
		texts[f] = h.texts.text(c.Lang, key, nil)
	}
	return &consoleErr{Status: status, Code: "invalid", Fields: texts}
}

// checkForm checks a form against the directories, the user's rights and
// the drive's rules, and answers every problem at once beside its input.
// old is the drive edited, nil for a new one. A venue typed in is saved
// to the directory once the rest is valid.
func (h *Handlers) checkForm(ctx context.Context, c *consoleCall, f drive.Form, old *drive.Drive) (drive.FormDraft, error) {
	bad := map[string]error{}
	venue, err := h.formVenue(ctx, f)
	if err != nil && !isFormProblem(err) {
		return drive.FormDraft{}, err
	} else if err != nil {
		bad["venue"] = err
	}
	hospital := ""
	if f.HospitalID == 0 {
		bad["hospital"] = errFormHospital
	} else if hp, err := h.d.Store.Hospital(ctx, f.HospitalID); errors.Is(err, storage.ErrNotFound) {
		bad["hospital"] = errFormGone
	} else if err != nil {
		return drive.FormDraft{}, err
	} else {
		hospital = hp.Name
	}
	if err := h.checkFormWave(ctx, f); err != nil && !isFormProblem(err) {
		return drive.FormDraft{}, err
	} else if errors.Is(err, errFormGone) {
		bad["campaign"] = err
	} else if err != nil {
		bad["wave"] = err
	}
	organizer := ""
	if old != nil {
		organizer = old.Organizer
	}
	if old == nil || old.AudienceUnitID != f.UnitID { // a unit kept may stay though rights changed
		if ok, err := h.organizesUnit(ctx, c.User.ID, max(f.UnitID, 0)); err != nil {
			return drive.FormDraft{}, err
		} else if !ok {
			bad["unit"] = errFormUnit
		}
	}
	if f.UnitID > 0 {
		u, err := h.d.Store.Unit(ctx, f.UnitID)
		if errors.Is(err, storage.ErrNotFound) {
			bad["unit"] = errFormGone
		} else if err != nil {
			return drive.FormDraft{}, err
		} else if old == nil || old.AudienceUnitID != f.UnitID {
			organizer = u.Name
		}
	}
	draft, problems := f.Check(venue.Line(), hospital, h.d.Now(), h.d.Location)
	for field, err := range problems {
		bad[field] = err
	}
	if len(bad) > 0 {
		texts := map[string]string{}
		for field, err := range bad {
			texts[field] = h.texts.text(c.Lang, formFieldText(err), nil)
		}
		return drive.FormDraft{}, &consoleErr{Status: http.StatusBadRequest, Code: "invalid", Fields: texts}
	}
	if f.Wave == 0 && old != nil && old.CampaignID == f.CampaignID {
		if _, numbered := drive.WaveNumber(old.Wave); !numbered { // a wave named in chat stays
			draft.Input.Wave = old.Wave
		}
	}
	if venue.ID == 0 {
		if venue, err = h.d.Store.SaveVenue(ctx, venue, c.User.ID); err != nil {
			return drive.FormDraft{}, err
		}
	}
	draft.Input.Organizer = organizer
	draft.Input.VenueID, draft.Input.HospitalID, draft.Input.AnnounceAt = venue.ID, f.HospitalID, draft.AnnounceAt
	return draft, nil
}

// formVenue is the directory's venue picked, or the one typed in.
func (h *Handlers) formVenue(ctx context.Context, f drive.Form) (drive.Venue, error) {
	if f.VenueID != 0 {
		v, err := h.d.Store.Venue(ctx, f.VenueID)
		if errors.Is(err, storage.ErrNotFound) {
			return drive.Venue{}, errFormGone
		}
		return v, err
	}
	if f.Venue == nil {
		return drive.Venue{}, drive.ErrVenueRequired
	}
	v := *f.Venue
	v.ID = 0
	v.Name, v.Address, v.Ward = strings.TrimSpace(v.Name), strings.TrimSpace(v.Address), strings.TrimSpace(v.Ward)
	return v, v.Check()
}

// checkFormWave checks the campaign exists and the wave is one of its.
func (h *Handlers) checkFormWave(ctx context.Context, f drive.Form) error {
	if f.CampaignID != 0 {
		if _, err := h.d.Store.Campaign(ctx, f.CampaignID); errors.Is(err, storage.ErrNotFound) {
			return errFormGone
		} else if err != nil {
			return err
		}
	}
	highest, err := h.d.Store.CampaignWaves(ctx)
	if err != nil {
		return err
	}
	return drive.CheckWave(f.CampaignID, f.Wave, highest[f.CampaignID])
}

// isFormProblem says whether err is a user's mistake in the form, not a
// failure of the bot.
func isFormProblem(err error) bool { return formFieldText(err) != "console_form_err_invalid" }

func formFieldText(err error) string {
	for _, t := range formFieldTexts {
		if errors.Is(err, t.err) {
			return t.key
		}
	}
	return "console_form_err_invalid"
}
