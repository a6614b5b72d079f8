package helper

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// TestFileRingReplacesWhole: readers racing a writer always see a whole
// session, the passphrase is asked once, and no staging directory is
// left or listed. The keyring library's own file backend truncates and
// then writes, so a reader could see a cut file. The readers use a store
// of their own on the same directory, as another process would.
func TestFileRingReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	var asked atomic.Int32
	ks, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: dir, Passphrase: func(string) (string, error) {
		asked.Add(1)
		return "pw", nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: dir, Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	s := testSession("p")
	// Larger than one read() so that a torn file is likely to be seen.
	s.AccessToken = s.AccessToken + s.AccessToken
	if err := ks.Save(s); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var reads, bad atomic.Int32
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := other.Load("p"); err != nil {
					bad.Add(1)
					t.Errorf("Load during a save: %v", err)
					return
				}
				reads.Add(1)
			}
		}()
	}
	for range 40 {
		if err := ks.Save(s); err != nil {
			t.Error(err)
			break
		}
	}
	close(stop)
	wg.Wait()
	if reads.Load() == 0 {
		t.Fatal("no read ran alongside the saves")
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("passphrase asked %d times, want 1", n)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), stagingPrefix) {
			t.Errorf("staging left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
	// Windows has no mode bits: the profile directory's ACL keeps others out.
	if fi, err := os.Stat(filepath.Join(dir, "session.p")); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("session file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	// A staging directory left by a crash is not a key.
	if err := os.Mkdir(filepath.Join(dir, stagingPrefix+"123"), 0o700); err != nil {
		t.Fatal(err)
	}
	keys, err := ks.ring.Keys()
	if err != nil || len(keys) != 1 || keys[0] != "session.p" {
		t.Errorf("Keys() = %q, %v; want [session.p]", keys, err)
	}
}

// TestManagerConcurrentGoroutines: one Manager, its store on the file
// keyring, 16 goroutines asking for a token at once when it has expired:
// one refresh between them, one token for all (run it with -race).
func TestManagerConcurrentGoroutines(t *testing.T) {
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond})
	defer srv.Close()
	store, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: t.TempDir(), Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{App: "authwrap-goroutines", Profile: Profile{ClientID: srv.Config.ClientID, APIURL: srv.URL},
		Store: store, StateDir: t.TempDir(), Prompter: PromptFunc(func(context.Context, SignIn) func(error) { return func(error) {} })})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := m.Login(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Invalidate(ctx, s.AccessToken); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	tokens := make([]string, 16)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := m.Token(ctx, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = got.AccessToken.Reveal()
		}()
	}
	wg.Wait()
	if n := srv.Requests(authkittest.Refresh); n != 1 {
		t.Errorf("%d refresh requests, want 1", n)
	}
	for _, tok := range tokens {
		if tok != tokens[0] || tok == s.AccessToken.Reveal() {
			t.Fatal("the goroutines did not all get the one refreshed token")
		}
	}
}
