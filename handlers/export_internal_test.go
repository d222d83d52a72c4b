package handlers

import (
	"maps"
	"slices"
)

// Routes lists every routed command and callback action, sorted, for tests
// outside the package that walk the bot's whole surface.
func Routes(h *Handlers) (commands, callbacks []string) {
	return slices.Sorted(maps.Keys(h.commands)), slices.Sorted(maps.Keys(h.callbacks))
}

// DonorCommands is the donor menu, for tests outside the package.
func DonorCommands() []string { return donorCommands }
