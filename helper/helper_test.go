package helper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/internal/safetext"
	"github.com/authwrap/authwrap/internal/term"
	"github.com/authwrap/authwrap/internal/testkeys"
)

func testSession(profile string) *Session {
	return &Session{Profile: profile, Server: "http://127.0.0.1:1", ClientID: "client_t",
		AccessToken: flow.Secret(strings.Repeat("a", 900)), RefreshToken: "rt_1",
		Expiry: time.Now().Add(time.Hour).Truncate(time.Second), Email: "a@b.c", Updated: time.Now().Truncate(time.Second)}
}

// storeRoundTrip saves, loads, corrupts and deletes a session.
func storeRoundTrip(t *testing.T, ks *KeyringStore) {
	t.Helper()
	profile := "test-" + strings.ReplaceAll(t.Name(), "/", "-")
	t.Cleanup(func() { _ = ks.Delete(profile) })
	if _, err := ks.Load(profile); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Load of nothing: %v", err)
	}
	s := testSession(profile)
	if err := ks.Save(s); err != nil {
		t.Fatal(err)
	}
	got, err := ks.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != s.AccessToken || got.RefreshToken != s.RefreshToken || !got.Expiry.Equal(s.Expiry) || got.Email != s.Email {
		t.Errorf("round trip changed the session: %+v", got)
	}
	data, _ := encodeSession(s)
	if len(data) > 2560 {
		t.Errorf("stored item is %d bytes, over the 2560 Windows limit", len(data))
	}
	for _, bad := range []string{`{"v":1,"p":"` + profile, `{"v":9,"p":"` + profile + `","at":"x"}`, `hunter2`, `{"v":1,"p":"other","at":"x"}`} {
		if err := ks.ring.Set(keyring.Item{Key: itemKey(profile), Data: []byte(bad)}); err != nil {
			t.Fatal(err)
		}
		_, err := ks.Load(profile)
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Profile != profile || !strings.Contains(err.Error(), "unreadable") {
			t.Errorf("Load(%.20q) = %v, want a CorruptError naming the profile", bad, err)
		}
	}
	if err := ks.Delete(profile); err != nil {
		t.Fatal(err)
	}
	if err := ks.Delete(profile); err != nil {
		t.Errorf("deleting nothing: %v", err)
	}
}

func TestFileStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keyring")
	ks, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: dir, Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	storeRoundTrip(t, ks)
	fi, err := os.Stat(dir)
	if err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700) {
		t.Errorf("file keyring dir mode = %v, %v; want 0700", fi.Mode().Perm(), err)
	}
}

