package storage

import (
	"context"
	"fmt"
)

// InvitedTo says whether the donor was invited to the drive by one of its
// waves: an invitation admits a donor of the drive's province to a drive
// of a unit they are not a member of, as the wave asked them to come.
func (s *Store) InvitedTo(ctx context.Context, driveID, telegramID int64) (bool, error) {
	const q = `SELECT EXISTS (SELECT 1 FROM drive_invitations i JOIN donors d ON d.id = i.donor_id
		WHERE i.drive_id = $1 AND d.telegram_id = $2)`
	var ok bool
	if err := s.q(ctx).GetContext(ctx, &ok, q, driveID, telegramID); err != nil {
		return false, fmt.Errorf("storage: invitation of %d to drive %d: %w", telegramID, driveID, err)
	}
	return ok, nil
}
