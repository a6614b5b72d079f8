//go:build windows

package termtest

import (
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/authwrap/authwrap/internal/term"
)

// Console opens the console, or skips where the test runs without
// one (CI runs these under a terminal, with AUTHWRAP_REQUIRE_CONSOLE=1).
func Console(t *testing.T) *term.Console {
	t.Helper()
	c, err := term.OpenConsole()
	if err != nil {
		if os.Getenv("AUTHWRAP_REQUIRE_CONSOLE") == "1" {
			t.Fatalf("no console: %v", err)
		}
		t.Skipf("no console here: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// keyEvent is a KEY_EVENT INPUT_RECORD.
type keyEvent struct {
	EventType uint16
	_         uint16
	KeyDown   int32
	Repeat    uint16
	VK        uint16
	Scan      uint16
	Char      uint16
	State     uint32
}

var kernel32 = windows.NewLazySystemDLL("kernel32.dll")

// TypeKeys puts s in the console's input buffer as if typed.
func TypeKeys(t *testing.T, c *term.Console, s string) {
	t.Helper()
	var recs []keyEvent
	for _, r := range s {
		vk := uint16(0)
		if r == '\r' {
			vk = 0x0d // VK_RETURN
		}
		recs = append(recs, keyEvent{EventType: 1, KeyDown: 1, Repeat: 1, VK: vk, Char: uint16(r)},
			keyEvent{EventType: 1, Repeat: 1, VK: vk, Char: uint16(r)})
	}
	var n uint32
	ok, _, err := kernel32.NewProc("WriteConsoleInputW").Call(c.In.Fd(), uintptr(unsafe.Pointer(&recs[0])), uintptr(len(recs)), uintptr(unsafe.Pointer(&n)))
	if ok == 0 {
		t.Fatalf("WriteConsoleInputW: %v", err)
	}
}

// Screen returns the text of the console's screen buffer.
func Screen(t *testing.T, c *term.Console) string {
	t.Helper()
	var info windows.ConsoleScreenBufferInfo
	if err := windows.GetConsoleScreenBufferInfo(windows.Handle(c.Out.Fd()), &info); err != nil {
		t.Fatal(err)
	}
	size := uint32(info.Size.X) * uint32(info.Size.Y)
	buf := make([]uint16, size)
	var n uint32
	ok, _, err := kernel32.NewProc("ReadConsoleOutputCharacterW").Call(c.Out.Fd(), uintptr(unsafe.Pointer(&buf[0])), uintptr(size), 0, uintptr(unsafe.Pointer(&n)))
	if ok == 0 {
		t.Fatalf("ReadConsoleOutputCharacterW: %v", err)
	}
	return string(windows.UTF16ToString(buf[:n]))
}
