//go:build windows

package helper

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// readHidden shows prompt on the console and reads a line from its input
// buffer with echo off (turned off before the prompt shows). Ctrl-C is a
// console control event (processed input stays on), which ends the wait
// with a *SignalError; the console's mode is put back either way.
func readHidden(c *Console, prompt string) (string, error) {
	h := windows.Handle(c.In.Fd())
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return "", fmt.Errorf("reading the passphrase: the console's mode: %w", err)
	}
	mode := old&^windows.ENABLE_ECHO_INPUT | windows.ENABLE_PROCESSED_INPUT | windows.ENABLE_LINE_INPUT
	if err := windows.SetConsoleMode(h, mode); err != nil {
		return "", fmt.Errorf("reading the passphrase: turning echo off: %w", err)
	}
	defer windows.SetConsoleMode(h, old)
	fmt.Fprint(c.Out, prompt)

	line, err := readLineOrSignal(c.In, []os.Signal{os.Interrupt},
		func() bool { _ = windows.CancelIoEx(h, nil); return false })
	if errors.Is(err, windows.ERROR_OPERATION_ABORTED) {
		// A Ctrl-C can abort the read before its event arrives.
		return "", &SignalError{Signal: os.Interrupt}
	}
	return line, err
}
