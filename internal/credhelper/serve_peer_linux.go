package credhelper

import (
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// peerIsUs reports whether the process at the other end of c connected as
// this user (SO_PEERCRED's effective uid, recorded at connect time); when
// the system cannot tell, it is not.
func peerIsUs(c net.Conn) bool {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return false
	}
	var cred *unix.Ucred
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		cred, gerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || gerr != nil {
		return false
	}
	return int(cred.Uid) == os.Geteuid()
}
