package helper

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

func TestRefreshAt(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		life, minTTL, want time.Duration // want: after issue
	}{
		{5 * time.Minute, time.Minute, 225 * time.Second},                   // a quarter left (75 s = 1 min + 15 s)
		{5 * time.Minute, 2 * time.Minute, 5*time.Minute - 135*time.Second}, // min_ttl and a twentieth
		{5 * time.Second, time.Second, 3750 * time.Millisecond},             // compressed: the same shape
		{5 * time.Minute, 10 * time.Minute, 225 * time.Second},              // unmeetable: at three quarters
		{20 * time.Second, time.Minute, 15 * time.Second},                   // the same: no refresh every 2 s
		{5 * time.Minute, 140 * time.Second, 225 * time.Second},             // more than half the life: three quarters
	} {
		s := &Session{Issued: at, Expiry: at.Add(c.life)}
		if got := refreshAt(s, c.minTTL).Sub(at); got != c.want {
			t.Errorf("life %s, min %s: refresh %s after issue, want %s", c.life, c.minTTL, got, c.want)
		}
	}
	// No issue time: minTTL before the expiry.
	s := &Session{Expiry: at}
	if got := refreshAt(s, time.Minute); !got.Equal(at.Add(-time.Minute)) {
		t.Errorf("without iat: %s", got)
	}
}

// TestKeep: a library's keeper in-process: it refreshes ahead of use,
// a second keeper of the profile gives way, a use extends the idle
// window, and it returns once the window passes, refreshing no more.
func TestKeep(t *testing.T) {
	t.Parallel()
	const life = 3 * time.Second
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond, AccessTokenTTL: life})
	defer srv.Close()
	var started atomic.Int32
	store, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: t.TempDir(), Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{App: "authwrap-keep", Profile: Profile{ClientID: srv.Config.ClientID, APIURL: srv.URL},
		Store: store, StateDir: t.TempDir(), NoPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	m.KeepWarm = 4 * time.Second
	m.StartKeeper = func() error { started.Add(1); return nil }
	ctx := context.Background()
	if _, err := m.Login(ctx); err != nil {
		t.Fatal(err)
	}
	if started.Load() != 1 {
		t.Errorf("Login started %d keepers, want 1", started.Load())
	}
	done := make(chan error, 1)
	begin := time.Now()
	go func() { done <- m.Keep(ctx, 500*time.Millisecond) }()
	time.Sleep(100 * time.Millisecond)
	if err := m.Keep(ctx, 0); !errors.Is(err, ErrKeeperRunning) {
		t.Errorf("a second keeper: %v, want ErrKeeperRunning", err)
	}
	if k := m.Keeper(); !k.Running || k.Until.IsZero() {
		t.Errorf("Keeper() = %+v while one runs", k)
	}
	// A use at 2.5 s moves the window's end to 6.5 s.
	time.Sleep(2400 * time.Millisecond)
	if _, err := m.Token(ctx, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the keeper did not end 4s after the last use")
	}
	if took := time.Since(begin); took < 6*time.Second {
		t.Errorf("the keeper ended %s after it started; the use at 2.5s should have kept it to about 6.5s", took.Round(100*time.Millisecond))
	}
	refreshed := srv.Requests(authkittest.Refresh)
	if refreshed < 2 {
		t.Errorf("%d refreshes in about 6.5s of 3s tokens, want the keeper's (at least 2)", refreshed)
	}
	if started.Load() != 1 {
		t.Errorf("the caller's Token started a keeper (%d) although the token was fresh", started.Load())
	}
	if k := m.Keeper(); k.Running {
		t.Errorf("Keeper() = %+v after it ended", k)
	}
	time.Sleep(life)
	if n := srv.Requests(authkittest.Refresh); n != refreshed {
		t.Errorf("%d refreshes after the keeper ended", n-refreshed)
	}
	m.KeepWarm = 0
	if err := m.Keep(ctx, 0); !errors.Is(err, ErrKeepWarmOff) {
		t.Errorf("Keep with KeepWarm 0: %v", err)
	}
}

func TestKeeperArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"authwrap", "keep-warm", "--profile", "work", "--api-url=x"}, true},
		{[]string{"/usr/bin/authwrap", "keep-warm", "--profile=work"}, true},
		{[]string{"authwrap", "keep-warm", "--profile", "other"}, false},
		{[]string{"sleep", "1000"}, false},
		{[]string{"authwrap", "token", "--profile", "work"}, false},
		{[]string{"authwrap", "keep-warm", "--profile"}, false},
	} {
		if got := keeperArgs(c.args, "work"); got != c.want {
			t.Errorf("%q: %v, want %v", c.args, got, c.want)
		}
	}
}
