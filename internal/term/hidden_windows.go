//go:build windows

package term

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// ReadHidden shows prompt on the console and reads a line from its input
// buffer with echo off (turned off before the prompt shows), with Ask.
// Ctrl-C is a console control event (processed input stays on), which
// ends the wait with a *SignalError; the console's mode is put back
// either way.
func ReadHidden(c *Console, prompt string) (string, error) {
	rc, err := c.In.SyscallConn()
	if err != nil {
		return "", err
	}
	var old uint32
	var merr error
	if err := rc.Control(func(h uintptr) {
		if merr = windows.GetConsoleMode(windows.Handle(h), &old); merr != nil {
			merr = fmt.Errorf("reading the passphrase: the console's mode: %w", merr)
			return
		}
		mode := old&^windows.ENABLE_ECHO_INPUT | windows.ENABLE_PROCESSED_INPUT | windows.ENABLE_LINE_INPUT
		if merr = windows.SetConsoleMode(windows.Handle(h), mode); merr != nil {
			merr = fmt.Errorf("reading the passphrase: turning echo off: %w", merr)
		}
	}); err != nil || merr != nil {
		return "", errors.Join(err, merr)
	}
	defer rc.Control(func(h uintptr) { _ = windows.SetConsoleMode(windows.Handle(h), old) })
	ctx, stop := signalled(os.Interrupt)
	defer stop()
	pw, err := Ask(ctx, c.In, c.Out, prompt)
	if errors.Is(err, windows.ERROR_OPERATION_ABORTED) {
		// A Ctrl-C can abort the read before its event arrives.
		return "", &SignalError{Signal: os.Interrupt}
	}
	var se *SignalError
	if errors.As(err, &se) {
		return "", se
	}
	if err != nil {
		return "", fmt.Errorf("reading the passphrase: %w", err)
	}
	return pw, nil
}
