//go:build !linux

package main

// hideEnvironment does nothing here: the process environment of another
// process is not readable through a file system on these systems (macOS
// allows it to the same user through sysctl, as to a debugger).
func hideEnvironment() {}
