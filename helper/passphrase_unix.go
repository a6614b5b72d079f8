//go:build linux || darwin || freebsd || netbsd || openbsd

package helper

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// readHidden shows prompt on the terminal, then reads a line from it
// without echo (turned off before the prompt shows, so that nothing typed
// at once is echoed). Unlike term.ReadPassword, Ctrl-C (or SIGTERM,
// SIGHUP) ends the wait: the terminal gets its echo back and the error is
// ErrPassphraseInterrupted. The read goes through Go's poller (a terminal
// is pollable), so a deadline can stop it.
func readHidden(c *Console, prompt string) (string, error) {
	tty := c.In
	rc, err := tty.SyscallConn()
	if err != nil {
		return "", err
	}
	var old *unix.Termios
	var terr error
	if err := rc.Control(func(fd uintptr) {
		if old, terr = unix.IoctlGetTermios(int(fd), ioctlGetTermios); terr != nil {
			return
		}
		t := *old
		t.Lflag &^= unix.ECHO
		t.Lflag |= unix.ICANON | unix.ISIG
		t.Iflag |= unix.ICRNL
		terr = unix.IoctlSetTermios(int(fd), ioctlSetTermios, &t)
	}); err != nil || terr != nil {
		return "", errors.Join(err, terr)
	}
	restore := func() {
		_ = rc.Control(func(fd uintptr) { _ = unix.IoctlSetTermios(int(fd), ioctlSetTermios, old) })
	}
	defer restore()
	fmt.Fprint(tty, prompt)

	// Ending the read by a deadline works on a terminal (pollable).
	return readLineOrSignal(tty, []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP},
		func() bool { return tty.SetReadDeadline(time.Now()) == nil })
}
