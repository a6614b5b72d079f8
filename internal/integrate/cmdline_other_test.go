//go:build !windows

package integrate

import "syscall"

// cmdLine is only needed for cmd.exe on Windows.
func cmdLine(string) *syscall.SysProcAttr { return nil }
