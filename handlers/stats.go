package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"donorbot/drive"
	"donorbot/picture"
	"donorbot/storage"
	"donorbot/textbound"
)

// stats shows progress against the target: /stats <drive code> per slot and
// per unit, /stats <campaign name> per wave and in total; with a chart.
func (h *Handlers) stats(ctx context.Context, t *turn) error {
	query := strings.TrimSpace(t.args)
	if query == "" {
		return h.offerDrives(ctx, t, "stats", 0)
	}
	d, err := h.d.Store.DriveByCode(ctx, query)
	switch {
	case err == nil:
		mine, err := h.organizes(ctx, t.userID, d)
		if err != nil {
			return err
		}
		if !mine {
			return t.refuse(ctx, "drive_not_yours")
		}
		return h.driveStats(ctx, t, d)
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	c, err := h.d.Store.CampaignByName(ctx, query)
	if errors.Is(err, storage.ErrNotFound) {
		return t.reply(ctx, t.textf("stats_not_found", map[string]any{"Query": shorten(query, echoLen)}), nil)
	}
	if err != nil {
		return err
	}
	return h.campaignStats(ctx, t, c)
}

func (h *Handlers) driveStats(ctx context.Context, t *turn, d drive.Drive) error {
	total, err := h.d.Store.DriveProgress(ctx, d.ID)
	if err != nil {
		return err
	}
	slots, err := h.d.Store.SlotProgress(ctx, d.ID)
	if err != nil {
		return err
	}
	units, err := h.d.Store.UnitProgress(ctx, d.ID)
	if err != nil {
		return err
	}
	data := progressData(total)
	data["Title"], data["Date"] = d.Title, t.date(d.Start)
	var b strings.Builder
	b.WriteString(t.textf("stats_drive", data))
	forecast, err := h.d.Store.DriveForecast(ctx, d.ID, d.AudienceUnitID, h.d.Now())
	if err != nil {
		return err
	}
	b.WriteString("\n" + t.forecastLine(forecast))
	funnel, err := h.d.Store.DriveFunnel(ctx, d.ID)
	if err != nil {
		return err
	}
	inviteWaves, err := h.d.Store.InviteWaveFunnels(ctx, d.ID)
	if err != nil {
		return err
	}
	b.WriteString("\n" + t.driveFunnelLines(funnel, inviteWaves))
	b.WriteString("\n\n" + t.text("stats_by_slot"))
	bars := make([]picture.Bar, 0, len(slots)+1)
	for _, s := range slots {
		label := t.clock(s.Start)
		b.WriteString("\n" + t.textf("stats_line", map[string]any{"Label": label, "Registered": s.Registered, "Donated": s.Donated}))
		bars = append(bars, picture.Bar{Label: label, Registered: s.Registered, Donated: s.Donated})
	}
	if len(units) > 0 {
		b.WriteString("\n\n" + t.text("stats_by_unit"))
		for _, u := range units {
			label := u.Label
			if u.Key == 0 {
				label = t.text("stats_no_unit")
			}
			b.WriteString("\n" + t.textf("stats_line", map[string]any{"Label": label, "Registered": u.Registered, "Donated": u.Donated}))
		}
	}
	recall, err := h.d.Store.DriveRecallFunnel(ctx, d.ID)
	if err != nil {
		return err
	}
	if recall.Recalled > 0 || recall.Registered > 0 {
		b.WriteString("\n\n" + t.textf("stats_recall", map[string]any{
			"Recalled": recall.Recalled, "Registered": recall.Registered, "Donated": recall.Donated}))
	}
	var kb any
	if d.Status == drive.StatusPublished && d.Start.After(h.d.Now()) {
		kb = rows(1, autofillButton(t, d.ID))
	}
	if err := t.reply(ctx, b.String(), kb); err != nil {
		return err
	}
	// The drive's target is for the whole day: the chart sets it against a
	// group of the totals, not against each slot.
	if len(bars) > 0 {
		bars = append(bars, picture.Bar{Label: t.text("chart_total"), Registered: total.Registered,
			Donated: total.Donated, Target: total.Target})
	}
	return h.sendChart(ctx, t, "stats-"+d.Code+".png", bars)
}

func (h *Handlers) campaignStats(ctx context.Context, t *turn, c drive.Campaign) error {
	drives, err := h.d.Store.CampaignDrives(ctx, c.ID)
	if err != nil {
		return err
	}
	waves := make([]storage.Progress, len(drives))
	var total storage.Progress
	for i, d := range drives {
		waves[i] = d.Progress
		total.Add(d.Progress)
	}
	data := progressData(total)
	data["Name"], data["Waves"] = c.Name, len(waves)
	var b strings.Builder
	b.WriteString(t.textf("stats_campaign", data))
	if len(waves) == 0 {
		return t.reply(ctx, b.String(), nil)
	}
	b.WriteString("\n\n" + t.text("stats_by_wave"))
	bars := make([]picture.Bar, 0, len(waves))
	for _, w := range waves {
		wave := h.waveIn(t.lang, w.Label)
		label := wave + " (" + t.date(w.Start) + ")"
		b.WriteString("\n" + t.textf("stats_wave_line", map[string]any{"Label": label, "Registered": w.Registered,
			"Donated": w.Donated, "Target": w.Target, "Percent": w.Percent()}))
		bars = append(bars, picture.Bar{Label: wave, Registered: w.Registered, Donated: w.Donated, Target: w.Target})
	}
	funnel, err := h.campaignFunnelLines(ctx, t, drives)
	if err != nil {
		return err
	}
	b.WriteString("\n\n" + funnel)
	if err := t.reply(ctx, b.String(), nil); err != nil {
		return err
	}
	return h.sendChart(ctx, t, "stats-campaign.png", bars)
}

func progressData(p storage.Progress) map[string]any {
	return map[string]any{
		"Registered": p.Registered, "Waitlisted": p.Waitlisted, "CheckedIn": p.CheckedIn,
		"Donated": p.Donated, "ML": p.DonatedML, "Deferred": p.Deferred, "NoShow": p.NoShow,
		"Target": p.Target, "Percent": p.Percent(),
	}
}

// sendChart sends the bar chart of registered against donated, each
// group's target labelled in the reader's language, as a photo: it is read
// on the phone, not printed.
func (h *Handlers) sendChart(ctx context.Context, t *turn, name string, bars []picture.Bar) error {
	if len(bars) == 0 {
		return nil
	}
	for i, b := range bars {
		if b.Target > 0 {
			bars[i].TargetLabel = t.textf("chart_target", map[string]any{"Target": b.Target})
		}
	}
	png, err := picture.DrawChart(picture.Chart{Bars: bars,
		Legend: [2]string{t.text("chart_registered"), t.text("chart_donated")}})
	if err != nil {
		return fmt.Errorf("chart %s: %w", name, err)
	}
	return t.sendPhoto(ctx, name, png, t.text("stats_chart_caption"))
}

// campaign puts a drive in a campaign, creating the campaign if needed:
// /campaign <drive code> <campaign name>.
func (h *Handlers) campaign(ctx context.Context, t *turn) error {
	code, name, _ := strings.Cut(strings.TrimSpace(t.args), " ")
	name = strings.Join(strings.Fields(name), " ")
	if code == "" || name == "" || !textbound.Within(name, 120) {
		return t.reply(ctx, t.text("campaign_usage"), nil)
	}
	t.args = code
	d, ok, err := h.managedDrive(ctx, t, "campaign_usage")
	if !ok || err != nil {
		return err
	}
	c, err := h.d.Store.CampaignByName(ctx, name)
	if errors.Is(err, storage.ErrNotFound) {
		c, err = h.d.Store.CreateCampaign(ctx, name, t.userID)
	}
	if err != nil {
		return err
	}
	if err := h.d.Store.SetDriveCampaign(ctx, d.ID, c.ID); err != nil {
		return err
	}
	return t.reply(ctx, t.textf("campaign_set", map[string]any{"Title": d.Title, "Name": c.Name}), nil)
}
