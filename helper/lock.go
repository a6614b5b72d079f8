package helper

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// ErrLockTimeout means another authwrap held the profile's lock for longer
// than the wait allowed.
var ErrLockTimeout = errors.New("another authwrap is still busy with this profile")

// lockProfile takes the profile's lock file in dir, waiting at most wait.
// notify is called once if the lock is not free at once, so a person knows
// why nothing happens. The returned function releases the lock.
func lockProfile(ctx context.Context, dir, profile string, wait time.Duration, notify func()) (func(), error) {
	if err := ensurePrivateDir(dir); err != nil {
		return nil, fmt.Errorf("creating the state directory: %w", err)
	}
	fl := flock.New(filepath.Join(dir, profile+".lock"), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", fl.Path(), err)
	}
	if !ok {
		if notify != nil {
			notify()
		}
		lctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		ok, err = fl.TryLockContext(lctx, 25*time.Millisecond)
		if !ok {
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			return nil, fmt.Errorf("%w (waited %s for %s)", ErrLockTimeout, wait, fl.Path())
		}
		if err != nil {
			return nil, err
		}
	}
	return func() { _ = fl.Unlock() }, nil
}
