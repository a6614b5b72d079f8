//go:build windows

package term

import (
	"os"
	"time"

	"golang.org/x/sys/windows"
)

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

// signalGrace is how long Ask waits, after a read fails, for the Ctrl-C
// event that may have failed it: the console can end a line read on
// Ctrl-C before the event reaches the process.
const signalGrace = 500 * time.Millisecond

// interruptible returns the function that ends a read of the console in
// progress, as far as Windows can (CancelIoEx); it reports false: the
// read is not waited for, the process is about to end.
func interruptible(tty *os.File) (func() bool, error) {
	rc, err := tty.SyscallConn()
	if err != nil {
		return nil, err
	}
	return func() bool {
		_ = rc.Control(func(h uintptr) { _ = windows.CancelIoEx(windows.Handle(h), nil) })
		return false
	}, nil
}
