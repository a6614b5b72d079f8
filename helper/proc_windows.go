package helper

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// isKeeper reports whether process pid runs this program: Windows does
// not give out another process's arguments cheaply, so the image is what
// is compared (a process of another user cannot be opened at all).
func isKeeper(pid int, _ string) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &n); err != nil {
		return false
	}
	self, err := os.Executable()
	return err == nil && strings.EqualFold(filepath.Clean(windows.UTF16ToString(buf[:n])), filepath.Clean(self))
}
