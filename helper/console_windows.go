//go:build windows

package helper

import "os"

// openConsole opens the console's input and screen buffers: they are the
// console whatever the standard handles were redirected to.
func openConsole() (*Console, error) {
	in, err := os.OpenFile("CONIN$", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	out, err := os.OpenFile("CONOUT$", os.O_RDWR, 0)
	if err != nil {
		in.Close()
		return nil, err
	}
	return &Console{In: in, Out: out}, nil
}
