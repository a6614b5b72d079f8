//go:build !windows

package helper

import "syscall"

// stopProcess asks the process pid to end (SIGTERM): a keeper ends its
// refresh cleanly, under the lock.
func stopProcess(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }
