package storage

import (
	"context"
	"fmt"
)

// Role names stored in the roles table.
const (
	RoleAdmin     = "admin"
	RoleOrganizer = "organizer"
	RoleClubAdmin = "club_admin"
)

// GrantRole gives a Telegram user a role, optionally scoped to a unit (0 = none).
func (s *Store) GrantRole(ctx context.Context, telegramID int64, role string, unitID, grantedBy int64) error {
	const q = `INSERT INTO roles (telegram_id, role, unit_id, granted_by)
		VALUES ($1, $2, nullif($3, 0), nullif($4::bigint, 0)) ON CONFLICT DO NOTHING`
	if _, err := s.q(ctx).ExecContext(ctx, q, telegramID, role, unitID, grantedBy); err != nil {
		return fmt.Errorf("storage: grant %s to %d: %w", role, telegramID, mapErr(err))
	}
	return nil
}

// HasRole reports whether the user holds the role (in any unit).
func (s *Store) HasRole(ctx context.Context, telegramID int64, role string) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM roles WHERE telegram_id = $1 AND role = $2)`
	var ok bool
	if err := s.q(ctx).GetContext(ctx, &ok, q, telegramID, role); err != nil {
		return false, fmt.Errorf("storage: role %s of %d: %w", role, telegramID, err)
	}
	return ok, nil
}

// RoleHolders lists the Telegram ids holding role.
func (s *Store) RoleHolders(ctx context.Context, role string) ([]int64, error) {
	ids := []int64{}
	const q = `SELECT DISTINCT telegram_id FROM roles WHERE role = $1 ORDER BY telegram_id`
	if err := s.q(ctx).SelectContext(ctx, &ids, q, role); err != nil {
		return nil, fmt.Errorf("storage: holders of %s: %w", role, err)
	}
	return ids, nil
}

// RevokeRole removes a role in every unit; it reports whether one was held.
func (s *Store) RevokeRole(ctx context.Context, telegramID int64, role string) (bool, error) {
	res, err := s.q(ctx).ExecContext(ctx, `DELETE FROM roles WHERE telegram_id = $1 AND role = $2`, telegramID, role)
	if err != nil {
		return false, fmt.Errorf("storage: revoke %s from %d: %w", role, telegramID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: revoke %s from %d: %w", role, telegramID, err)
	}
	return n > 0, nil
}

// OrganizesUnit reports whether the user is an organizer without a unit
// (they organize every drive), or an organizer or club admin of the unit
// (0: drives open to everyone, which only the former organize).
func (s *Store) OrganizesUnit(ctx context.Context, telegramID, unitID int64) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM roles WHERE telegram_id = $1 AND (
		role = 'organizer' AND unit_id IS NULL OR
		role IN ('organizer', 'club_admin') AND unit_id = nullif($2, 0)))`
	var ok bool
	if err := s.q(ctx).GetContext(ctx, &ok, q, telegramID, unitID); err != nil {
		return false, fmt.Errorf("storage: does %d organize unit %d: %w", telegramID, unitID, err)
	}
	return ok, nil
}

// OrganizedUnits lists the units the user is an organizer or club admin
// of, by name.
func (s *Store) OrganizedUnits(ctx context.Context, telegramID int64) ([]Unit, error) {
	const q = `SELECT DISTINCT u.id, u.kind, u.name, u.invite_code
		FROM units u JOIN roles r ON r.unit_id = u.id
		WHERE r.telegram_id = $1 AND r.role IN ('organizer', 'club_admin')
		ORDER BY u.name, u.id`
	units := []Unit{}
	if err := s.read(ctx).SelectContext(ctx, &units, q, telegramID); err != nil {
		return nil, fmt.Errorf("storage: units organized by %d: %w", telegramID, err)
	}
	return units, nil
}

// HeldRole is one role a user holds, with the unit it is scoped to.
type HeldRole struct {
	Role     string `db:"role"`
	UnitID   int64  `db:"unit_id"`   // 0: no unit
	UnitName string `db:"unit_name"` // "" without a unit
}

// RolesOf lists the roles the user holds, admin first, then organizer,
// then club admin, each by unit name.
func (s *Store) RolesOf(ctx context.Context, telegramID int64) ([]HeldRole, error) {
	const q = `SELECT r.role, coalesce(r.unit_id, 0) AS unit_id, coalesce(u.name, '') AS unit_name
		FROM roles r LEFT JOIN units u ON u.id = r.unit_id
		WHERE r.telegram_id = $1
		ORDER BY array_position(ARRAY['admin', 'organizer', 'club_admin'], r.role), u.name NULLS FIRST`
	held := []HeldRole{}
	if err := s.q(ctx).SelectContext(ctx, &held, q, telegramID); err != nil {
		return nil, fmt.Errorf("storage: roles of %d: %w", telegramID, err)
	}
	return held, nil
}
