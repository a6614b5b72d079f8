package helper

import (
	"os"
	"os/signal"
)

// CatchSignals relays to c those of sigs that this process does not
// ignore (signal.Notify). A signal the process was started with ignored
// (SIGHUP under nohup, SIGINT in a shell's background job) stays ignored:
// catching it would also undo the ignoring for every command authwrap
// starts, where `nohup authwrap exec -- job &` must leave the job immune
// to hangups as `nohup job &` does.
func CatchSignals(c chan<- os.Signal, sigs ...os.Signal) {
	var caught []os.Signal
	for _, s := range sigs {
		if !signal.Ignored(s) {
			caught = append(caught, s)
		}
	}
	if len(caught) > 0 {
		signal.Notify(c, caught...)
	}
}
