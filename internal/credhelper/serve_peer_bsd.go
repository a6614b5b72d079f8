//go:build darwin || freebsd

package credhelper

import "golang.org/x/sys/unix"

// peerUID is the effective uid of the socket's peer (LOCAL_PEERCRED).
func peerUID(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}
