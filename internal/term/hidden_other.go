//go:build !(linux || darwin || freebsd || netbsd || openbsd || windows)

package term

import (
	"fmt"

	"golang.org/x/term"
)

// ReadHidden shows prompt on the console and reads a line from it
// without echo.
func ReadHidden(c *Console, prompt string) (string, error) {
	fmt.Fprint(c.Out, prompt)
	pw, err := term.ReadPassword(int(c.In.Fd()))
	if err != nil {
		return "", fmt.Errorf("reading the passphrase: %w", err)
	}
	return string(pw), nil
}
