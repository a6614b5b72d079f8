//go:build unix

package main

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// errNoExec means this system cannot replace the process.
var errNoExec = errors.New("exec is not available here")

// execReplace replaces authwrap with the command: its signals, exit
// status, stdin and terminal are then the command's own.
func execReplace(path string, argv, env []string) error {
	return syscall.Exec(path, argv, env)
}

// keyboardSignalsReachChild reports whether authwrap runs in the
// terminal's foreground process group, where a typed Ctrl-C or Ctrl-\
// reaches the child as well.
func keyboardSignalsReachChild() bool {
	pgrp, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && pgrp == syscall.Getpgrp()
}
