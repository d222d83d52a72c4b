package storage

import (
	"context"
	"fmt"
	"strings"

	"donorbot/drive"
)

// Venues lists the venue directory by province and name, at most limit.
func (s *Store) Venues(ctx context.Context, limit int) ([]drive.Venue, error) {
	const q = `SELECT id, name, address, ward, province FROM venues ORDER BY province, lower(name), id LIMIT $1`
	out := []drive.Venue{}
	if err := s.q(ctx).SelectContext(ctx, &out, q, limit); err != nil {
		return nil, fmt.Errorf("storage: venues: %w", err)
	}
	return out, nil
}

// Venue returns one venue of the directory.
func (s *Store) Venue(ctx context.Context, id int64) (drive.Venue, error) {
	const q = `SELECT id, name, address, ward, province FROM venues WHERE id = $1`
	var v drive.Venue
	if err := s.q(ctx).GetContext(ctx, &v, q, id); err != nil {
		return drive.Venue{}, fmt.Errorf("storage: venue %d: %w", id, mapErr(err))
	}
	return v, nil
}

// SaveVenue adds a venue typed in the form (checked with drive.Venue.Check)
// and returns it with its id; the same place typed again (province, name
// and address, case aside) is the venue already there, its ward updated.
func (s *Store) SaveVenue(ctx context.Context, v drive.Venue, createdBy int64) (drive.Venue, error) {
	const q = `INSERT INTO venues (name, address, ward, province, created_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (province, lower(name), lower(address)) DO UPDATE
		SET ward = CASE WHEN EXCLUDED.ward = '' THEN venues.ward ELSE EXCLUDED.ward END
		RETURNING id, name, address, ward, province`
	var out drive.Venue
	err := s.guarded(ctx, func(db querier) error {
		return db.QueryRowxContext(ctx, q, strings.TrimSpace(v.Name), strings.TrimSpace(v.Address),
			strings.TrimSpace(v.Ward), v.Province, createdBy).StructScan(&out)
	})
	if err != nil {
		return drive.Venue{}, fmt.Errorf("storage: save venue: %w", mapErr(err))
	}
	return out, nil
}

// CampaignWaves maps each campaign to the highest wave its drives are in
// (drive.WaveNumber of their wave; a wave named otherwise counts for none).
func (s *Store) CampaignWaves(ctx context.Context) (map[int64]int, error) {
	const q = `SELECT DISTINCT campaign_id, wave FROM drives WHERE campaign_id IS NOT NULL AND wave <> ''`
	rows := []struct {
		CampaignID int64  `db:"campaign_id"`
		Wave       string `db:"wave"`
	}{}
	if err := s.q(ctx).SelectContext(ctx, &rows, q); err != nil {
		return nil, fmt.Errorf("storage: campaign waves: %w", err)
	}
	out := map[int64]int{}
	for _, r := range rows {
		if n, ok := drive.WaveNumber(r.Wave); ok {
			out[r.CampaignID] = max(out[r.CampaignID], n)
		}
	}
	return out, nil
}
