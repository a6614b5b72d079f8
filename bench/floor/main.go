// Command floor is the smallest Go program that links net/http, as
// authwrap must: it prints a line and exits. Timed beside authwrap and git,
// it shows how much of a cached read is the Go runtime and net/http's
// package initialisation, which no code in authwrap can avoid.
package main

import (
	"net/http"
	"os"
)

var _ = http.DefaultClient

func main() { _, _ = os.Stdout.WriteString("floor\n") }