// TestSplitSession stores a session too large for one Windows credential:
// it is split, read back whole, and every part is removed with it.
func TestSplitSession(t *testing.T) {
	ks, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: t.TempDir(), Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	s := testSession("big")
	s.AccessToken = flow.Secret(strings.Repeat("b", 6000))
	for range 2 { // the second save replaces the first one's parts
		if err := ks.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	keys, _ := ks.ring.Keys()
	if len(keys) != 4 {
		t.Errorf("keys after two saves = %v, want the index and 3 parts", keys)
	}
	for _, k := range keys {
		it, _ := ks.ring.Get(k)
		if len(it.Data) > 2560 {
			t.Errorf("item %s is %d bytes", k, len(it.Data))
		}
	}
	got, err := ks.Load("big")
	if err != nil || got.AccessToken != s.AccessToken {
		t.Fatalf("Load = %v; token intact = %v", err, err == nil && got.AccessToken == s.AccessToken)
	}
	small := testSession("big")
	if err := ks.Save(small); err != nil {
		t.Fatal(err)
	}
	if keys, _ := ks.ring.Keys(); len(keys) != 1 {
		t.Errorf("keys after a small save = %v, want one", keys)
	}
	if err := ks.Save(s); err != nil {
		t.Fatal(err)
	}
	if err := ks.Delete("big"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := ks.ring.Keys(); len(keys) != 0 {
		t.Errorf("keys after Delete = %v, want none", keys)
	}
}

// TestSessionBounds: a session over the split limit is refused whole
// (the stored one is kept, no part is written), and Delete removes every
// item of a profile even when its index is unreadable or gone, leaving
// other profiles' items alone (profile names may hold dots).
func TestSessionBounds(t *testing.T) {
	ks, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: t.TempDir(), Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	keep := testSession("p")
	if err := ks.Save(keep); err != nil {
		t.Fatal(err)
	}
	huge := testSession("p")
	huge.AccessToken = flow.Secret(strings.Repeat("h", maxSessionBytes))
	if err := ks.Save(huge); !errors.Is(err, ErrSessionTooLarge) {
		t.Fatalf("saving %d bytes: %v, want ErrSessionTooLarge", maxSessionBytes, err)
	}
	if keys, _ := ks.ring.Keys(); len(keys) != 1 {
		t.Errorf("keys after a refused save = %v, want the one stored before", keys)
	}
	if got, err := ks.Load("p"); err != nil || got.AccessToken != keep.AccessToken {
		t.Errorf("the stored session did not survive a refused save: %v", err)
	}
	// Just under the bound: stored as parts and read back.
	big := testSession("p")
	big.AccessToken = flow.Secret(strings.Repeat("b", maxSessionBytes-600))
	if err := ks.Save(big); err != nil {
		t.Fatalf("a session within the bound: %v", err)
	}
	if got, err := ks.Load("p"); err != nil || got.AccessToken != big.AccessToken {
		t.Fatalf("a session within the bound does not read back: %v", err)
	}
	other := testSession("p.x.1") // a profile whose key looks like a part
	if err := ks.Save(other); err != nil {
		t.Fatal(err)
	}
	for name, breakIndex := range map[string]func(){
		"index unreadable": func() { _ = ks.ring.Set(keyring.Item{Key: itemKey("p"), Data: []byte("garbage")}) },
		"index gone":       func() { _ = ks.ring.Remove(itemKey("p")) },
	} {
		if err := ks.Save(big); err != nil {
			t.Fatal(err)
		}
		breakIndex()
		if err := ks.Delete("p"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		keys, _ := ks.ring.Keys()
		if len(keys) != 1 || keys[0] != itemKey("p.x.1") {
			t.Errorf("%s: keys after Delete = %v, want only the other profile's", name, keys)
		}
	}
}

// TestAppsAreSeparate: two programs (Apps) never see each other's
// sessions, on the shared user keyring above all.
func TestAppsAreSeparate(t *testing.T) {
	backends := []string{"file"}
	if _, err := OpenStore(StoreOptions{App: "authwrap", Backend: "keyctl"}); err == nil || requireKeyctl() {
		backends = append(backends, "keyctl")
	}
	dataHome := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dataHome)
	t.Setenv("AUTHWRAP_FILE_DIR", "")
	pass := func(string) (string, error) { return "pw", nil }
	appOne, appTwo := fmt.Sprintf("authwrap-test-%d-one", os.Getpid()), fmt.Sprintf("authwrap-test-%d-two", os.Getpid())
	t.Cleanup(testkeys.Forget(appOne, appTwo))
	for _, b := range backends {
		one, err := OpenStore(StoreOptions{App: appOne, Backend: b, Passphrase: pass})
		if err != nil {
			t.Fatal(err)
		}
		two, err := OpenStore(StoreOptions{App: appTwo, Backend: b, Passphrase: pass})
		if err != nil {
			t.Fatal(err)
		}
		s := testSession("shared-name")
		if err := one.Save(s); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = one.Delete("shared-name") })
		if _, err := two.Load("shared-name"); !errors.Is(err, ErrNoSession) {
			t.Errorf("%s: app two reads app one's session: %v", b, err)
		}
		if err := two.Delete("shared-name"); err != nil {
			t.Fatal(err)
		}
		if _, err := one.Load("shared-name"); err != nil {
			t.Errorf("%s: deleting in app two removed app one's session: %v", b, err)
		}
	}
}

// requireKeyctl: CI sets AUTHWRAP_REQUIRE_KEYCTL=1 so that a broken keyctl
// fails the tests; the kernel keyring exists only on Linux.
func requireKeyctl() bool {
	return os.Getenv("AUTHWRAP_REQUIRE_KEYCTL") == "1" && runtime.GOOS == "linux"
}

