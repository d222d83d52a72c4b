package storage

import (
	"context"
	"database/sql"
)

// ExecInWork runs a statement where a Store method called with ctx would:
// in the unit of work ctx carries.
func ExecInWork(ctx context.Context, s *Store, query string, args ...any) (sql.Result, error) {
	return s.q(ctx).ExecContext(ctx, query, args...)
}

// MarkSentSQL is MarkOutboxSent's statement, for the test of its plan.
const (
	MarkSentSQL = markSentSQL
	MarkOneSQL  = markOneSQL
	// CommitCarryingSQL is the commit that carries a turn's marks.
	CommitCarryingSQL = commitCarryingSQL
)

// The drive screens' statements, for the test of their plans.
var (
	DriveWithSlotsSQL        = driveWithSlotsQuery
	DriveSlotsSQL            = driveSlotsQuery
	RegistrationWithSeatsSQL = registrationWithSeatsQuery
	UpcomingDrivesForSQL     = upcomingDrivesOfDonor
	AcceptWithSendersSQL     = acceptWithSendersSQL
	NewUpdatesFrom           = newUpdatesFrom
)
