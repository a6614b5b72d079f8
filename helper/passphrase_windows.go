//go:build windows

package helper

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

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

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	type result struct {
		line string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(c.In).ReadString('\n')
		res <- result{line, err}
	}()
	select {
	case r := <-res:
		if r.err != nil && r.line == "" {
			if errors.Is(r.err, windows.ERROR_OPERATION_ABORTED) {
				// A Ctrl-C can abort the read before its event arrives.
				return "", &SignalError{Signal: os.Interrupt}
			}
			return "", fmt.Errorf("reading the passphrase: %w", r.err)
		}
		return strings.TrimRight(r.line, "\r\n"), nil
	case sig := <-sigs:
		// The read is abandoned; the process is about to end.
		_ = windows.CancelIoEx(h, nil)
		return "", &SignalError{Signal: sig}
	}
}
