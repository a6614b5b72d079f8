//go:build linux || darwin || freebsd

package credhelper

import (
	"net"
	"os"
)

// peerIsUs reports whether the process at the other end of c connected as
// this user (the effective uid the kernel recorded at connect time,
// peerUID); when the system cannot tell, it is not.
func peerIsUs(c net.Conn) bool {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return false
	}
	uid, uerr := -1, error(nil)
	if err := raw.Control(func(fd uintptr) { uid, uerr = peerUID(int(fd)) }); err != nil || uerr != nil {
		return false
	}
	return uid == os.Geteuid()
}
