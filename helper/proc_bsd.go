//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package helper

import (
	"bytes"
	"strings"

	"golang.org/x/sys/unix"
)

// isKeeper reports whether process pid is this user's keeper of profile,
// from its arguments as the kernel keeps them (kern.procargs2 on macOS,
// kern.proc.args elsewhere); another user's are not readable.
func isKeeper(pid int, profile string) bool {
	raw, err := unix.SysctlRaw("kern.procargs2", pid)
	if err != nil {
		if raw, err = unix.SysctlRaw("kern.proc.args", pid); err != nil {
			return false
		}
	}
	// The arguments, the path before them and the environment after are
	// NUL-separated; the sequence that matters is looked for among them.
	fields := strings.Split(string(bytes.TrimRight(raw, "\x00")), "\x00")
	return keeperArgs(fields, profile)
}
