package helper

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/authwrap/authwrap/internal/fsutil"
)

// ErrLockTimeout means another process held the profile's lock for longer
// than the wait allowed.
var ErrLockTimeout = errors.New("another process is still busy with this profile")

// Lock timing.
const (
	// lockRetry is how often a waiting process retries the lock and
	// re-reads the store.
	lockRetry = 10 * time.Millisecond
	// lockNotice is how long a process waits before telling the person why
	// nothing happens: refreshes finish well within it, sign-ins do not.
	lockNotice = time.Second
)

// lockWait describes how to wait for a profile's lock.
type lockWait struct {
	dir, profile string
	// max bounds the wait.
	max time.Duration
	// notify is called once, after lockNotice, if the lock is still held.
	notify func()
	// satisfied is called between retries; when it returns true the wait
	// ends without the lock (another process already did the work).
	satisfied func() bool
}

// errSatisfied ends a wait whose work another process has done.
var errSatisfied = errors.New("satisfied while waiting for the lock")

// lockProfile takes the profile's lock file. The returned function
// releases it. A process that dies holding it releases it too: the kernel
// drops flock locks with the last descriptor.
func lockProfile(ctx context.Context, w lockWait) (func(), error) {
	// Whoever holds the lock may write the session. A cancelled caller
	// does not start; and a context that starts catching signals only
	// once it is observed (authwrap's own does) catches them from here
	// on, so that a signal ends a write cleanly rather than midway.
	select {
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	default:
	}
	if err := fsutil.PrivateDir(w.dir); err != nil {
		return nil, fmt.Errorf("%w: creating %s: %w", ErrStateDir, w.dir, err)
	}
	fl := flock.New(filepath.Join(w.dir, w.profile+".lock"), flock.SetPermissions(0o600))
	start := time.Now()
	noticed := w.notify == nil
	tick := time.NewTicker(lockRetry)
	defer tick.Stop()
	for {
		ok, err := fl.TryLock()
		if err != nil {
			return nil, fmt.Errorf("%w: locking %s: %w", ErrStateDir, fl.Path(), err)
		}
		if ok {
			return func() { _ = fl.Unlock() }, nil
		}
		if w.satisfied != nil && w.satisfied() {
			return nil, errSatisfied
		}
		waited := time.Since(start)
		if !noticed && waited >= lockNotice {
			noticed = true
			w.notify()
		}
		if waited >= w.max {
			return nil, fmt.Errorf("%w (waited %s for %s)", ErrLockTimeout, w.max.Round(time.Second), fl.Path())
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-tick.C:
		}
	}
}
