package storage

import (
	"context"
	"fmt"
)

// Unit is a police unit, factory, school or a "Ngân hàng máu sống" club.
type Unit struct {
	ID         int64  `db:"id"`
	Kind       string `db:"kind"`
	Name       string `db:"name"`
	InviteCode string `db:"invite_code"`
}

// CreateUnit adds a unit or club.
func (s *Store) CreateUnit(ctx context.Context, kind, name, inviteCode string) (Unit, error) {
	const q = `INSERT INTO units (kind, name, invite_code) VALUES ($1, $2, $3)
		RETURNING id, kind, name, invite_code`
	var u Unit
	err := s.guarded(ctx, func(db querier) error { return db.GetContext(ctx, &u, q, kind, name, inviteCode) })
	if err != nil {
		return Unit{}, fmt.Errorf("storage: create unit %q: %w", name, mapErr(err))
	}
	return u, nil
}

// Unit returns one unit by id.
func (s *Store) Unit(ctx context.Context, id int64) (Unit, error) {
	const q = `SELECT id, kind, name, invite_code FROM units WHERE id = $1`
	var u Unit
	if err := s.q(ctx).GetContext(ctx, &u, q, id); err != nil {
		return Unit{}, fmt.Errorf("storage: unit %d: %w", id, mapErr(err))
	}
	return u, nil
}

// Units lists units and clubs by name, limit at a time from offset.
func (s *Store) Units(ctx context.Context, offset, limit int) ([]Unit, error) {
	const q = `SELECT id, kind, name, invite_code FROM units ORDER BY name, id OFFSET $1 LIMIT $2`
	units := []Unit{}
	if err := s.q(ctx).SelectContext(ctx, &units, q, offset, limit); err != nil {
		return nil, fmt.Errorf("storage: units: %w", err)
	}
	return units, nil
}

// CountUnits returns how many units and clubs exist.
func (s *Store) CountUnits(ctx context.Context) (int, error) {
	var n int
	if err := s.q(ctx).GetContext(ctx, &n, `SELECT count(*) FROM units`); err != nil {
		return 0, fmt.Errorf("storage: count units: %w", err)
	}
	return n, nil
}

// JoinUnit makes the donor a member of the unit; joining twice is a no-op.
func (s *Store) JoinUnit(ctx context.Context, telegramID, unitID int64) error {
	const q = `INSERT INTO unit_members (unit_id, donor_id)
		SELECT $2, id FROM donors WHERE telegram_id = $1
		ON CONFLICT DO NOTHING`
	if _, err := s.q(ctx).ExecContext(ctx, q, telegramID, unitID); err != nil {
		return fmt.Errorf("storage: donor %d join unit %d: %w", telegramID, unitID, mapErr(err))
	}
	return nil
}

// LeaveUnit removes the donor from the unit.
func (s *Store) LeaveUnit(ctx context.Context, telegramID, unitID int64) error {
	const q = `DELETE FROM unit_members
		WHERE unit_id = $2 AND donor_id = (SELECT id FROM donors WHERE telegram_id = $1)`
	if _, err := s.q(ctx).ExecContext(ctx, q, telegramID, unitID); err != nil {
		return fmt.Errorf("storage: donor %d leave unit %d: %w", telegramID, unitID, err)
	}
	return nil
}

// DonorUnits lists the units the donor belongs to.
func (s *Store) DonorUnits(ctx context.Context, telegramID int64) ([]Unit, error) {
	const q = `SELECT u.id, u.kind, u.name, u.invite_code
		FROM units u JOIN unit_members m ON m.unit_id = u.id
		JOIN donors d ON d.id = m.donor_id
		WHERE d.telegram_id = $1 ORDER BY u.name`
	units := []Unit{}
	if err := s.read(ctx).SelectContext(ctx, &units, q, telegramID); err != nil {
		return nil, fmt.Errorf("storage: units of donor %d: %w", telegramID, err)
	}
	return units, nil
}

// UnitByInviteCode returns the unit or club with the invite code.
func (s *Store) UnitByInviteCode(ctx context.Context, code string) (Unit, error) {
	const q = `SELECT id, kind, name, invite_code FROM units WHERE invite_code = $1`
	var u Unit
	if err := s.q(ctx).GetContext(ctx, &u, q, code); err != nil {
		return Unit{}, fmt.Errorf("storage: unit by invite code: %w", mapErr(err))
	}
	return u, nil
}

// AdministeredClubs lists the clubs the user is a club admin of, by name.
func (s *Store) AdministeredClubs(ctx context.Context, telegramID int64) ([]Unit, error) {
	const q = `SELECT u.id, u.kind, u.name, u.invite_code
		FROM units u JOIN roles r ON r.unit_id = u.id
		WHERE r.telegram_id = $1 AND r.role = 'club_admin' AND u.kind = 'club'
		ORDER BY u.name, u.id`
	units := []Unit{}
	if err := s.read(ctx).SelectContext(ctx, &units, q, telegramID); err != nil {
		return nil, fmt.Errorf("storage: clubs administered by %d: %w", telegramID, err)
	}
	return units, nil
}

// IsClubAdmin reports whether the user is a club admin of the club.
func (s *Store) IsClubAdmin(ctx context.Context, telegramID, clubID int64) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM roles
		WHERE telegram_id = $1 AND role = 'club_admin' AND unit_id = $2)`
	var ok bool
	if err := s.read(ctx).GetContext(ctx, &ok, q, telegramID, clubID); err != nil {
		return false, fmt.Errorf("storage: is %d club admin of %d: %w", telegramID, clubID, err)
	}
	return ok, nil
}

// CountMembers returns how many donors belong to the unit.
func (s *Store) CountMembers(ctx context.Context, unitID int64) (int, error) {
	var n int
	if err := s.q(ctx).GetContext(ctx, &n, `SELECT count(*) FROM unit_members WHERE unit_id = $1`, unitID); err != nil {
		return 0, fmt.Errorf("storage: members of unit %d: %w", unitID, err)
	}
	return n, nil
}
