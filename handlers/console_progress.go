package handlers

import (
	"cmp"
	"context"
	"slices"

	"donorbot/drive"
	"donorbot/storage"
)

// consoleProgressRoutes are the console's live progress: a drive's funnel
// and slots, the campaigns the user can see and a campaign's waves and
// units against its plan. The figures come from the queries of the chat's
// /stats, so the two never disagree.
func (h *Handlers) consoleProgressRoutes() []consoleRoute {
	return []consoleRoute{
		{"GET /drives/{id}/progress", h.consoleDriveProgress},
		{"GET /campaigns", h.consoleCampaigns},
		{"GET /campaigns/{id}/progress", h.consoleCampaignProgress},
	}
}

// consoleFunnel is registered → arrived → donated against the target.
type consoleFunnel struct {
	Target     int `json:"target"`
	Registered int `json:"registered"`
	Arrived    int `json:"arrived"`
	Donated    int `json:"donated"`
	Percent    int `json:"percent"`
}

func funnelOf(p storage.Progress) consoleFunnel {
	return consoleFunnel{Target: p.Target, Registered: p.Registered, Arrived: p.CheckedIn,
		Donated: p.Donated, Percent: p.Percent()}
}

type consoleSlotProgress struct {
	Label      string `json:"label"`
	Capacity   int    `json:"capacity"`
	Registered int    `json:"registered"`
	Arrived    int    `json:"arrived"`
	Donated    int    `json:"donated"`
}

type consoleDriveProgressReply struct {
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	Date       string `json:"date"`
	CampaignID int64  `json:"campaign_id"`
	consoleFunnel
	Slots    []consoleSlotProgress `json:"slots"`
	Forecast consoleForecast       `json:"forecast"`

	Mobilization consoleMobilization `json:"mobilization"`
}

