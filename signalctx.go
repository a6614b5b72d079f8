package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/authwrap/authwrap/internal/term"
)

// caughtSignals end a command cleanly once it waits for something.
var caughtSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// signalContext is the context a command runs with: SIGINT, SIGTERM or
// SIGHUP cancels it, with an *interrupted cause; one the process was
// started with ignored stays ignored (term.CatchSignals).
//
// Signals are caught from the first call to Done on, not before. Whatever
// waits calls it first: an HTTP request, the poll for approval, a child
// process, every context derived from this one, and taking the session's
// lock, under which every write to the stored session happens. A cached
// read does none of these and never calls it, and does not pay for the
// runtime's signal machinery (a goroutine blocked in the runtime, so a
// thread more, and a wait for it at the end: about a tenth of that read).
// Until then a signal has its default effect and ends the process, which
// has written nothing that a signal could leave half done.
type signalContext struct {
	context.Context
	cancel context.CancelCauseFunc
	once   sync.Once
	sigs   chan os.Signal // non-nil once armed
	mu     sync.Mutex     // guards sigs against stop
}

// newSignalContext returns the context and the function that ends it,
// which also stops catching signals.
func newSignalContext() (*signalContext, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	c := &signalContext{Context: ctx, cancel: cancel}
	return c, c.stop
}

// Done starts catching signals, then returns the channel a signal closes.
func (c *signalContext) Done() <-chan struct{} {
	c.catch()
	return c.Context.Done()
}

// catch starts catching signals, once.
func (c *signalContext) catch() { c.once.Do(c.arm) }

// arm registers for the signals and cancels the context with the first.
func (c *signalContext) arm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Context.Err() != nil {
		return // already stopped
	}
	sigs := make(chan os.Signal, 1)
	term.CatchSignals(sigs, caughtSignals...)
	c.sigs = sigs
	go func() {
		select {
		case sig := <-sigs:
			c.cancel(&interrupted{sig})
		case <-c.Context.Done():
		}
	}()
}

// stop ends the context and, if it was armed, stops catching signals.
func (c *signalContext) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancel(nil)
	if c.sigs != nil {
		signal.Stop(c.sigs)
	}
}
