package storage

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// Hospital is one hospital of the directory: where the donors of a need go.
type Hospital struct {
	ID      int64          `db:"id"`
	Name    string         `db:"name"`
	Aliases pq.StringArray `db:"aliases"`
	// Province is a province code (package province); Ward is "" when not
	// known.
	Province  string `db:"province"`
	Ward      string `db:"ward"`
	Address   string `db:"address"`
	MapURL    string `db:"map_url"`
	Reception string `db:"reception"`
	Hours     string `db:"hours"`
}

const hospitalColumns = `id, name, aliases, province, ward, address, map_url, reception, hours`

// Hospitals lists the directory by name.
func (s *Store) Hospitals(ctx context.Context) ([]Hospital, error) {
	out := []Hospital{}
	if err := s.q(ctx).SelectContext(ctx, &out, `SELECT `+hospitalColumns+` FROM hospitals ORDER BY name, id`); err != nil {
		return nil, fmt.Errorf("storage: hospitals: %w", err)
	}
	return out, nil
}

// Hospital returns one hospital of the directory.
func (s *Store) Hospital(ctx context.Context, id int64) (Hospital, error) {
	var h Hospital
	if err := s.q(ctx).GetContext(ctx, &h, `SELECT `+hospitalColumns+` FROM hospitals WHERE id = $1`, id); err != nil {
		return Hospital{}, fmt.Errorf("storage: hospital %d: %w", id, mapErr(err))
	}
	return h, nil
}

// SaveHospital adds h (ID 0) or changes it, and returns it as stored. A
// name taken by another hospital is ErrDuplicate; an ID not in the
// directory ErrNotFound.
func (s *Store) SaveHospital(ctx context.Context, h Hospital) (Hospital, error) {
	aliases := h.Aliases
	if aliases == nil {
		aliases = pq.StringArray{}
	}
	// $1 is the id; an insert names it only to keep one argument list.
	q := `INSERT INTO hospitals (name, aliases, province, ward, address, map_url, reception, hours)
		SELECT $2, $3, $4, $5, $6, $7, $8, $9 WHERE $1::bigint = 0 RETURNING ` + hospitalColumns
	if h.ID != 0 {
		q = `UPDATE hospitals SET name = $2, aliases = $3, province = $4, ward = $5, address = $6, map_url = $7,
			reception = $8, hours = $9, updated_at = now() WHERE id = $1 RETURNING ` + hospitalColumns
	}
	var out Hospital
	err := s.guarded(ctx, func(db querier) error {
		return db.GetContext(ctx, &out, q, h.ID, h.Name, aliases, h.Province, h.Ward, h.Address, h.MapURL, h.Reception, h.Hours)
	})
	if err != nil {
		return Hospital{}, fmt.Errorf("storage: save hospital %d: %w", h.ID, mapErr(err))
	}
	return out, nil
}

// DonorPlace returns the province code and ward the donor gave ("" each
// when not given).
func (s *Store) DonorPlace(ctx context.Context, telegramID int64) (province, ward string, err error) {
	const q = `SELECT coalesce(province, ''), coalesce(ward, '') FROM donors WHERE telegram_id = $1`
	if err := s.q(ctx).QueryRowxContext(ctx, q, telegramID).Scan(&province, &ward); err != nil {
		return "", "", fmt.Errorf("storage: place of donor %d: %w", telegramID, mapErr(err))
	}
	return province, ward, nil
}

// SetDonorProvince stores the donor's province code; a change of province
// forgets the ward, which belonged to the old one.
func (s *Store) SetDonorProvince(ctx context.Context, telegramID int64, province string) error {
	const q = `UPDATE donors SET ward = CASE WHEN province IS DISTINCT FROM $2 THEN NULL ELSE ward END,
		province = $2, updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "province", q, telegramID, province)
}

// SetDonorWard stores the donor's ward or commune ("" forgets it).
func (s *Store) SetDonorWard(ctx context.Context, telegramID int64, ward string) error {
	const q = `UPDATE donors SET ward = nullif($2, ''), updated_at = now() WHERE telegram_id = $1`
	return s.updateDonor(ctx, "ward", q, telegramID, ward)
}

// SetUnitProvince records where a unit or club acts ("" forgets it).
func (s *Store) SetUnitProvince(ctx context.Context, unitID int64, province string) error {
	const q = `UPDATE units SET province = nullif($2, '') WHERE id = $1`
	if _, err := s.q(ctx).ExecContext(ctx, q, unitID, province); err != nil {
		return fmt.Errorf("storage: province of unit %d: %w", unitID, err)
	}
	return nil
}

// UnitProvince returns the province of a unit or club ("" when not set).
func (s *Store) UnitProvince(ctx context.Context, unitID int64) (string, error) {
	var p string
	if err := s.q(ctx).GetContext(ctx, &p, `SELECT coalesce(province, '') FROM units WHERE id = $1`, unitID); err != nil {
		return "", fmt.Errorf("storage: province of unit %d: %w", unitID, mapErr(err))
	}
	return p, nil
}

// WidenNeedProvinces lets an open need reach donors of other provinces; it
// reports false if the need is closed or reaches them already.
func (s *Store) WidenNeedProvinces(ctx context.Context, id int64) (bool, error) {
	const q = `UPDATE needs SET other_provinces = true WHERE id = $1 AND status = 'open' AND NOT other_provinces`
	res, err := s.q(ctx).ExecContext(ctx, q, id)
	if err != nil {
		return false, fmt.Errorf("storage: widen need %d to other provinces: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: widen need %d to other provinces: %w", id, err)
	}
	return n > 0, nil
}
