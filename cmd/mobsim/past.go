package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"donorbot/drive"
	"donorbot/mobsim"
	"donorbot/screening"
	"donorbot/storage"
)

// pastReg names a registration of the previous campaign: a donor (index)
// and a past drive (index into Params.PastDrivesAgo).
type pastReg struct{ donor, drive int }

// loadPast stores the previous campaign (mobsim's Donor.Past) as the bot
// stores finished drives: per unit and past drive a closed drive of the
// unit's audience with its slots, and its registrations with their
// outcomes, checked in when the donor came. The desk's deferrals are
// returned as deferrals rows to load; the registrations' ids, for the
// donations that belong to them.
func loadPast(ctx context.Context, s *storage.Store, pop *mobsim.Population, units, donorIDs []int64,
	first time.Time) (map[pastReg]int64, [][]any, error) {
	p := pop.Params
	camp, err := s.CreateCampaign(ctx, "Chiến dịch năm trước", organizerID)
	if err != nil {
		return nil, nil, err
	}
	perDrive := map[pastReg]int{} // registrants by (unit, past drive)
	for _, d := range pop.Donors {
		for _, v := range d.Past {
			perDrive[pastReg{d.Unit, v.Drive}]++
		}
	}
	members := pop.Members()
	slots := map[pastReg][]int64{} // by (unit, past drive)
	driveIDs := map[pastReg]int64{}
	for u, unitID := range units {
		for k := range p.PastDrivesAgo {
			key := pastReg{u, k}
			target := p.Target(members[u])
			capacity := min(max(p.SlotCapacity(target),
				int(math.Ceil(float64(perDrive[key])/float64(p.SlotsPerDrive)))), 1000)
			id, ids, err := insertPastDrive(ctx, s, camp.ID, unitID, u, k, p.PastDay(first, k), target, capacity, p.SlotsPerDrive)
			if err != nil {
				return nil, nil, err
			}
			driveIDs[key], slots[key] = id, ids
		}
	}
	regIDs := map[pastReg]int64{}
	var regs, deferrals [][]any
	for i, d := range pop.Donors {
		for _, v := range d.Past {
			key := pastReg{d.Unit, v.Drive}
			day := p.PastDay(first, v.Drive)
			id := int64(len(regs) + 1) // a fresh database: the sequence starts at 1
			registered := day.AddDate(0, 0, -7).Add(10 * time.Hour)
			var checkedIn, by any
			if v.Outcome != mobsim.NoShow {
				checkedIn, by = day.Add(14*time.Hour), organizerID
			}
			slot := slots[key][pop.Pick(i, int64(-1-v.Drive), len(slots[key]))]
			regs = append(regs, []any{id, donorIDs[i], driveIDs[key], slot, string(v.Outcome), registered,
				screening.MaxVolumeML(d.Female, d.WeightKg), registered, day.Add(17 * time.Hour), checkedIn, by})
			regIDs[pastReg{i, v.Drive}] = id
			if v.Outcome == mobsim.Deferred {
				until := day.AddDate(0, 0, p.DeskDeferralDays)
				deferrals = append(deferrals, []any{donorIDs[i], mobsim.DeferralCode, until, false, "on_site", id})
			}
		}
	}
	err = copyRows(ctx, s.DB(), "registrations", []string{"id", "donor_id", "drive_id", "slot_id", "status",
		"queued_at", "allowed_volume_ml", "created_at", "updated_at", "checked_in_at", "checked_in_by"},
		len(regs), func(i int) []any { return regs[i] })
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.DB().ExecContext(ctx, `SELECT setval('registrations_id_seq', $1)`, len(regs)+1); err != nil {
		return nil, nil, fmt.Errorf("registrations' sequence: %w", err)
	}
	return regIDs, deferrals, nil
}

// insertPastDrive stores one closed drive of the previous campaign on day,
// 13:00 to 17:00 in slots half-hour slots of capacity seats; it returns
// the drive's and its slots' ids.
func insertPastDrive(ctx context.Context, s *storage.Store, campaignID, unitID int64, unit, k int, day time.Time,
	target, capacity, slots int) (int64, []int64, error) {
	start := day.Add(13 * time.Hour)
	created := day.AddDate(0, 0, -20)
	var id int64
	err := s.DB().GetContext(ctx, &id, `INSERT INTO drives (campaign_id, code, wave, title, organizer, starts_at,
			ends_at, target_units, audience_unit_id, status, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'Ban chỉ đạo vận động', $5, $6, $7, $8, 'closed', $9, $10, $11) RETURNING id`,
		campaignID, drive.NewCode(), fmt.Sprintf("Đợt %d", k+1),
		fmt.Sprintf("Ngày hội hiến máu Đơn vị %d – năm trước, Đợt %d", unit+1, k+1),
		start, start.Add(time.Duration(slots)*30*time.Minute), target, unitID, organizerID, created, day.Add(18*time.Hour))
	if err != nil {
		return 0, nil, fmt.Errorf("past drive %d of unit %d: %w", k, unit+1, err)
	}
	ids := make([]int64, slots)
	for j := range ids {
		at := start.Add(time.Duration(j) * 30 * time.Minute)
		if err := s.DB().GetContext(ctx, &ids[j], `INSERT INTO drive_slots (drive_id, starts_at, ends_at, capacity)
			VALUES ($1, $2, $3, $4) RETURNING id`, id, at, at.Add(30*time.Minute), capacity); err != nil {
			return 0, nil, fmt.Errorf("slot of past drive %d: %w", id, err)
		}
	}
	return id, ids, nil
}
