package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"donorbot/drive"
	"donorbot/province"
	"donorbot/storage"
)

// The console's drive form (issue 20): create and edit a drive in one
// form, with the campaign's waves, the venue directory, the partner
// hospital from the hospitals directory, the slot generator, a copy of an
// earlier drive and a scheduled announcement.
func (h *Handlers) consoleFormRoutes() []consoleRoute {
	return []consoleRoute{
		{"GET /drive-form", h.consoleFormChoices},
		{"POST /drives", h.consoleCreateDrive},
		{"PUT /drives/{id}", h.consoleEditDrive},
		{"GET /drives/{id}/form", h.consoleDriveForm},
	}
}

// consoleFormVenues bounds the venue directory sent to the form.
const consoleFormVenues = 500

type formCampaign struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Waves []int  `json:"waves"`
}

type formOption struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type formProvince struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type formChoices struct {
	Campaigns []formCampaign `json:"campaigns"`
	Venues    []formVenue    `json:"venues"`
	Hospitals []formOption   `json:"hospitals"`
	Units     []formOption   `json:"units"`
	Provinces []formProvince `json:"provinces"`
	AllUnits  bool           `json:"all_units"` // the user may create drives for every donor
}

// formVenue is a directory venue with its province's name.
type formVenue struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	Ward     string `json:"ward"`
	Province string `json:"province"`
	Line     string `json:"line"`
}

// consoleFormChoices is what the form's pickers offer the user.
func (h *Handlers) consoleFormChoices(ctx context.Context, c *consoleCall) (any, error) {
	out := formChoices{Campaigns: []formCampaign{}, Venues: []formVenue{}, Hospitals: []formOption{},
		Units: []formOption{}, Provinces: []formProvince{}}
	campaigns, err := h.d.Store.Campaigns(ctx, 0, 100)
	if err != nil {
		return nil, err
	}
	highest, err := h.d.Store.CampaignWaves(ctx)
	if err != nil {
		return nil, err
	}
	for _, cp := range campaigns {
		out.Campaigns = append(out.Campaigns, formCampaign{cp.ID, cp.Name, drive.CampaignWaves(highest[cp.ID])})
	}
	venues, err := h.d.Store.Venues(ctx, consoleFormVenues)
	if err != nil {
		return nil, err
	}
	for _, v := range venues {
		out.Venues = append(out.Venues, formVenue{v.ID, v.Name, v.Address, v.Ward, v.Province, v.Line()})
	}
	hospitals, err := h.d.Store.Hospitals(ctx)
	if err != nil {
		return nil, err
	}
	for _, hp := range hospitals {
		out.Hospitals = append(out.Hospitals, formOption{hp.ID, hp.Name})
	}
	if out.AllUnits, err = h.organizesUnit(ctx, c.User.ID, 0); err != nil {
		return nil, err
	}
	units, err := h.audienceUnits(ctx, c.User.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		out.Units = append(out.Units, formOption{u.ID, u.Name})
	}
	for _, p := range province.All {
		out.Provinces = append(out.Provinces, formProvince{p.Code, p.Name})
	}
	return out, nil
}

// consoleDriveForm is a drive's form prefilled for editing, or with
// ?copy=1 for a new drive like it (drive.Form.Duplicate).
func (h *Handlers) consoleDriveForm(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	f, err := h.driveForm(ctx, d)
	if err != nil {
		return nil, err
	}
	if c.query("copy") == "1" {
		f = f.Duplicate()
	}
	return f, nil
}

// driveForm is the form that would save d as it is.
func (h *Handlers) driveForm(ctx context.Context, d drive.Drive) (drive.Form, error) {
	slots, err := h.d.Store.DriveSlots(ctx, d.ID)
	if err != nil {
		return drive.Form{}, err
	}
	start, end := d.Start.In(h.d.Location), d.End.In(h.d.Location)
	f := drive.Form{
		Title: d.Title, CampaignID: d.CampaignID, VenueID: d.VenueID, HospitalID: d.HospitalID,
		UnitID: d.AudienceUnitID, Date: start.Format(time.DateOnly), From: start.Format("15:04"),
		To: end.Format("15:04"), Target: d.TargetUnits,
	}
	f.Wave, _ = drive.WaveNumber(d.Wave)
	if len(slots) > 0 {
		f.Every, f.Seats = int(slots[0].End.Sub(slots[0].Start)/time.Minute), slots[0].Capacity
	}
	if f.VenueID == 0 && d.Venue != "" { // typed in chat: the organizer completes it
		f.Venue = &drive.Venue{Name: shorten(d.Venue, drive.MaxVenueNameLen)}
	}
	if !d.AnnounceAt.IsZero() && d.Status == drive.StatusDraft {
		f.AnnounceAt = d.AnnounceAt.In(h.d.Location).Format("2006-01-02T15:04")
	}
	a, err := h.d.Store.AutofillOf(ctx, d.ID)
	if err != nil {
		return drive.Form{}, err
	}
	f.Autofill = a.On
	return f, nil
}

