//go:build windows

package term

import (
	"os"

	"golang.org/x/sys/windows"
)

// EscapesWork turns on virtual-terminal processing on a Windows console,
// so that the prompt's escape sequences (the live line, bold text, the QR
// code) are drawn rather than printed. It reports false when the console
// cannot (before Windows 10): the prompt then writes plain lines. A file
// that is not a console (a pipe, a file, an MSYS terminal) is left alone.
func EscapesWork(f *os.File) bool {
	h := windows.Handle(f.Fd())
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return true
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return true
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
