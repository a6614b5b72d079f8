package main

import "golang.org/x/sys/unix"

// hideEnvironment makes this process undumpable: its memory, and the
// environment it was started with (which os.Unsetenv does not clear from
// /proc/PID/environ), can then be read only by root, not by other
// processes of the same user; nor can they attach a debugger. A command
// it runs afterwards is dumpable again, as usual.
func hideEnvironment() { _ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
