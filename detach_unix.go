//go:build unix

package main

import (
	"golang.org/x/sys/unix"

	"os/exec"
	"syscall"
)

// detach makes cmd a session of its own: no controlling terminal, so a
// closed terminal or Ctrl-C in the caller's shell does not reach it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }

// closeInherited closes the descriptors this process inherited beyond
// stdin, stdout and stderr (a pipe of git's, say, that a program left
// open to its children): a keeper that held one would keep its reader
// waiting for the keeper to end. What Go opens itself is close-on-exec;
// an inherited descriptor is not (it crossed an exec).
func closeInherited() {
	for fd := 3; fd < 1024; fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err == nil && flags&unix.FD_CLOEXEC == 0 {
			_ = unix.Close(fd)
		}
	}
}

// forkFirst: the keeper is started through a process that exits at once
// (keep-warm --fork), so that it is re-parented to init and never left a
// zombie of a long-lived caller (a command authwrap exec became).
const forkFirst = true
