package term

import (
	"context"
	"errors"
	"fmt"
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

// ErrInterrupted means the person pressed Ctrl-C (or the
// process was told to stop) at the passphrase prompt. The error returned
// is a *SignalError, which says which signal.
var ErrInterrupted = errors.New("interrupted")

// SignalError is a wait for the person that a signal ended. It is
// ErrInterrupted (errors.Is).
type SignalError struct {
	// Signal is the signal received.
	Signal os.Signal
}

// Error implements error.
func (e *SignalError) Error() string {
	return fmt.Sprintf("%v (%v)", ErrInterrupted, e.Signal)
}

// Unwrap makes a SignalError ErrInterrupted.
func (e *SignalError) Unwrap() error { return ErrInterrupted }

// signalled returns a context that one of sigs (those the process does
// not ignore, CatchSignals) ends, with a *SignalError as its cause, and
// the function that stops catching them.
func signalled(sigs ...os.Signal) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	c := make(chan os.Signal, 1)
	CatchSignals(c, sigs...)
	go func() {
		select {
		case sig := <-c:
			cancel(&SignalError{Signal: sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(c)
		cancel(nil)
	}
}
