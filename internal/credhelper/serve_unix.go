//go:build unix

package credhelper

import (
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxSocketPath is the longest socket path the system takes (sun_path,
// less its final NUL).
const maxSocketPath = len(unix.RawSockaddrUnix{}.Path) - 1

// tempDirVar names the variable that sets the temporary directory.
const tempDirVar = "TMPDIR"

// socketBases are where the endpoint's directory may go, best first:
// $XDG_RUNTIME_DIR when it is set and private to this user (a short path,
// removed at logout), the temporary directory, and /tmp for when that
// one's path is too long for a socket.
func socketBases() []string {
	var bases []string
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		fi, err := os.Lstat(d)
		if err == nil && fi.IsDir() && fi.Mode().Perm()&0o077 == 0 {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == os.Geteuid() {
				bases = append(bases, d)
			}
		}
	}
	return append(bases, os.TempDir(), "/tmp")
}

// listenHint follows a failure to listen on the socket.
const listenHint = ""

// makePrivate gives dir, which os.MkdirTemp has just made, mode 0700 (the
// umask may have taken bits away, never added any): no other user may
// enter it, so none can reach the socket inside.
func makePrivate(dir string) error { return os.Chmod(dir, 0o700) }

// makeSocketPrivate gives the socket mode 0600: connecting needs write
// permission on it.
func makeSocketPrivate(path string) error { return os.Chmod(path, 0o600) }
