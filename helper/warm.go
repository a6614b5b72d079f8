package helper

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/authwrap/authwrap/internal/fsutil"
)

// A keeper keeps a profile's session warm: a process of the program's own
// (started detached by Manager.StartKeeper) that runs Manager.Keep, which
// refreshes the access token at about three quarters of its life, under
// the profile's lock, for as long as the session is used; it ends by
// itself once KeepWarm has passed since the last use. Each Token records
// its use as the modification time of one file in the lock directory
// (one system call); nothing else is shared, and the keeper opens no
// socket or port.

// DefaultKeepWarm is the idle window of a keeper when a program sets
// none: it ends this long after the session was last used.
const DefaultKeepWarm = 30 * time.Minute

// ErrKeeperRunning means Keep found another keeper of the profile at work.
var ErrKeeperRunning = errors.New("a keeper already keeps this profile's session fresh")

// ErrKeepWarmOff means Keep was called with KeepWarm zero.
var ErrKeepWarmOff = errors.New("keeping the session warm is off (KeepWarm is zero)")

// Keeper timing.
const (
	// keeperLockWait is how long a new keeper tries the keeper lock: a
	// status that looks at the lock holds it for a moment.
	keeperLockWait = time.Second
	// keeperNap bounds each sleep, so that a keeper that slept through a
	// suspended laptop looks at the wall clock soon after it wakes.
	keeperNap = 30 * time.Second
	// keeperRetry is the least time between a keeper's failed refresh
	// and its next try.
	keeperRetry = 5 * time.Second
	// keeperMaxRetry bounds the wait between failed refreshes, which
	// doubles from keeperRetry.
	keeperMaxRetry = time.Minute
	// keeperMinGap is the least time between two refreshes of a keeper,
	// whatever the tokens say.
	keeperMinGap = time.Second
)

// usable reports whether a keeper's fresh token is one to keep: valid
// now by this machine's clock, and not due for its next refresh already.
func usable(s *Session, minTTL time.Duration) bool {
	return s.ValidFor(0) && refreshAt(s, minTTL).After(time.Now())
}

// KeeperState says whether a keeper keeps a profile's session fresh.
type KeeperState struct {
	// Running is true while a keeper holds the profile's keeper lock.
	Running bool
	// PID is the running keeper's process ID (0 when unknown).
	PID int
	// LastUse is when a Token call last used the session (zero when
	// none was recorded).
	LastUse time.Time
	// Until is when the running keeper ends unless the session is used
	// again: LastUse plus KeepWarm.
	Until time.Time
}

func (m *Manager) keeperPath(ext string) string {
	return filepath.Join(m.lockDir(), m.Profile.Name+ext)
}

// usedPath is the file whose modification time is the last use.
func (m *Manager) usedPath() string { return m.keeperPath(".used") }

// touchUsed records a use of the session: one utimensat on a file the
// keeper created; no file, no keeper, nothing to record.
func (m *Manager) touchUsed() {
	if m.KeepWarm > 0 {
		touchNoFollow(m.usedPath(), time.Now())
	}
}

// startKeeper records a use and asks for a keeper after this process had
// to refresh or sign in itself: one that already runs makes the new one
// end at once.
func (m *Manager) startKeeper() {
	if m.KeepWarm <= 0 || m.StartKeeper == nil {
		return
	}
	if err := m.markUsed(); err != nil {
		return
	}
	if err := m.StartKeeper(); err != nil {
		m.notify("could not start the process that keeps %s fresh: %v", m.Profile.Name, err)
	}
}

