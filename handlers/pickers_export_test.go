package handlers

import (
	"context"

	"donorbot/drive"
)

// Organizes is the chat commands' rule of who manages a drive, for tests
// outside the package that hold the drive lists to it.
func (h *Handlers) Organizes(ctx context.Context, userID int64, d drive.Drive) (bool, error) {
	return h.organizes(ctx, userID, d)
}

// IsAdminForTest is whether the user is an admin, by configuration or role.
func (h *Handlers) IsAdminForTest(ctx context.Context, userID int64) (bool, error) {
	return h.d.IsAdmin(ctx, userID)
}
