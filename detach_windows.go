package main

import (
	"os/exec"
	"syscall"
)

// detach starts cmd without a console and in a process group of its own:
// a closed console window or Ctrl-C in the caller's does not reach it.
func detach(cmd *exec.Cmd) {
	const detachedProcess, newProcessGroup = 0x00000008, 0x00000200
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: detachedProcess | newProcessGroup, HideWindow: true}
}

// closeInherited does nothing: Windows programs started by Go inherit
// only the handles they are given.
func closeInherited() {}

// forkFirst is false: Windows leaves no zombies.
const forkFirst = false