type formSaved struct {
	ID int64 `json:"id"`
	// Queued and SkippedAtCap count the donors an announcement sent now
	// reached and left out at the contact cap; AnnounceAt is when one
	// held back by quiet hours goes out. Notice says it in the user's words.
	Queued       int    `json:"queued"`
	SkippedAtCap int    `json:"skipped_at_cap"`
	AnnounceAt   string `json:"announce_at,omitempty"`
	Notice       string `json:"notice,omitempty"`
}

// consoleCreateDrive creates a drive from the form. Without an
// announcement time, or with one past, it is published and announced at
// once, as /newdrive does; otherwise it waits as a draft for the scheduler.
func (h *Handlers) consoleCreateDrive(ctx context.Context, c *consoleCall) (any, error) {
	var f drive.Form
	if err := c.decode(&f); err != nil {
		return nil, err
	}
	draft, err := h.checkForm(ctx, c, f, nil)
	if err != nil {
		return nil, err
	}
	deferred := h.deferFormAnnouncement(&draft)
	d, _, err := h.d.Store.CreateDrive(ctx, draft.Input, c.User.ID)
	if err != nil {
		return nil, err
	}
	h.d.Log.Info("console: drive created", "drive_id", d.ID, "user_id", c.User.ID, "scheduled", !draft.AnnounceAt.IsZero())
	if err := h.setFormAutofill(ctx, d.ID, f.Autofill); err != nil {
		return nil, err
	}
	return h.consoleAnnounce(ctx, c, d, draft, deferred)
}

// consoleEditDrive changes a drive the user manages, under /editdrive's
// rule: the slots are rebuilt only while nobody registered, so a booked
// slot is never dropped; a change that would is refused. Registrants are
// told of the change as in chat.
func (h *Handlers) consoleEditDrive(ctx context.Context, c *consoleCall) (any, error) {
	old, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	if old.Status.Final() {
		return nil, consoleRefuse(http.StatusConflict, "form_closed")
	}
	var f drive.Form
	if err := c.decode(&f); err != nil {
		return nil, err
	}
	draft, err := h.checkForm(ctx, c, f, &old)
	if err != nil {
		return nil, err
	}
	if old.Status != drive.StatusDraft { // announced already: the time has no use
		draft.Input.AnnounceAt = old.AnnounceAt
	}
	deferred := old.Status == drive.StatusDraft && h.deferFormAnnouncement(&draft)
	updated, _, err := h.d.Store.UpdateDrive(ctx, old.ID, draft.Input)
	switch {
	case errors.Is(err, storage.ErrDriveHasRegistrations):
		oldForm, ferr := h.driveForm(ctx, old)
		if ferr != nil {
			return nil, ferr
		}
		return nil, h.formRefusal(c, http.StatusConflict, slotFieldsChanged(oldForm, f), "console_form_err_has_registrations")
	case errors.Is(err, storage.ErrDriveStatus):
		return nil, consoleRefuse(http.StatusConflict, "form_closed")
	case err != nil:
		return nil, err
	}
	h.d.Log.Info("console: drive edited", "drive_id", updated.ID, "user_id", c.User.ID)
	if err := h.setFormAutofill(ctx, updated.ID, f.Autofill); err != nil {
		return nil, err
	}
	saved := formSaved{ID: updated.ID}
	if updated.Status == drive.StatusDraft {
		a, err := h.consoleAnnounce(ctx, c, updated, draft, deferred)
		if err != nil {
			return nil, err
		}
		saved = a
	}
	if _, err := h.tellRegistrants(ctx, &turn{h: h, userID: c.User.ID, lang: c.Lang}, updated, "drive_changed"); err != nil {
		return nil, err
	}
	return saved, nil
}

// slotFieldsChanged are the form's inputs that cut the slots and differ
// from the stored drive's.
func slotFieldsChanged(old, f drive.Form) []string {
	var out []string
	for _, x := range []struct {
		name    string
		changed bool
	}{
		{"date", old.Date != f.Date}, {"from", old.From != f.From}, {"to", old.To != f.To},
		{"every", old.Every != f.Every}, {"seats", old.Seats != f.Seats},
	} {
		if x.changed {
			out = append(out, x.name)
		}
	}
	return out
}

// setFormAutofill turns the drive's auto-fill on or off as the form's box
// says, keeping its checkpoints and pause (the auto-fill screen's).
func (h *Handlers) setFormAutofill(ctx context.Context, driveID int64, on bool) error {
	a, err := h.d.Store.AutofillOf(ctx, driveID)
	if err != nil || a.On == on {
		return err
	}
	a.On = on
	return h.d.Store.SetAutofill(ctx, driveID, a, h.d.Now())
}
