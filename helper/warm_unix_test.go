//go:build linux

package helper

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/authwrap/authwrap/flow"
)

// skewAuth answers every refresh with a new pair whose access token has
// no life left by this machine's clock: a clock far ahead of the
// server's, or a server that hands out a second.
type skewAuth struct {
	fakeAuth
	n    atomic.Int32
	life time.Duration
}

func (a *skewAuth) Refresh(context.Context, flow.Secret, flow.RefreshOptions) (*flow.Token, error) {
	n := a.n.Add(1)
	now := time.Now()
	iat := now.Add(-10 * time.Minute)
	if a.life > 0 {
		iat = now.Truncate(time.Second)
	}
	tok := &flow.Token{AccessToken: flow.Secret(fmt.Sprintf("at_%d", n)), RefreshToken: flow.Secret(fmt.Sprintf("rt_%d", n)),
		Expiry: iat.Add(a.life)}
	if a.life == 0 {
		tok.Expiry = now.Add(-5 * time.Minute)
	}
	tok.Claims.IssuedAt = iat
	return tok, nil
}

// TestKeepNoHotLoop: a keeper whose refreshes give tokens with no life
// left (already expired by this clock, or a second long) backs off
// instead of refreshing as fast as the server answers.
func TestKeepNoHotLoop(t *testing.T) {
	t.Parallel()
	// Tokens expired on arrival are failures (backing off from 5 s: one
	// refresh, perhaps two, in 4 s); a second-long token is one, but
	// never refreshed more than once a second.
	for name, c := range map[string]struct {
		life time.Duration
		most int32
	}{"expired on arrival": {0, 3}, "a second long": {time.Second, 5}} {
		life := c.life
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			profile := Profile{Name: "p", ClientID: "client_t", APIURL: "http://127.0.0.1:1"}
			store := memStore{}
			s := &Session{Profile: "p", Server: profile.Server(), ClientID: "client_t", AccessToken: "at_0", RefreshToken: "rt_0",
				Expiry: time.Now().Add(-time.Minute), Issued: time.Now().Add(-6 * time.Minute)}
			_ = store.Save(s)
			auth := &skewAuth{life: life}
			m := &Manager{Profile: profile, Store: store, Auth: auth, LockDir: t.TempDir(), KeepWarm: time.Hour}
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
			defer cancel()
			if err := m.Keep(ctx, 0); err != nil {
				t.Fatal(err)
			}
			if n := auth.n.Load(); n > c.most {
				t.Errorf("%d refreshes in 4 s, want at most %d", n, c.most)
			}
		})
	}
}

// TestStopKeeperSignalsOnlyAKeeper: logout signals the process a keeper
// file names only when the directory is the user's own and the process
// is this profile's keeper: not a process another user named there, nor
// one that got a dead keeper's number.
func TestStopKeeperSignalsOnlyAKeeper(t *testing.T) {
	t.Parallel()
	victim := exec.Command("sleep", "60")
	if err := victim.Start(); err != nil {
		t.Skip(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- victim.Wait() }()
	t.Cleanup(func() { _ = victim.Process.Kill(); <-ended })
	for name, mode := range map[string]os.FileMode{"the user's own directory": 0o700, "a directory others may write": 0o777} {
		dir := filepath.Join(t.TempDir(), "state")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "p.keeper"), []byte(fmt.Sprintf("%d 30m0s\n", victim.Process.Pid)), 0o600); err != nil {
			t.Fatal(err)
		}
		fl := flock.New(filepath.Join(dir, "p.keeper.lock"))
		if ok, err := fl.TryLock(); !ok || err != nil {
			t.Fatal(err)
		}
		m := &Manager{Profile: Profile{Name: "p"}, Store: memStore{}, LockDir: dir, KeepWarm: time.Hour}
		err := m.StopKeeper()
		_ = fl.Unlock()
		if err == nil {
			t.Errorf("%s: StopKeeper signalled process %d (sleep) and said nothing", name, victim.Process.Pid)
		}
		select {
		case err := <-ended:
			ended <- err
			t.Fatalf("%s: the sleep process named in the keeper file was signalled: %v", name, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// TestTouchFollowsNoLink: the use a cached read records never changes the
// times of a file a symbolic link in the lock directory points at.
func TestTouchFollowsNoLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(target, old, old); err != nil {
		t.Fatal(err)
	}
	lockDir := filepath.Join(dir, "state")
	if err := os.Mkdir(lockDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(lockDir, "p.used")); err != nil {
		t.Fatal(err)
	}
	profile := Profile{Name: "p", ClientID: "client_t", APIURL: "http://127.0.0.1:1"}
	store := memStore{}
	_ = store.Save(&Session{Profile: "p", Server: profile.Server(), ClientID: "client_t", AccessToken: "at", RefreshToken: "rt",
		Expiry: time.Now().Add(time.Hour)})
	m := &Manager{Profile: profile, Store: store, LockDir: lockDir, KeepWarm: time.Hour}
	if _, err := m.Token(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(target); err != nil || !fi.ModTime().Equal(old) {
		t.Errorf("a cached read touched the file the link names: %v, %v", fi.ModTime(), err)
	}
}