// markUsed records a use, creating the file when it is missing.
func (m *Manager) markUsed() error {
	if err := fsutil.PrivateDir(m.lockDir()); err != nil {
		return err
	}
	f, err := os.OpenFile(m.usedPath(), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	touchNoFollow(m.usedPath(), time.Now())
	return nil
}

// lastUse reads the time of the last use (zero when none).
func (m *Manager) lastUse() time.Time {
	fi, err := os.Lstat(m.usedPath())
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// Keep keeps the session fresh until it is idle: it refreshes the access
// token once about a quarter of its life is left (or minTTL, the least a
// caller asks of a token, with a margin, when that is more), and returns
// nil once KeepWarm has passed since the last use, the session is gone
// (logout) or has ended, or ctx is done. A failed refresh leaves the
// session as it was and is tried again later; the next caller refreshes
// itself as it would without a keeper. Only one keeper runs per profile:
// another one makes Keep return ErrKeeperRunning at once.
func (m *Manager) Keep(ctx context.Context, minTTL time.Duration) error {
	if m.KeepWarm <= 0 {
		return ErrKeepWarmOff
	}
	if err := fsutil.PrivateDir(m.lockDir()); err != nil {
		return fmt.Errorf("%w: creating %s: %w", ErrStateDir, m.lockDir(), err)
	}
	fl := flock.New(m.keeperPath(".keeper.lock"), flock.SetPermissions(0o600))
	lctx, cancel := context.WithTimeout(ctx, keeperLockWait)
	ok, err := fl.TryLockContext(lctx, 50*time.Millisecond)
	cancel()
	if !ok {
		if err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w: locking %s: %w", ErrStateDir, fl.Path(), err)
		}
		return ErrKeeperRunning
	}
	defer fl.Unlock()
	pidFile := m.keeperPath(".keeper")
	// "PID WINDOW": the window this keeper was started with, which a
	// status reports even where the setting has changed since.
	if err := fsutil.WriteAtomic(pidFile, []byte(fmt.Sprintf("%d %s\n", os.Getpid(), m.KeepWarm))); err != nil {
		return err
	}
	defer os.Remove(pidFile)
	if m.lastUse().IsZero() {
		if err := m.markUsed(); err != nil {
			return err
		}
	}
	var retryAt time.Time
	backoff := keeperRetry
	for {
		now := time.Now()
		idleAt := m.lastUse().Add(m.KeepWarm)
		if !now.Before(idleAt) {
			return nil
		}
		s, err := m.Load()
		var wake time.Time
		switch {
		case errors.Is(err, ErrNotSignedIn), err == nil && s.RefreshToken.IsZero():
			return nil // logged out, ended, or nothing to refresh with
		case err != nil: // the store could not be read: try again later
			wake = now.Add(backoff)
		default:
			wake = later(refreshAt(s, minTTL), retryAt)
		}
		if err == nil && !now.Before(wake) {
			// Ask for more than the token has left: Token refreshes it,
			// unless another process did so meanwhile.
			next, rerr := m.token(ctx, time.Until(s.Expiry)+time.Second, false)
			switch {
			case ctx.Err() != nil:
				return nil
			case errors.Is(rerr, ErrNotSignedIn):
				return nil
			case rerr != nil || next.AccessToken == s.AccessToken || !usable(next, minTTL):
				// Failed (the session is kept as it was), or a token with
				// no life left to keep (a clock far from the server's, a
				// server that hands out seconds): later, less often.
				retryAt, backoff = time.Now().Add(backoff), min(backoff*2, keeperMaxRetry)
			default:
				retryAt, backoff = time.Now().Add(keeperMinGap), keeperRetry
			}
			continue
		}
		nap := min(time.Until(earlier(wake, idleAt)), keeperNap)
		t := time.NewTimer(max(nap, 10*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// refreshAt is when a keeper refreshes s: with a quarter of its life
// left, or minTTL and a twentieth of its life, when that is more but
// still at most half the life. A minTTL the server's tokens cannot meet
// (callers refresh for themselves then, see Session.Fresh) does not make
// the keeper refresh any sooner than at three quarters.
func refreshAt(s *Session, minTTL time.Duration) time.Time {
	if s.Issued.IsZero() || s.Expiry.IsZero() || !s.Expiry.After(s.Issued) {
		return s.Expiry.Add(-minTTL)
	}
	life := s.Expiry.Sub(s.Issued)
	left := life / 4
	if need := minTTL + life/20; need > left && need <= life/2 {
		left = need
	}
	return s.Expiry.Add(-left)
}

// Keeper says whether a keeper runs for the profile, and until when.
func (m *Manager) Keeper() KeeperState {
	st := KeeperState{LastUse: m.lastUse()}
	// Only a directory no one else can write says anything: another
	// user's could name any process.
	if fsutil.CheckTrustedDir(m.lockDir()) != nil {
		return st
	}
	fl := flock.New(m.keeperPath(".keeper.lock"), flock.SetPermissions(0o600))
	if _, err := os.Stat(fl.Path()); err != nil {
		return st
	}
	ok, err := fl.TryLock()
	if err != nil {
		return st
	}
	if ok {
		_ = fl.Unlock()
		return st
	}
	st.Running = true
	window := m.KeepWarm
	if data, err := os.ReadFile(m.keeperPath(".keeper")); err == nil {
		f := strings.Fields(string(data))
		if len(f) > 0 {
			st.PID, _ = strconv.Atoi(f[0])
		}
		if len(f) > 1 {
			if d, err := time.ParseDuration(f[1]); err == nil && d > 0 {
				window = d
			}
		}
	}
	if !st.LastUse.IsZero() && window > 0 {
		st.Until = st.LastUse.Add(window)
	}
	return st
}

// StopKeeper ends the profile's keeper, if one runs, and waits (a few
// seconds at most) until it has: logout calls it, so that no process
// refreshes a session that was deleted.
func (m *Manager) StopKeeper() error {
	if err := fsutil.CheckTrustedDir(m.lockDir()); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("not stopping the keeper of %s: %w", m.Profile.Name, err)
	}
	st := m.Keeper()
	if !st.Running {
		return nil
	}
	if st.PID <= 0 || st.PID == os.Getpid() {
		return fmt.Errorf("a keeper runs for %s, but its process ID is unknown", m.Profile.Name)
	}
	// The file names a process; only the keeper of this profile, of this
	// user, is signalled (a keeper killed outright leaves its file, and
	// the number may belong to another process by now).
	if !isKeeper(st.PID, m.Profile.Name) {
		return fmt.Errorf("process %d, named as the keeper of %s, is not one: left alone", st.PID, m.Profile.Name)
	}
	if err := stopProcess(st.PID); err != nil {
		return fmt.Errorf("stopping the keeper of %s (process %d): %w", m.Profile.Name, st.PID, err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !m.Keeper().Running {
			return nil
		}
	}
	return fmt.Errorf("the keeper of %s (process %d) did not end", m.Profile.Name, st.PID)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
