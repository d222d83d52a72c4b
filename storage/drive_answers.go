package storage

import (
	"context"
	"fmt"
	"time"
)

// DriveInvitationAnswers counts the drive's invitations sent at or before
// sentBefore and those of their donors who registered for it since (any
// registration but a cancelled one: a waitlisted donor answered too).
func (s *Store) DriveInvitationAnswers(ctx context.Context, driveID int64, sentBefore time.Time) (invited, registered int, err error) {
	const q = `SELECT count(*) AS invited,
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registrations g
				WHERE g.drive_id = i.drive_id AND g.donor_id = i.donor_id AND g.status <> 'cancelled')) AS registered
		FROM drive_invitations i WHERE i.drive_id = $1 AND i.sent_at <= $2`
	var r struct {
		Invited    int `db:"invited"`
		Registered int `db:"registered"`
	}
	if err := s.q(ctx).GetContext(ctx, &r, q, driveID, sentBefore); err != nil {
		return 0, 0, fmt.Errorf("storage: invitation answers of drive %d: %w", driveID, err)
	}
	return r.Invited, r.Registered, nil
}
