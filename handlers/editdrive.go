package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"donorbot/drive"
	"donorbot/storage"
)

const flowEditDrive = "editdrive"

// editableFields are what /editdrive changes; the date and time window are
// rebuilt only while a drive has no registration (storage refuses after).
var editableFields = []string{"title", "venue", "hospital", "target", "window"}

// driveEdit is the answers of /editdrive: which field, and its new value.
type driveEdit struct {
	// Drive is the drive as it was at /editdrive, for its card; the change
	// applies to the drive as stored at the end.
	Drive drive.Drive `json:"drive"`
	Field string      `json:"field"`
	Value string      `json:"value"`
}

// editDrive offers the fields of a drive to change.
func (h *Handlers) editDrive(ctx context.Context, t *turn) error {
	d, ok, err := h.managedDrive(ctx, t, "editdrive_usage")
	if !ok || err != nil {
		return err
	}
	if d.Status.Final() {
		return t.reply(ctx, t.text("drive_closed"), nil)
	}
	return h.editDriveFlow().start(ctx, t, driveEdit{Drive: d})
}

// editDriveFlow asks which field of a drive to change, then its new value,
// and tells the drive's registrants. The drive was checked to be the
// user's at /editdrive, and is again before the change.
func (h *Handlers) editDriveFlow() *flow[driveEdit] {
	return &flow[driveEdit]{
		Name: flowEditDrive, Version: 1,
		Steps: []step[driveEdit]{{
			ID: "field",
			Prompt: func(t *turn, s *driveEdit) string {
				return t.textf("editdrive_choose", map[string]any{"Card": t.driveCard(s.Drive, 0)})
			},
			Choices: func(_ context.Context, t *turn, _ *driveEdit) ([]choice, error) {
				var cs []choice
				for _, f := range editableFields {
					cs = append(cs, choice{Text: t.text("nd_field_" + f), Value: f})
				}
				return cs, nil
			},
			Columns: 2,
			Parse: func(_ context.Context, t *turn, s *driveEdit, raw string) (string, error) {
				if !slices.Contains(editableFields, raw) {
					return t.text("button_stale"), nil
				}
				s.Field, s.Value = raw, ""
				return "", nil
			},
		}, {
			ID:     "value",
			Prompt: func(t *turn, s *driveEdit) string { return t.text("nd_ask_" + s.Field) },
			Typed:  true,
			Parse: func(ctx context.Context, t *turn, s *driveEdit, raw string) (string, error) {
				if problem := h.checkDraftAnswer(s.Field, raw); problem != "" {
					return t.text(problem), nil
				}
				d, err := h.d.Store.Drive(ctx, s.Drive.ID)
				if errors.Is(err, storage.ErrNotFound) {
					return t.text("drive_gone"), nil
				} else if err != nil {
					return "", err
				}
				if _, problem, err := h.editedDraft(ctx, d, s.Field, raw); err != nil {
					return "", err
				} else if problem != "" {
					return t.text(problem), nil
				}
				s.Value = raw
				return "", nil
			},
		}},
		Done:  h.applyDriveEdit,
		Guard: h.organizerOnly,
	}
}

// applyDriveEdit changes the drive and tells every registrant.
func (h *Handlers) applyDriveEdit(ctx context.Context, t *turn, s *driveEdit) error {
	d, ok, err := h.managedDriveByID(ctx, t, s.Drive.ID) // rights may have been revoked meanwhile
	if !ok || err != nil {
		return err
	}
	in, problem, err := h.editedDraft(ctx, d, s.Field, s.Value)
	if err != nil {
		return err
	}
	if problem != "" {
		return t.reply(ctx, t.text(problem), nil)
	}
	updated, _, err := h.d.Store.UpdateDrive(ctx, d.ID, in)
	switch {
	case errors.Is(err, storage.ErrDriveHasRegistrations):
		return t.reply(ctx, t.text("editdrive_has_registrations"), nil)
	case errors.Is(err, storage.ErrDriveStatus):
		return t.reply(ctx, t.text("drive_closed"), nil)
	case err != nil:
		return err
	}
	n, err := h.tellRegistrants(ctx, t, updated, "drive_changed")
	if err != nil {
		return err
	}
	return t.reply(ctx, t.textf("editdrive_done", map[string]any{"Count": n}), nil)
}

// editedDraft is drive d with field set to raw (checked by
// checkDraftAnswer), or the message id of the rule the change breaks.
func (h *Handlers) editedDraft(ctx context.Context, d drive.Drive, field, raw string) (drive.DraftInput, string, error) {
	slots, err := h.d.Store.DriveSlots(ctx, d.ID)
	if err != nil || len(slots) == 0 {
		return drive.DraftInput{}, "", fmt.Errorf("slots of drive %d: %w", d.ID, err)
	}
	// Start from the stored drive, not from its answers re-typed: those
	// cannot carry its campaign or map point, nor a window past midnight.
	in := drive.DraftInput{
		CampaignID: d.CampaignID, Wave: d.Wave, Title: d.Title, Organizer: d.Organizer,
		Hospital: d.Hospital, Venue: d.Venue, Point: d.Point, Start: d.Start, End: d.End,
		SlotLength: slots[0].End.Sub(slots[0].Start), SlotCapacity: slots[0].Capacity,
		TargetUnits: d.TargetUnits, AudienceUnitID: d.AudienceUnitID,
		VenueID: d.VenueID, HospitalID: d.HospitalID, AnnounceAt: d.AnnounceAt,
	}
	switch field {
	case "title":
		in.Title = raw
	case "venue": // typed: no longer the directory's venue
		in.Venue, in.VenueID = raw, 0
	case "hospital":
		in.Hospital, in.HospitalID = raw, 0
	case "target":
		in.TargetUnits, _ = strconv.Atoi(raw)
	case "window":
		local := d.Start.In(h.d.Location)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, h.d.Location)
		in.Start, in.End, _ = windowOn(day, raw)
	default:
		return in, "", fmt.Errorf("edit drive %d: unknown field %q", d.ID, field)
	}
	if verr := drive.ValidateDraft(in, h.d.Now()); verr != nil {
		for _, p := range draftProblems {
			if errors.Is(verr, p.err) {
				return in, p.id, nil
			}
		}
		return in, "", verr
	}
	return in, "", nil
}
