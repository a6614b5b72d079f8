package helper

import (
	"errors"
	"os"
)

// Console is the person's terminal apart from the standard streams, which
// may carry a protocol: /dev/tty on Unix, the console's input and screen
// buffers (CONIN$, CONOUT$) on Windows. In and Out are the same file
// where the system has one device for both.
type Console struct {
	// In reads what the person types.
	In *os.File
	// Out shows prompts.
	Out *os.File
}

// ErrNoConsole means the process has no terminal to ask on.
var ErrNoConsole = errors.New("no terminal to ask on")

// OpenConsole opens the terminal the process runs on, or returns
// ErrNoConsole when it has none (a pipe, a service, CI).
func OpenConsole() (*Console, error) {
	c, err := openConsole()
	if err != nil {
		return nil, ErrNoConsole
	}
	if !IsTerminal(c.Out) {
		c.Close()
		return nil, ErrNoConsole
	}
	return c, nil
}

// Close closes the console's files.
func (c *Console) Close() error {
	err := c.In.Close()
	if c.Out != c.In {
		err = errors.Join(err, c.Out.Close())
	}
	return err
}
