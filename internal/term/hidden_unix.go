//go:build linux || darwin || freebsd || netbsd || openbsd

package term

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// ReadHidden shows prompt on the terminal, then reads a line from it
// without echo (turned off before the prompt shows, so that nothing typed
// at once is echoed), with Ask. The terminal keeps its line editing and
// its signals: Ctrl-C (or SIGTERM, SIGHUP) ends the wait at once with a
// *SignalError (ErrInterrupted); the echo is put back either way.
func ReadHidden(c *Console, prompt string) (string, error) {
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
	defer rc.Control(func(fd uintptr) { _ = unix.IoctlSetTermios(int(fd), ioctlSetTermios, old) })
	ctx, stop := signalled(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	pw, err := Ask(ctx, tty, c.Out, prompt)
	var se *SignalError
	if errors.As(err, &se) {
		return "", se
	}
	if err != nil {
		return "", fmt.Errorf("reading the passphrase: %w", err)
	}
	return pw, nil
}
