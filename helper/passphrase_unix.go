//go:build linux || darwin || freebsd || netbsd || openbsd

package helper

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
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

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	type result struct {
		line string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(tty).ReadString('\n')
		res <- result{line, err}
	}()
	select {
	case r := <-res:
		if r.err != nil && r.line == "" {
			return "", fmt.Errorf("reading the passphrase: %w", r.err)
		}
		return strings.TrimRight(r.line, "\r\n"), nil
	case sig := <-sigs:
		if tty.SetReadDeadline(time.Now()) == nil { // ends the read
			<-res
		}
		return "", &SignalError{Signal: sig}
	}
}
