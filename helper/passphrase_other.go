//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package helper

import (
	"fmt"
	"os"

	"golang.org/x/term"
)

// readHidden shows prompt on the terminal tty and reads a line from it
// without echo.
func readHidden(tty *os.File, prompt string) (string, error) {
	fmt.Fprint(tty, prompt)
	pw, err := term.ReadPassword(int(tty.Fd()))
	if err != nil {
		return "", fmt.Errorf("reading the passphrase: %w", err)
	}
	return string(pw), nil
}