func (h *Handlers) consoleDriveProgress(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	total, err := h.d.Store.DriveProgress(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	slots, err := h.d.Store.SlotProgress(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	forecast, err := h.d.Store.DriveForecast(ctx, d.ID, d.AudienceUnitID, h.d.Now())
	if err != nil {
		return nil, err
	}
	mobilization, err := h.driveMobilization(ctx, c.Lang, d.ID)
	if err != nil {
		return nil, err
	}
	out := consoleDriveProgressReply{ID: d.ID, Title: d.Title, Date: h.date(c.Lang, d.Start),
		CampaignID: d.CampaignID, consoleFunnel: funnelOf(total), Slots: make([]consoleSlotProgress, len(slots)),
		Forecast: forecastOf(forecast), Mobilization: mobilization}
	for i, s := range slots {
		out.Slots[i] = consoleSlotProgress{Label: h.clock(s.Start) + "–" + h.clock(s.End), Capacity: s.Capacity,
			Registered: s.Registered, Arrived: s.CheckedIn, Donated: s.Donated}
	}
	return out, nil
}

type consoleCampaign struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Target    int    `json:"target"`
	Collected int    `json:"collected"`
	Percent   int    `json:"percent"`
}

func (h *Handlers) consoleCampaigns(ctx context.Context, c *consoleCall) (any, error) {
	drives, err := h.campaignsManaged(ctx, c.User.ID, 0)
	if err != nil {
		return nil, err
	}
	out := []consoleCampaign{}
	for _, d := range drives {
		if len(out) == 0 || out[len(out)-1].ID != d.CampaignID {
			out = append(out, consoleCampaign{ID: d.CampaignID, Name: d.Campaign})
		}
		last := &out[len(out)-1]
		last.Target += d.Target
		last.Collected += d.Donated
		last.Percent = storage.Progress{Target: last.Target, Donated: last.Collected}.Percent()
	}
	return out, nil
}

type consoleWaveProgress struct {
	Wave   int    `json:"wave"`
	Label  string `json:"label"`
	Drives int    `json:"drives"`
	consoleFunnel
	Mobilization consoleMobilization `json:"mobilization"`
}

type consoleUnitProgress struct {
	Unit       string `json:"unit"`
	Registered int    `json:"registered"`
	Donated    int    `json:"donated"`
}

type consoleCampaignProgressReply struct {
	consoleCampaign
	Registered int                   `json:"registered"`
	Arrived    int                   `json:"arrived"`
	Waves      []consoleWaveProgress `json:"waves"`
	Units      []consoleUnitProgress `json:"units"`

	Mobilization consoleMobilization `json:"mobilization"`
}

// consoleCampaignProgress is the seeds' view of a campaign: its waves,
// the units collected and the share of the plan. Whoever may see the
// campaign sees all of it, as the chat's /stats of a campaign shows every
// organizer: the plan is shared, and the figures are counts naming nobody.
func (h *Handlers) consoleCampaignProgress(ctx context.Context, c *consoleCall) (any, error) {
	id, err := c.pathID("id")
	if err != nil {
		return nil, err
	}
	drives, err := h.campaignsManaged(ctx, c.User.ID, id)
	if err != nil {
		return nil, err
	}
	if len(drives) == 0 {
		return nil, errConsoleNotFound
	}
	units, err := h.d.Store.CampaignUnitProgress(ctx, id)
	if err != nil {
		return nil, err
	}
	var total storage.Progress
	for _, d := range drives {
		total.Add(d.Progress)
	}
	out := consoleCampaignProgressReply{
		consoleCampaign: consoleCampaign{ID: id, Name: drives[0].Campaign, Target: total.Target,
			Collected: total.Donated, Percent: total.Percent()},
		Registered: total.Registered, Arrived: total.CheckedIn,
		Waves: []consoleWaveProgress{}, Units: make([]consoleUnitProgress, len(units)),
	}
	if out.Mobilization, err = h.campaignMobilization(ctx, c.Lang, drives); err != nil {
		return nil, err
	}
	for i, w := range storage.Waves(drives) {
		out.Waves = append(out.Waves, consoleWaveProgress{Wave: w.Number, Label: h.waveIn(c.Lang, w.Label),
			Drives: w.Drives, consoleFunnel: funnelOf(w.Progress)})
		if out.Waves[i].Mobilization, err = h.wavesMobilization(ctx, c.Lang, w.DriveIDs); err != nil {
			return nil, err
		}
	}
	for i, u := range units {
		name := u.Label
		if u.Key == 0 {
			name = h.textIn(c.Lang, "console_progress_no_unit", nil)
		}
		out.Units[i] = consoleUnitProgress{Unit: name, Registered: u.Registered, Donated: u.Donated}
	}
	slices.SortStableFunc(out.Units, func(a, b consoleUnitProgress) int { return cmp.Compare(b.Donated, a.Donated) })
	return out, nil
}

// campaignsManaged returns the drives of campaign id (of every campaign
// when 0) that the user may see: a campaign is visible whole to whoever
// manages at least one of its drives under the rule of the chat commands
// (organizes), and to admins.
func (h *Handlers) campaignsManaged(ctx context.Context, userID, id int64) ([]storage.CampaignDrive, error) {
	drives, err := h.d.Store.CampaignDrives(ctx, id)
	if err != nil {
		return nil, err
	}
	// organizes asks the database per unit: once per kind of drive is enough.
	type kind struct {
		creator bool
		unit    int64
	}
	decided := map[kind]bool{}
	visible := map[int64]bool{}
	for _, d := range drives {
		if visible[d.CampaignID] {
			continue
		}
		k := kind{d.CreatedBy == userID, d.AudienceUnitID}
		mine, known := decided[k]
		if !known {
			if mine, err = h.organizes(ctx, userID, drive.Drive{CreatedBy: d.CreatedBy, AudienceUnitID: d.AudienceUnitID}); err != nil {
				return nil, err
			}
			decided[k] = mine
		}
		visible[d.CampaignID] = mine
	}
	return slices.DeleteFunc(drives, func(d storage.CampaignDrive) bool { return !visible[d.CampaignID] }), nil
}
