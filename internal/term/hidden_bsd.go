//go:build darwin || freebsd || netbsd || openbsd

package term

import "golang.org/x/sys/unix"

// Terminal attribute requests on macOS and the BSDs.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)
