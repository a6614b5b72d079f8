//go:build unix

package helper

import (
	"time"

	"golang.org/x/sys/unix"
)

// touchNoFollow sets path's times to t with one utimensat that does not
// follow a symbolic link: a link planted there gets the time itself, not
// the file it names.
func touchNoFollow(path string, t time.Time) {
	ts := unix.NsecToTimespec(t.UnixNano())
	_ = unix.UtimesNanoAt(unix.AT_FDCWD, path, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW)
}
