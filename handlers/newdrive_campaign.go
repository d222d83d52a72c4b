package handlers

import (
	"context"
	"errors"
	"strconv"

	"donorbot/drive"
	"donorbot/storage"
)

// newDriveCampaigns is how many recent campaigns /newdrive offers.
const newDriveCampaigns = 8

// campaignStep asks which campaign the drive belongs to, by buttons, or
// none (Skip).
func (h *Handlers) campaignStep() step[driveDraft] {
	return step[driveDraft]{
		ID:     "campaign",
		Prompt: func(t *turn, _ *driveDraft) string { return t.text("nd_ask_campaign") },
		Choices: func(ctx context.Context, _ *turn, _ *driveDraft) ([]choice, error) {
			cs, err := h.d.Store.Campaigns(ctx, 0, newDriveCampaigns)
			if err != nil {
				return nil, err
			}
			choices := make([]choice, 0, len(cs))
			for _, c := range cs {
				choices = append(choices, choice{Text: shorten(c.Name, 60), Value: id(c.ID)})
			}
			return choices, nil
		},
		Parse: func(ctx context.Context, t *turn, s *driveDraft, raw string) (string, error) {
			campaignID, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || campaignID <= 0 {
				return t.text("button_stale"), nil
			}
			c, err := h.d.Store.Campaign(ctx, campaignID)
			if errors.Is(err, storage.ErrNotFound) {
				return t.text("button_stale"), nil
			} else if err != nil {
				return "", err
			}
			if c.ID != s.CampaignID { // another campaign's wave is not this one's
				s.Wave = ""
			}
			s.CampaignID, s.CampaignName = c.ID, c.Name
			return "", nil
		},
		Clear: func(s *driveDraft) { s.CampaignID, s.CampaignName, s.Wave = 0, "", "" },
		Label: "nd_field_campaign",
		Show:  func(_ *turn, s *driveDraft) string { return orDash(s.CampaignName) },
	}
}

// waveStep asks which of the campaign's waves (drive.CampaignWaves) the
// drive is in, by buttons; a drive without a campaign has no wave.
func (h *Handlers) waveStep() step[driveDraft] {
	return step[driveDraft]{
		ID: "wave",
		Prompt: func(t *turn, s *driveDraft) string {
			return t.textf("nd_ask_wave", map[string]any{"Campaign": s.CampaignName})
		},
		Choices: func(ctx context.Context, t *turn, s *driveDraft) ([]choice, error) {
			highest, err := h.d.Store.CampaignWaves(ctx)
			if err != nil {
				return nil, err
			}
			var choices []choice
			for _, n := range drive.CampaignWaves(highest[s.CampaignID]) {
				choices = append(choices, choice{Text: h.waveIn(t.lang, drive.WaveLabel(n)), Value: strconv.Itoa(n)})
			}
			return choices, nil
		},
		Columns: 4,
		// A value comes from callback data, which a client can forge: the
		// wave is checked against the campaign's again.
		Parse: func(ctx context.Context, t *turn, s *driveDraft, raw string) (string, error) {
			n, err := strconv.Atoi(raw)
			if err != nil {
				return t.text("button_stale"), nil
			}
			highest, err := h.d.Store.CampaignWaves(ctx)
			if err != nil {
				return "", err
			}
			if drive.CheckWave(s.CampaignID, n, highest[s.CampaignID]) != nil || n == 0 {
				return t.text("button_stale"), nil
			}
			s.Wave = drive.WaveLabel(n)
			return "", nil
		},
		Skip: func(s *driveDraft) bool { return s.CampaignID == 0 },
		// A campaign changed at the review asks its wave again.
		FollowUp: true,
		Clear:    func(s *driveDraft) { s.Wave = "" },
		Label:    "nd_field_wave",
		Show: func(t *turn, s *driveDraft) string {
			if s.CampaignID == 0 {
				return ""
			}
			return orDash(h.waveIn(t.lang, s.Wave))
		},
	}
}
