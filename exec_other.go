//go:build !unix

package main

import "errors"

// errNoExec means this system cannot replace the process.
var errNoExec = errors.New("exec is not available here")

// execReplace is not possible here: runChild runs the command instead.
func execReplace(string, []string, []string) error { return errNoExec }

// keyboardSignalsReachChild: on Windows a console Ctrl-C reaches every
// process attached to the console.
func keyboardSignalsReachChild() bool { return true }
