//go:build unix

package term

import (
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestCatchSignalsKeepsIgnored: a signal the process ignores (as under
// nohup) stays ignored, is not relayed and does not end the process; the
// others are relayed.
func TestCatchSignalsKeepsIgnored(t *testing.T) {
	signal.Ignore(syscall.SIGHUP)
	defer signal.Reset(syscall.SIGHUP, syscall.SIGUSR1)
	c := make(chan os.Signal, 2)
	CatchSignals(c, syscall.SIGHUP, syscall.SIGUSR1)
	defer signal.Stop(c)
	if !signal.Ignored(syscall.SIGHUP) {
		t.Fatal("SIGHUP is no longer ignored")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-c:
		if s != syscall.SIGUSR1 {
			t.Fatalf("relayed %v, want SIGUSR1", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGUSR1 was not relayed")
	}
	select {
	case s := <-c:
		t.Fatalf("relayed %v as well", s)
	case <-time.After(100 * time.Millisecond):
	}
}
