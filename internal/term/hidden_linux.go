package term

import "golang.org/x/sys/unix"

// Terminal attribute requests on Linux.
const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)
