//go:build !windows

package term

import (
	"os"
	"syscall"
	"time"
)

// openConsole opens the controlling terminal, one device for both ways.
func openConsole() (*Console, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	return &Console{In: tty, Out: tty}, nil
}

// signalGrace is how long Ask waits, after a read fails, for the signal
// that may have failed it: a terminal here signals before the read ends.
const signalGrace = 0

// interruptible makes a read of tty one that a deadline ends, and returns
// the function that ends a read in progress, which reports whether it
// could (the read then returns). A terminal Go opened (/dev/tty) is
// polled by its runtime while the descriptor stays non-blocking, as Go
// made it; a call of tty.Fd() makes it blocking, and a deadline can then
// no longer end a read that waits in the system, so the descriptor is
// made non-blocking again. A file the runtime does not poll (a terminal
// inherited as stdin, shared with the shell) is left as it is: its read
// cannot be ended, and the process ends without waiting for it.
func interruptible(tty *os.File) (func() bool, error) {
	if tty.SetReadDeadline(time.Time{}) != nil {
		return func() bool { return false }, nil
	}
	rc, err := tty.SyscallConn()
	if err != nil {
		return nil, err
	}
	var nbErr error
	if err := rc.Control(func(fd uintptr) { nbErr = syscall.SetNonblock(int(fd), true) }); err != nil {
		return nil, err
	}
	if nbErr != nil {
		return nil, nbErr
	}
	return func() bool { return tty.SetReadDeadline(time.Now()) == nil }, nil
}
