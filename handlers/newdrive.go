package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
)

const flowNewDrive = "newdrive"

// driveDraft is the answers of /newdrive, each checked as it is typed;
// drive.ValidateDraft checks them together before the review.
type driveDraft struct {
	Title string `json:"title"`
	// CampaignID is the campaign picked (0: none); Wave is one of its
	// waves, stored as drive.WaveLabel ("Đợt 3"), "" for none.
	CampaignID   int64  `json:"campaign_id,omitempty"`
	CampaignName string `json:"campaign_name,omitempty"`
	Wave         string `json:"wave,omitempty"`
	Organizer    string `json:"organizer"`
	// Date is the drive's day, yyyy-mm-dd in the bot's time zone.
	Date string `json:"date"`
	// Window is "HH:MM-HH:MM" as typed, placed on Date by windowOn.
	Window      string `json:"window"`
	SlotMinutes int    `json:"slot_minutes"`
	Capacity    int    `json:"capacity"`
	Venue       string `json:"venue"`
	Hospital    string `json:"hospital"`
	Target      int    `json:"target"`
	// AudienceUnitID is the unit whose members are told; 0 is every donor.
	AudienceUnitID int64  `json:"audience_unit_id"`
	UnitName       string `json:"unit_name,omitempty"`
}

// audience names whom the drive is announced to.
func (s *driveDraft) audience(t *turn) string {
	if s.AudienceUnitID == 0 {
		return t.text("nd_all_donors")
	}
	return s.UnitName
}

// newDrive starts the guided creation of a drive.
func (h *Handlers) newDrive(ctx context.Context, t *turn) error {
	return h.newDriveFlow().start(ctx, t, driveDraft{})
}

