//go:build !linux

package helper

// isLocked reports whether err says the keyring is locked; only the
// secret service (Linux) answers so.
func isLocked(error) bool { return false }
