package handlers

// DonorCommands is the donor menu, for tests outside the package.
func DonorCommands() []string { return donorCommands }
