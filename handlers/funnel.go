package handlers

import (
	"context"
	"math"
	"strconv"
	"strings"

	"donorbot/storage"
)

// perUnit is messages per unit collected to one decimal, as the chat, the
// console and the export show it; "—" with no donation, where there is no
// such figure (not 0, which would read as free).
func perUnit(lang string, of interface{ PerUnit() (float64, bool) }) string {
	per, ok := of.PerUnit()
	if !ok {
		return "—"
	}
	s := strconv.FormatFloat(math.Round(per*10)/10, 'f', -1, 64)
	if lang == "vi" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func funnelData(lang string, f storage.Funnel) map[string]any {
	return map[string]any{
		"Invited": f.Invited, "InvitedRegistered": f.InvitedRegistered, "InvitedArrived": f.InvitedArrived,
		"InvitedDonated": f.InvitedDonated, "Registered": f.Registered, "Arrived": f.Arrived, "Donated": f.Donated,
		"Target": f.Target, "Percent": f.Percent(), "Announced": f.Announced, "Recalled": f.Recalled,
		"Count": f.Messages(), "PerUnit": perUnit(lang, f),
	}
}

// driveFunnelLines are the drive's funnel in /stats: the invitations'
// funnel and each wave's when someone was invited, then the messages.
func (t *turn) driveFunnelLines(f storage.Funnel, waves []storage.InviteWaveFunnel) string {
	var b strings.Builder
	if f.Invited > 0 {
		b.WriteString(t.textf("funnel_invited", funnelData(t.lang, f)))
		for _, w := range waves {
			data := funnelData(t.lang, w.Funnel)
			data["Days"], data["Count"], data["Date"] = w.Checkpoint, w.Checkpoint, t.date(w.StartedAt)
			data["PerUnit"] = perUnit(t.lang, w)
			b.WriteString("\n" + t.textf("funnel_invite_wave", data))
		}
		b.WriteString("\n")
	}
	b.WriteString(t.textf("funnel_messages", funnelData(t.lang, f)))
	return b.String()
}

// campaignFunnelLines are the campaign's funnel in /stats: in total, then
// by wave "Đợt N" (waves as storage.Waves groups the drives).
func (h *Handlers) campaignFunnelLines(ctx context.Context, t *turn, drives []storage.CampaignDrive) (string, error) {
	var all []int64
	for _, d := range drives {
		all = append(all, d.Key)
	}
	total, err := h.d.Store.DrivesFunnel(ctx, all)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if total.Invited > 0 {
		b.WriteString(t.textf("funnel_invited", funnelData(t.lang, total)) + "\n")
	}
	b.WriteString(t.textf("funnel_messages", funnelData(t.lang, total)))
	b.WriteString("\n\n" + t.text("funnel_by_wave"))
	for _, w := range storage.Waves(drives) {
		f, err := h.d.Store.DrivesFunnel(ctx, w.DriveIDs)
		if err != nil {
			return "", err
		}
		data := funnelData(t.lang, f)
		data["Label"] = h.waveIn(t.lang, w.Label)
		b.WriteString("\n" + t.textf("funnel_wave_line", data))
	}
	return b.String(), nil
}

// consoleMobilization is a funnel in the console: the invitations' funnel
// (invited at its head), the totals, the messages and their cost per unit
// (PerUnit null and PerUnitText "—" with no donation).
type consoleMobilization struct {
	Invited           int                 `json:"invited"`
	InvitedRegistered int                 `json:"invited_registered"`
	InvitedArrived    int                 `json:"invited_arrived"`
	InvitedDonated    int                 `json:"invited_donated"`
	Registered        int                 `json:"registered"`
	Arrived           int                 `json:"arrived"`
	Donated           int                 `json:"donated"`
	Target            int                 `json:"target"`
	Percent           int                 `json:"percent"`
	Announced         int                 `json:"announced"`
	Recalled          int                 `json:"recalled"`
	Messages          int                 `json:"messages"`
	PerUnit           *float64            `json:"per_unit"`
	PerUnitText       string              `json:"per_unit_text"`
	Waves             []consoleInviteWave `json:"invite_waves,omitempty"`
}

// consoleInviteWave is one invitation wave's funnel.
type consoleInviteWave struct {
	Checkpoint int    `json:"checkpoint"`
	Date       string `json:"date"`
	Invited    int    `json:"invited"`
	Registered int    `json:"registered"`
	Arrived    int    `json:"arrived"`
	Donated    int    `json:"donated"`
	// PerUnitText is invitations per unit the invitees donated, "—" with none.
	PerUnitText string `json:"per_unit_text"`
}

func (h *Handlers) mobilizationOf(lang string, f storage.Funnel, waves []storage.InviteWaveFunnel) consoleMobilization {
	m := consoleMobilization{Invited: f.Invited, InvitedRegistered: f.InvitedRegistered, InvitedArrived: f.InvitedArrived,
		InvitedDonated: f.InvitedDonated, Registered: f.Registered, Arrived: f.Arrived, Donated: f.Donated,
		Target: f.Target, Percent: f.Percent(), Announced: f.Announced, Recalled: f.Recalled,
		Messages: f.Messages(), PerUnitText: perUnit(lang, f)}
	if per, ok := f.PerUnit(); ok {
		per = math.Round(per*10) / 10
		m.PerUnit = &per
	}
	for _, w := range waves {
		m.Waves = append(m.Waves, consoleInviteWave{Checkpoint: w.Checkpoint, Date: h.date(lang, w.StartedAt),
			Invited: w.Invited, Registered: w.InvitedRegistered, Arrived: w.InvitedArrived, Donated: w.InvitedDonated,
			PerUnitText: perUnit(lang, w)})
	}
	return m
}

// driveMobilization is the drive's funnel for the console.
func (h *Handlers) driveMobilization(ctx context.Context, lang string, driveID int64) (consoleMobilization, error) {
	f, err := h.d.Store.DriveFunnel(ctx, driveID)
	if err != nil {
		return consoleMobilization{}, err
	}
	waves, err := h.d.Store.InviteWaveFunnels(ctx, driveID)
	if err != nil {
		return consoleMobilization{}, err
	}
	return h.mobilizationOf(lang, f, waves), nil
}

// wavesMobilization is the funnel of a campaign's wave (its drives) for
// the console, campaignMobilization the whole campaign's.
func (h *Handlers) wavesMobilization(ctx context.Context, lang string, driveIDs []int64) (consoleMobilization, error) {
	f, err := h.d.Store.DrivesFunnel(ctx, driveIDs)
	if err != nil {
		return consoleMobilization{}, err
	}
	return h.mobilizationOf(lang, f, nil), nil
}

func (h *Handlers) campaignMobilization(ctx context.Context, lang string, drives []storage.CampaignDrive) (consoleMobilization, error) {
	ids := make([]int64, len(drives))
	for i, d := range drives {
		ids[i] = d.Key
	}
	return h.wavesMobilization(ctx, lang, ids)
}
