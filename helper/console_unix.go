//go:build !windows

package helper

import "os"

// openConsole opens the controlling terminal, one device for both ways.
func openConsole() (*Console, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	return &Console{In: tty, Out: tty}, nil
}
