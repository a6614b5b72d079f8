package helper

import (
	"context"
	"os"
	"os/signal"
)

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