// newDriveFlow asks a drive's details one by one, shows the drive's card
// with a button to change each answer, and publishes it on Confirm.
func (h *Handlers) newDriveFlow() *flow[driveDraft] {
	typed := func(id string, show func(*driveDraft) string) step[driveDraft] {
		return step[driveDraft]{
			ID:     id,
			Prompt: func(t *turn, _ *driveDraft) string { return t.text("nd_ask_" + id) },
			Typed:  true,
			Parse: func(_ context.Context, t *turn, s *driveDraft, raw string) (string, error) {
				if problem := h.takeDraftAnswer(s, id, raw); problem != "" {
					return t.text(problem), nil
				}
				return "", nil
			},
			Label: "nd_field_" + id,
			Show:  func(_ *turn, s *driveDraft) string { return orDash(show(s)) },
		}
	}
	date := typed("date", func(s *driveDraft) string { return s.Date })
	date.Show = func(t *turn, s *driveDraft) string {
		day, err := time.Parse(time.DateOnly, s.Date)
		if err != nil {
			return orDash(s.Date)
		}
		return t.day(day)
	}
	return &flow[driveDraft]{
		Name: flowNewDrive, Version: 2, Numbered: true,
		Steps: []step[driveDraft]{
			typed("title", func(s *driveDraft) string { return s.Title }),
			h.campaignStep(),
			h.waveStep(),
			typed("organizer", func(s *driveDraft) string { return s.Organizer }),
			date,
			typed("window", func(s *driveDraft) string { return s.Window }),
			typed("slotlen", func(s *driveDraft) string { return positive(s.SlotMinutes) }),
			typed("capacity", func(s *driveDraft) string { return positive(s.Capacity) }),
			typed("venue", func(s *driveDraft) string { return s.Venue }),
			typed("hospital", func(s *driveDraft) string { return s.Hospital }),
			typed("target", func(s *driveDraft) string { return positive(s.Target) }),
			h.audienceStep(),
		},
		Check:              h.checkDraft,
		Review:             h.reviewDraft,
		ReviewShowsAnswers: true,
		ConfirmText:        "btn_publish",
		Done:               h.publishDraft,
		Cancelled: func(ctx context.Context, t *turn, _ *driveDraft) error {
			return t.reply(ctx, t.text("nd_discarded"), nil)
		},
		Restart: h.newDrive,
		Guard:   h.organizerOnly,
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func positive(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// audienceStep asks whom to announce the drive to: every donor, or one of
// the units the organizer may create drives for (organizesUnit).
func (h *Handlers) audienceStep() step[driveDraft] {
	return step[driveDraft]{
		ID:     "audience",
		Prompt: func(t *turn, _ *driveDraft) string { return t.text("nd_ask_audience") },
		Choices: func(ctx context.Context, t *turn, _ *driveDraft) ([]choice, error) {
			units, err := h.audienceUnits(ctx, t.userID)
			if err != nil {
				return nil, err
			}
			choices := []choice{{Text: t.text("nd_all_donors"), Value: "0"}}
			for _, u := range units {
				choices = append(choices, choice{Text: shorten(u.Name, 60), Value: id(u.ID)})
			}
			return choices, nil
		},
		// A value comes from callback data, which a client can forge: the
		// unit is checked here, not trusted for having been offered.
		Parse: func(ctx context.Context, t *turn, s *driveDraft, raw string) (string, error) {
			unitID, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || unitID < 0 {
				return t.text("button_stale"), nil
			}
			name := ""
			if unitID != 0 {
				u, err := h.d.Store.Unit(ctx, unitID)
				if errors.Is(err, storage.ErrNotFound) {
					return t.text("button_stale"), nil
				} else if err != nil {
					return "", err
				}
				if ok, err := h.organizesUnit(ctx, t.userID, unitID); err != nil {
					return "", err
				} else if !ok {
					return t.text("unit_not_yours"), nil
				}
				name = u.Name
			}
			s.AudienceUnitID, s.UnitName = unitID, name
			return "", nil
		},
		Label: "nd_field_audience",
		Show:  func(t *turn, s *driveDraft) string { return s.audience(t) },
	}
}

// takeDraftAnswer takes one typed answer of /newdrive into s, or returns
// the message id explaining what is wrong with it.
func (h *Handlers) takeDraftAnswer(s *driveDraft, step, raw string) string {
	if problem := h.checkDraftAnswer(step, raw); problem != "" {
		return problem
	}
	n, _ := strconv.Atoi(raw) // numbers were checked above
	switch step {
	case "title":
		s.Title = raw
	case "organizer":
		s.Organizer = raw
	case "date":
		day, _ := drive.ParseDay(raw, h.d.Now(), h.d.Location)
		s.Date = day.Format(time.DateOnly)
	case "window":
		s.Window = raw
	case "slotlen":
		s.SlotMinutes = n
	case "capacity":
		s.Capacity = n
	case "venue":
		s.Venue = raw
	case "hospital":
		s.Hospital = raw
	case "target":
		s.Target = n
	}
	return ""
}

// draftInput turns the answers into a drive draft and validates it.
func (h *Handlers) draftInput(s driveDraft) (drive.DraftInput, error) {
	day, err := time.ParseInLocation(time.DateOnly, s.Date, h.d.Location)
	if err != nil {
		return drive.DraftInput{}, drive.ErrDateInPast
	}
	start, end, ok := windowOn(day, s.Window)
	if !ok {
		return drive.DraftInput{}, drive.ErrWindowInvalid
	}
	in := drive.DraftInput{
		CampaignID: s.CampaignID, Wave: s.Wave, Title: s.Title, Organizer: s.Organizer, Hospital: s.Hospital, Venue: s.Venue,
		Start: start, End: end,
		SlotLength: time.Duration(s.SlotMinutes) * time.Minute, SlotCapacity: s.Capacity,
		TargetUnits: s.Target, AudienceUnitID: s.AudienceUnitID,
	}
	return in, drive.ValidateDraft(in, h.d.Now())
}

// checkDraft checks the answers together, before the review and again at
// Publish, and names the step to answer again.
func (h *Handlers) checkDraft(ctx context.Context, t *turn, s *driveDraft) (stepID, problem string, err error) {
	if _, err := h.draftInput(*s); err != nil {
		for _, p := range draftProblems {
			if errors.Is(err, p.err) {
				return p.step, t.text(p.id), nil
			}
		}
		return "", "", fmt.Errorf("validate draft: %w", err)
	}
	if s.AudienceUnitID != 0 { // rights may have been revoked since the audience was picked
		if ok, err := h.organizesUnit(ctx, t.userID, s.AudienceUnitID); err != nil {
			return "", "", err
		} else if !ok {
			return "audience", t.text("unit_not_yours"), nil
		}
	}
	return "", "", nil
}

// reviewDraft is the drive's card as donors will see it, with its slots,
// target and audience; the engine runs checkDraft first.
func (h *Handlers) reviewDraft(t *turn, s *driveDraft) string {
	in, _ := h.draftInput(*s)
	slots, _ := drive.Slots(in.Start, in.End, in.SlotLength, in.SlotCapacity)
	seats := 0
	for _, sl := range slots {
		seats += sl.Capacity
	}
	preview := drive.Drive{Wave: in.Wave, Title: in.Title, Organizer: in.Organizer, Hospital: in.Hospital,
		Venue: in.Venue, Start: in.Start, End: in.End}
	return t.textf("nd_preview", map[string]any{
		"Card": t.driveCard(preview, seats), "Slots": len(slots), "Count": len(slots), "Target": in.TargetUnits, "Audience": s.audience(t),
	})
}

// publishDraft creates and publishes the drive, then announces it to its
// audience through the broadcast engine with a Register button. The engine
// ran checkDraft just before.
func (h *Handlers) publishDraft(ctx context.Context, t *turn, s *driveDraft) error {
	in, err := h.draftInput(*s)
	if err != nil {
		return fmt.Errorf("publish a checked draft: %w", err)
	}
	if at, ok := h.deferredAnnouncement(in.Start); ok {
		return h.publishAfterQuietHours(ctx, t, in, at)
	}
	d, _, err := h.d.Store.CreateDrive(ctx, in, t.userID)
	if err != nil {
		return err
	}
	if d, err = h.d.Store.PublishDrive(ctx, d.ID, h.d.Now()); err != nil {
		return err
	}
	link := drive.DeepLink(h.d.BotUsername, d.Code)
	poster := rows(1, botapi.Button{Text: t.text("btn_qr_poster"), CallbackData: encodeCallback("qrb", id(d.ID))})
	if err := t.reply(ctx, t.textf("nd_published", map[string]any{"Code": d.Code, "Link": link}), poster); err != nil {
		return err
	}
	return h.announceDrive(ctx, t, d)
}
