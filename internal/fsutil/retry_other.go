//go:build !windows

package fsutil

// isTransientLock reports false: files here can be opened and replaced
// at once.
func isTransientLock(error) bool { return false }
