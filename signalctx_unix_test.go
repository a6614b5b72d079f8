//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestSignalContextArmsOnWait: a context derived from the command's (as
// every request and wait derives one) starts catching signals, and a
// signal then ends both with an *interrupted cause naming it.
func TestSignalContextArmsOnWait(t *testing.T) {
	ctx, stop := newSignalContext()
	defer stop()
	if ctx.sigs != nil {
		t.Fatal("signals caught before anything waited")
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	<-wait.Done()
	var intr *interrupted
	if !errors.As(context.Cause(wait), &intr) || intr.sig != syscall.SIGHUP || intr.exitCode() != 129 {
		t.Fatalf("cause %v, want an interruption by SIGHUP", context.Cause(wait))
	}
	if !errors.As(context.Cause(ctx), &intr) {
		t.Fatalf("the command's context: cause %v", context.Cause(ctx))
	}
}

// TestSignalContextStopped: once stopped, waiting on the context no
// longer catches signals (the command is over) and sees it done.
func TestSignalContextStopped(t *testing.T) {
	ctx, stop := newSignalContext()
	stop()
	select {
	case <-ctx.Done():
	default:
		t.Fatal("a stopped context is not done")
	}
	if ctx.sigs != nil {
		t.Fatal("a stopped context caught signals")
	}
}