// TestKeyctlStore runs in a keyring of its own, which it leaves
// nowhere: the user keyring is the user's real one.
func TestKeyctlStore(t *testing.T) {
	app := fmt.Sprintf("authwrap-test-%d", os.Getpid())
	forget := testkeys.Forget(app)
	t.Cleanup(forget)
	ks, err := OpenStore(StoreOptions{App: app, Backend: "keyctl"})
	if err != nil {
		if requireKeyctl() {
			t.Fatal(err)
		}
		t.Skipf("keyctl unavailable here: %v", err)
	}
	storeRoundTrip(t, ks)
	if !testkeys.Exists(app) {
		t.Fatalf("the test's keyring %s is not where Forget looks", app)
	}
	forget()
	if testkeys.Exists(app) {
		t.Errorf("the test's keyring %s is left in the user keyring", app)
	}
}

func TestFilePassphraseNeedsTerminalOrEnv(t *testing.T) {
	t.Setenv("AUTHWRAP_FILE_PASSPHRASE", "")
	if c, err := term.OpenConsole(); err == nil {
		c.Close()
		t.Skip("a terminal is present")
	}
	if _, err := filePassphrase(defaultApp, "x"); !errors.Is(err, ErrNoPassphrase) {
		t.Fatalf("err = %v, want ErrNoPassphrase", err)
	}
}

// memStore is a Store in memory.
type memStore map[string]*Session

func (m memStore) Load(p string) (*Session, error) {
	if s, ok := m[p]; ok {
		c := *s
		return &c, nil
	}
	return nil, ErrNoSession
}
func (m memStore) Save(s *Session) error { c := *s; m[s.Profile] = &c; return nil }
func (m memStore) Delete(p string) error { delete(m, p); return nil }

// fakeAuth answers refreshes with a scripted error or a new token.
type fakeAuth struct {
	refreshErr error
	refreshes  int
}

func (f *fakeAuth) Start(context.Context) (*flow.DeviceAuth, error) {
	return nil, errors.New("no sign-in in this test")
}
func (f *fakeAuth) Poll(context.Context, *flow.DeviceAuth) (*flow.Token, error) {
	return nil, errors.New("no sign-in in this test")
}
func (f *fakeAuth) Refresh(_ context.Context, rt flow.Secret, _ flow.RefreshOptions) (*flow.Token, error) {
	f.refreshes++
	if f.refreshErr != nil {
		return nil, f.refreshErr
	}
	return &flow.Token{AccessToken: "at_new", RefreshToken: "rt_new", Expiry: time.Now().Add(time.Hour)}, nil
}

func TestManagerToken(t *testing.T) {
	profile := Profile{Name: "p", ClientID: "client_t", APIURL: "http://127.0.0.1:1"}
	transient := &flow.Error{Code: "", StatusCode: 503}
	ended := &flow.Error{Code: "invalid_grant", StatusCode: 400}
	cases := []struct {
		name       string
		expiresIn  time.Duration
		refreshErr error
		wantToken  string
		wantErr    error
		kept       bool
		refreshes  int
	}{
		{"fresh: no refresh", time.Hour, nil, "at_old", nil, true, 0},
		{"near expiry: refresh and save", 10 * time.Second, nil, "at_new", nil, true, 1},
		{"transient, still valid: old token", 10 * time.Second, transient, "at_old", nil, true, refreshAttempts},
		{"transient, expired: error, session kept", -time.Minute, transient, "", flow.ErrTransient, true, refreshAttempts},
		{"invalid_grant: session ends", -time.Minute, ended, "", ErrNotSignedIn, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := memStore{}
			s := testSession("p")
			s.Server, s.ClientID, s.AccessToken, s.Expiry = profile.Server(), profile.ClientID, "at_old", time.Now().Add(tc.expiresIn)
			_ = store.Save(s)
			fa := &fakeAuth{refreshErr: tc.refreshErr}
			m := &Manager{Profile: profile, Store: store, Auth: fa, LockDir: t.TempDir()}
			got, err := m.Token(context.Background(), 30*time.Second)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			} else if err != nil || got.AccessToken.Reveal() != tc.wantToken {
				t.Fatalf("Token = %v, %v; want %s", got, err, tc.wantToken)
			}
			if _, ok := store["p"]; ok != tc.kept {
				t.Errorf("session kept = %v, want %v", ok, tc.kept)
			}
			if fa.refreshes != tc.refreshes {
				t.Errorf("refreshes = %d, want %d", fa.refreshes, tc.refreshes)
			}
			if tc.refreshes == 1 && tc.refreshErr == nil && store["p"].RefreshToken.Reveal() != "rt_new" {
				t.Error("the rotated refresh token was not saved")
			}
		})
	}
}

func TestSessionFresh(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name           string
		issued, expiry time.Duration // relative to now
		minTTL         time.Duration
		want           bool
	}{
		{"valid for min-ttl", -time.Minute, 4 * time.Minute, 30 * time.Second, true},
		{"too close to expiry", -4 * time.Minute, 20 * time.Second, 30 * time.Second, false},
		{"min-ttl beyond lifetime, just issued", -time.Second, 5*time.Minute - time.Second, 10 * time.Minute, true},
		{"min-ttl beyond lifetime, a minute old", -time.Minute, 4 * time.Minute, 10 * time.Minute, false},
		{"expired", -6 * time.Minute, -time.Minute, 0, false},
	}
	for _, tc := range cases {
		s := &Session{AccessToken: "at", Issued: now.Add(tc.issued), Expiry: now.Add(tc.expiry)}
		if got := s.Fresh(tc.minTTL); got != tc.want {
			t.Errorf("%s: Fresh = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestManagerForeignSession(t *testing.T) {
	store := memStore{}
	s := testSession("p")
	s.ClientID = "client_other"
	_ = store.Save(s)
	m := &Manager{Profile: Profile{Name: "p", ClientID: "client_t", APIURL: "http://127.0.0.1:1"}, Store: store, LockDir: t.TempDir()}
	_, err := m.Token(context.Background(), 0)
	if !errors.Is(err, ErrNotSignedIn) || !strings.Contains(err.Error(), "client_other") {
		t.Fatalf("err = %v, want not signed in naming the other client", err)
	}
}

func TestLockTimeout(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockProfile(context.Background(), lockWait{dir: dir, profile: "p", max: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	notified := false
	_, err = lockProfile(context.Background(), lockWait{dir: dir, profile: "p", max: 1200 * time.Millisecond,
		notify: func() { notified = true }})
	if !errors.Is(err, ErrLockTimeout) || !notified {
		t.Fatalf("err = %v notified = %v, want ErrLockTimeout after a notice", err, notified)
	}
	calls := 0
	_, err = lockProfile(context.Background(), lockWait{dir: dir, profile: "p", max: time.Minute,
		satisfied: func() bool { calls++; return calls == 3 }})
	if !errors.Is(err, errSatisfied) || calls != 3 {
		t.Fatalf("err = %v after %d checks, want errSatisfied after 3", err, calls)
	}
	fi, err := os.Stat(filepath.Join(dir, "p.lock"))
	if err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("lock file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestInert(t *testing.T) {
	for in, want := range map[string]string{
		"BCDF-GHJK":         "BCDF-GHJK",
		"AB\x1b[2JCD":       `AB\x1b[2JCD`,
		"line\nbreak\r":     `line\x0abreak\x0d`,
		"rtl\u202eoverride": `rtl\x202eoverride`,
	} {
		if got := safetext.Inert(in); got != want {
			t.Errorf("safetext.Inert(%q) = %q, want %q", in, got, want)
		}
	}
}

// denyPrompter is a Prompter that shows nothing; fakeAuth's sign-in fails.
type denyPrompter struct{ prompts int }

func (d *denyPrompter) Prompt(context.Context, SignIn) func(error) {
	d.prompts++
	return func(error) {}
}

// TestPromptCooldown: after a failed sign-in on demand, the next callers
// within the cooldown fail at once instead of prompting again.
func TestPromptCooldown(t *testing.T) {
	dir := t.TempDir()
	dp := &denyPrompter{}
	m := &Manager{Profile: Profile{Name: "p", ClientID: "c", APIURL: "http://127.0.0.1:1"}, Store: memStore{},
		Auth: &deviceAuth{}, Prompter: dp, LockDir: dir, PromptCooldown: time.Minute}
	for i := range 3 {
		_, err := m.Token(context.Background(), 0)
		if err == nil {
			t.Fatal("sign-in succeeded")
		}
		if i > 0 && !strings.Contains(err.Error(), "a sign-in failed moments ago") {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if dp.prompts != 1 {
		t.Errorf("prompts = %d, want 1", dp.prompts)
	}
}

// deviceAuth starts sign-ins that the person then denies.
type deviceAuth struct{ fakeAuth }

func (d *deviceAuth) Start(context.Context) (*flow.DeviceAuth, error) {
	return &flow.DeviceAuth{UserCode: "ABCD-EFGH", VerificationURI: "https://x/device", Expiry: time.Now().Add(time.Minute)}, nil
}
func (d *deviceAuth) Poll(context.Context, *flow.DeviceAuth) (*flow.Token, error) {
	return nil, flow.ErrAccessDenied
}

// blockingAuth's refresh waits until the context ends.
type blockingAuth struct{ fakeAuth }

func (b *blockingAuth) Refresh(ctx context.Context, _ flow.Secret, _ flow.RefreshOptions) (*flow.Token, error) {
	<-ctx.Done()
	return nil, context.Cause(ctx)
}

// TestTokenInterrupted: cancelling during a refresh ends Token with the
// cause, rather than falling back to the old, still valid token.
func TestTokenInterrupted(t *testing.T) {
	store := memStore{}
	s := testSession("p")
	profile := Profile{Name: "p", ClientID: "client_t", APIURL: "http://127.0.0.1:1"}
	s.Server, s.ClientID, s.Expiry = profile.Server(), profile.ClientID, time.Now().Add(10*time.Second)
	_ = store.Save(s)
	m := &Manager{Profile: profile, Store: store, Auth: &blockingAuth{}, LockDir: t.TempDir()}
	stop := errors.New("interrupted")
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel(stop) }()
	got, err := m.Token(ctx, time.Minute)
	if !errors.Is(err, stop) || got != nil {
		t.Fatalf("Token = %v, %v; want the interruption", got, err)
	}
	if _, ok := store["p"]; !ok {
		t.Error("the session must be kept")
	}
}

// pendingAuth's sign-in waits for release before the person "approves".
type pendingAuth struct {
	fakeAuth
	prompted chan struct{}
	release  chan struct{}
}

func (p *pendingAuth) Start(context.Context) (*flow.DeviceAuth, error) {
	return &flow.DeviceAuth{UserCode: "ABCD-EFGH", VerificationURI: "https://x/device", Expiry: time.Now().Add(time.Minute)}, nil
}
func (p *pendingAuth) Poll(ctx context.Context, _ *flow.DeviceAuth) (*flow.Token, error) {
	close(p.prompted)
	select {
	case <-p.release:
		return &flow.Token{AccessToken: "at_signed_in", RefreshToken: "rt_1", Expiry: time.Now().Add(time.Hour)}, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// TestWaitsBehindASignIn: while one process waits for a person to
// approve its sign-in, a caller that cannot sign in itself (no Prompter:
// no terminal, CI, AUTHWRAP_NO_PROMPT) fails as not signed in instead of
// waiting for that person; and logout, which changes the state, waits
// for the lock, then sees and deletes the session the sign-in stored.
func TestWaitsBehindASignIn(t *testing.T) {
	store, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: t.TempDir(), Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	profile := Profile{Name: "p", ClientID: "client_t", APIURL: "http://127.0.0.1:1"}
	dir := t.TempDir()
	pa := &pendingAuth{prompted: make(chan struct{}), release: make(chan struct{})}
	signer := &Manager{Profile: profile, Store: store, Auth: pa, Prompter: &denyPrompter{}, LockDir: dir}
	signedIn := make(chan error, 1)
	go func() { _, err := signer.Token(context.Background(), 0); signedIn <- err }()
	<-pa.prompted

	script := &Manager{Profile: profile, Store: store, Auth: &fakeAuth{}, LockDir: dir}
	_, err = script.Token(context.Background(), 0)
	var nse *NotSignedInError
	if !errors.As(err, &nse) || !strings.Contains(nse.Reason, "another process is waiting for its sign-in") {
		t.Fatalf("a caller with no prompt behind a pending sign-in: %v", err)
	}

	// Logout's view of the store says when it is first read; its notice
	// says when it is waiting for the lock. Whichever comes first tells
	// whether logout looked before it had the lock.
	read, waiting := make(chan struct{}), make(chan struct{})
	var readOnce, waitOnce sync.Once
	logout := &Manager{Profile: profile, Store: &spyStore{Store: store, onLoad: func() { readOnce.Do(func() { close(read) }) }},
		Auth: &fakeAuth{}, LockDir: dir, Notify: func(string) { waitOnce.Do(func() { close(waiting) }) }}
	type result struct {
		existed bool
		err     error
	}
	loggedOut := make(chan result, 1)
	go func() { e, err := logout.DeleteSession(context.Background()); loggedOut <- result{e, err} }()
	select {
	case <-waiting:
	case <-read:
		t.Fatal("logout read the store while the sign-in held the lock")
	}
	close(pa.release)
	if err := <-signedIn; err != nil {
		t.Fatal(err)
	}
	r := <-loggedOut
	if r.err != nil || !r.existed {
		t.Errorf("logout after the sign-in: existed=%v err=%v; want it to find and delete the new session", r.existed, r.err)
	}
	if _, err := store.Load("p"); !errors.Is(err, ErrNoSession) {
		t.Errorf("the session is still stored after logout: %v", err)
	}
	if fileExists(signer.signInMarker()) {
		t.Error("the sign-in marker is left behind")
	}
}

// spyStore calls onLoad on every Load of the Store it wraps.
type spyStore struct {
	Store
	onLoad func()
}

func (s *spyStore) Load(profile string) (*Session, error) {
	s.onLoad()
	return s.Store.Load(profile)
}

// TestRecordDecodesAsReflection holds the stored record's own decoder to
// what json.Unmarshal into the same fields by reflection gives.
func TestRecordDecodesAsReflection(t *testing.T) {
	type plain record // the same fields, without the UnmarshalJSON method
	exp := time.Date(2026, 11, 29, 22, 0, 0, 123456789, time.UTC)
	full, err := encodeSession(&Session{
		Profile: "p", Server: "https://s.example", ClientID: "c", AccessToken: "a\"\\\u00e9\n",
		RefreshToken: "r", Expiry: exp, Issued: exp.Add(-time.Hour), UserID: "u", Email: "e@example.com",
		OrganizationID: "o", OrganizationName: "Ö Corp", SessionID: "s", Updated: exp.Add(-time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		string(full),
		`{"v":1,"p":"p","at":"a","extra":{"x":[1,2,{"y":null}]},"more":[],"n":-1.5e3}`,
		`{"v":1,"p":"p","at":"a","rt":null,"exp":null}`,
		`{"v":null,"p":"p","at":"a"}`,
		` { "v" : 1 , "p" : "\u0070" , "at" : "a\ud83d\ude00" } `,
		`{"V":1,"P":"p","AT":"a","\u017fid":"s","Orgn":"o","p":"q"}`,
		`{"v":2,"p":"p","at":"a"}`,
	} {
		var got record
		var want plain
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("%s: reflection: %v", in, err)
		}
		if !reflect.DeepEqual(got, record(want)) {
			t.Errorf("%s:\n got %+v\nwant %+v", in, got, want)
		}
	}
	// What json.Unmarshal refuses, the record's decoder refuses too.
	for _, in := range []string{
		``, `[]`, `"x"`, `{"v":"1"}`, `{"v":1.5}`, `{"p":1}`, `{"exp":"yesterday"}`, `{"at":"a"`, `{"at":"a"} {}`, `{"at":"a",}`,
	} {
		var got record
		var want plain
		errGot := json.Unmarshal([]byte(in), &got)
		errWant := json.Unmarshal([]byte(in), &want)
		if errGot == nil || (errWant == nil) != (errGot == nil) {
			t.Errorf("%q: error %v, reflection's %v", in, errGot, errWant)
		}
	}
}

// FuzzRecordDecode: for any input, the record's own decoder and
// json.Unmarshal by reflection agree: both fail, or both give the same
// record.
func FuzzRecordDecode(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"p":"p","srv":"https://s.example","cid":"c","at":"a","rt":"r","exp":"2026-11-29T22:00:00Z","iat":"2026-11-29T21:00:00.5+01:00","uid":"u","em":"e","org":"o","orgn":"n","sid":"s","upd":"2026-11-29T21:59:00Z"}`,
		`{"v":1,"p":"p","at":"a","extra":{"x":[1,2,{"y":null}]},"rt":null}`,
		`{"V":1,"AT":"a","\u017fid":"s","at":"b"}`,
		`{"v":1e0}`, `{"v":-0}`, `{"v":null,"p":null}`, `{"exp":""}`, `{"at":"\ud800"}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	type plain record
	f.Fuzz(func(t *testing.T, data []byte) {
		var got record
		var want plain
		errGot := json.Unmarshal(data, &got)
		errWant := json.Unmarshal(data, &want)
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("%q: error %v, reflection's %v", data, errGot, errWant)
		}
		if errGot == nil && !reflect.DeepEqual(got, record(want)) {
			t.Fatalf("%q:\n got %+v\nwant %+v", data, got, want)
		}
	})
}

// TestRecordFieldsAreTheTags: the record's own decoder knows each field
// by the key its struct tag gives it, and knows every field.
func TestRecordFieldsAreTheTags(t *testing.T) {
	var r record
	byAddr := map[uintptr]string{}
	for _, f := range r.fields() {
		var p uintptr
		switch {
		case f.num != nil:
			p = reflect.ValueOf(f.num).Pointer()
		case f.str != nil:
			p = reflect.ValueOf(f.str).Pointer()
		default:
			p = reflect.ValueOf(f.tm).Pointer()
		}
		byAddr[p] = f.key
	}
	v := reflect.ValueOf(&r).Elem()
	for i := range v.NumField() {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if got := byAddr[v.Field(i).Addr().Pointer()]; got != tag {
			t.Errorf("field %s: decoded as %q, tagged %q", v.Type().Field(i).Name, got, tag)
		}
	}
	if len(byAddr) != v.NumField() {
		t.Errorf("%d fields decoded, the record has %d", len(byAddr), v.NumField())
	}
}

// TestNewNeedsAnApp: a program never wears another's name by omission
// (New and OpenStore refuse an empty App), and New takes only the
// variable it documents out of the environment: the program's own
// MYCLI_CLIENT_SECRET is left for it to read.
func TestNewNeedsAnApp(t *testing.T) {
	store, err := OpenStore(StoreOptions{App: "mycli", Backend: "file", FileDir: t.TempDir(), Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Profile: Profile{ClientID: "client_x"}, Store: store, StateDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "Options.App") {
		t.Errorf("New without an App: %v, want an error naming Options.App", err)
	}
	if _, err := OpenStore(StoreOptions{Backend: "file", FileDir: t.TempDir()}); err == nil {
		t.Error("OpenStore without an App: no error")
	}
	t.Setenv("MYCLI_CLIENT_SECRET", "sk_mine")
	t.Setenv("MYCLI_FILE_PASSPHRASE", "pw")
	if _, err := New(Options{App: "mycli", Profile: Profile{ClientID: "client_x"}, Store: store, StateDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if got := os.Getenv("MYCLI_CLIENT_SECRET"); got != "sk_mine" {
		t.Errorf("New took MYCLI_CLIENT_SECRET out of the environment (now %q)", got)
	}
	if got := os.Getenv("MYCLI_FILE_PASSPHRASE"); got != "" {
		t.Error("New left MYCLI_FILE_PASSPHRASE in the environment, for every command the program runs")
	}
}
