package helper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/flow/authkittest"
)

// The machine these tests' server knows.
const (
	testMachineID     = "client_01HELPERM2M00000000000000"
	testMachineSecret = "m2m+helper/S3cr%t=x_0123456789"
	testMachineOrg    = "org_01HELPERACME0000000000000"
)

func machineTestServer(t *testing.T) *authkittest.Server {
	t.Helper()
	srv := authkittest.NewServer(authkittest.Config{AccessTokenTTL: 10 * time.Minute,
		Machines: map[string]authkittest.Machine{testMachineID: {Secret: testMachineSecret,
			OrganizationID: testMachineOrg, Scopes: []string{"deploy:read"}}}})
	t.Cleanup(srv.Close)
	return srv
}

// syncStore is a Store in memory that many goroutines may share.
type syncStore struct {
	mu sync.Mutex
	m  memStore
}

func (s *syncStore) Load(p string) (*Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.Load(p)
}

func (s *syncStore) Save(ses *Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.Save(ses)
}

func (s *syncStore) Delete(p string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.Delete(p)
}

// failPrompter fails the test if a sign-in is ever shown.
type failPrompter struct{ t *testing.T }

func (f failPrompter) Prompt(context.Context, SignIn) func(error) {
	f.t.Error("a machine identity showed a sign-in")
	return func(error) {}
}

func machineManager(srv *authkittest.Server, store Store, lockDir, secret string, scopes ...string) *Manager {
	p := Profile{Name: "ci", ClientID: testMachineID, Issuer: srv.URL, Scopes: scopes, ClientSecret: flow.Secret(secret)}
	return &Manager{Profile: p, Store: store, LockDir: lockDir}
}

// TestMachineToken: a machine profile's Token runs the client-credentials
// grant and stores a machine session (its organization, no refresh
// token); the next Token is served from the store; Invalidate makes the
// next one run the grant again; Login runs it too. It never prompts,
// even with a Prompter set.
func TestMachineToken(t *testing.T) {
	srv := machineTestServer(t)
	store := memStore{}
	m := machineManager(srv, store, t.TempDir(), testMachineSecret)
	m.Prompter = failPrompter{t}
	ctx := context.Background()
	s, err := m.Token(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Machine || s.OrganizationID != testMachineOrg || !s.RefreshToken.IsZero() || s.UserID != testMachineID || !s.ValidFor(5*time.Minute) {
		t.Fatalf("session = %+v, want a machine session for %s with no refresh token", s, testMachineOrg)
	}
	if got, err := store.Load("ci"); err != nil || !got.Machine || got.AccessToken != s.AccessToken {
		t.Fatalf("stored %+v, %v", got, err)
	}
	again, err := m.Token(ctx, time.Minute)
	if err != nil || again.AccessToken != s.AccessToken || srv.Requests(authkittest.ClientCredentials) != 1 {
		t.Fatalf("second Token: %v, %d grants; want the stored token and 1 grant", err, srv.Requests(authkittest.ClientCredentials))
	}
	if err := m.Invalidate(ctx, s.AccessToken); err != nil {
		t.Fatal(err)
	}
	next, err := m.Token(ctx, time.Minute)
	if err != nil || next.AccessToken == s.AccessToken || srv.Requests(authkittest.ClientCredentials) != 2 {
		t.Fatalf("after Invalidate: %v, %d grants; want a new token from a second grant", err, srv.Requests(authkittest.ClientCredentials))
	}
	if _, err := m.Login(ctx); err != nil || srv.Requests(authkittest.ClientCredentials) != 3 {
		t.Fatalf("Login: %v, %d grants", err, srv.Requests(authkittest.ClientCredentials))
	}
	if n := srv.Requests(authkittest.DeviceAuthorization) + srv.Requests(authkittest.Refresh); n != 0 {
		t.Fatalf("%d device or refresh requests for a machine", n)
	}
}

// TestMachineHerd: 48 processes' worth of Managers (each its own lock
// file descriptor) want a token while the stored one has expired: one
// grant, and every one of them gets its token.
func TestMachineHerd(t *testing.T) {
	srv := machineTestServer(t)
	store := &syncStore{m: memStore{}}
	lockDir := t.TempDir()
	ctx := context.Background()
	first, err := machineManager(srv, store, lockDir, testMachineSecret).Token(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	expired := *first
	expired.Expiry = time.Now().Add(-time.Second)
	if err := store.Save(&expired); err != nil {
		t.Fatal(err)
	}
	const herd = 48
	tokens := make([]flow.Secret, herd)
	var wg sync.WaitGroup
	for i := range herd {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := machineManager(srv, store, lockDir, testMachineSecret).Token(ctx, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = s.AccessToken
		}()
	}
	wg.Wait()
	if n := srv.Requests(authkittest.ClientCredentials); n != 2 {
		t.Fatalf("%d grants, want 2 (the first token, then one for the herd)", n)
	}
	for i, tok := range tokens {
		if tok != tokens[0] || tok == first.AccessToken {
			t.Fatalf("process %d got another token than process 0, or the expired one", i)
		}
	}
}

// TestMachineRefused: a wrong secret, a disabled application, a scope it
// lacks: a *MachineGrantError that says which, on one line and without
// the secret, and nothing stored.
func TestMachineRefused(t *testing.T) {
	for _, tc := range []struct {
		name     string
		secret   string
		scopes   []string
		disable  bool
		sentinel error
		says     string
	}{
		{name: "wrong secret", secret: "m2m-not-the-secret", sentinel: flow.ErrClientRejected, says: "refused the client ID and secret"},
		{name: "disabled", secret: testMachineSecret, disable: true, sentinel: flow.ErrUnauthorizedClient, says: "may not use the client-credentials grant"},
		{name: "scope", secret: testMachineSecret, scopes: []string{"deploy:write"}, sentinel: flow.ErrInvalidScope, says: "not granted the scopes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := machineTestServer(t)
			if tc.disable {
				if err := srv.DisableMachine(testMachineID); err != nil {
					t.Fatal(err)
				}
			}
			store := memStore{}
			m := machineManager(srv, store, t.TempDir(), tc.secret, tc.scopes...)
			for _, call := range []func() error{
				func() error { _, err := m.Token(context.Background(), time.Minute); return err },
				func() error { _, err := m.Login(context.Background()); return err },
			} {
				err := call()
				var me *MachineGrantError
				if !errors.As(err, &me) || !errors.Is(err, tc.sentinel) || me.Profile != "ci" {
					t.Fatalf("err = %v, want a MachineGrantError matching %v", err, tc.sentinel)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.says) || strings.Contains(msg, "\n") || strings.Contains(msg, tc.secret) ||
					!strings.Contains(msg, "nothing was stored") {
					t.Fatalf("message %q: want one line saying %q, without the secret", msg, tc.says)
				}
				if len(store) != 0 {
					t.Fatalf("stored %v after a refused grant", store)
				}
			}
		})
	}
}

// TestMachineProfileRedacts: however a machine profile is printed or
// encoded, its secret is not there; a machine needs an issuer.
func TestMachineProfileRedacts(t *testing.T) {
	p := Profile{Name: "ci", ClientID: testMachineID, Issuer: "https://example.authkit.app", ClientSecret: testMachineSecret}
	if !p.Machine() || (Profile{Name: "x"}).Machine() {
		t.Fatal("Machine() does not follow ClientSecret")
	}
	js, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s", p, p, p, p.ClientSecret), string(js)} {
		if strings.Contains(out, testMachineSecret) || strings.Contains(out, "S3cr") {
			t.Fatalf("the secret shows in %q", out)
		}
	}
	p.Issuer, p.APIURL = "", "https://api.workos.com"
	if err := p.Validate(); !errors.Is(err, flow.ErrM2MNeedsIssuer) {
		t.Fatalf("a machine with an API URL: %v, want ErrM2MNeedsIssuer", err)
	}
}

// TestMachineGrantRetries: a transient failure of the grant (503, twice)
// is retried as a refresh is; a refusal is not.
func TestMachineGrantRetries(t *testing.T) {
	srv := machineTestServer(t)
	srv.Fail(authkittest.ClientCredentials, authkittest.Fault{Status: 503}, authkittest.Fault{Status: 503})
	m := machineManager(srv, memStore{}, t.TempDir(), testMachineSecret)
	if _, err := m.Token(context.Background(), time.Minute); err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if n := srv.Requests(authkittest.ClientCredentials); n != 3 {
		t.Fatalf("%d grant requests, want 3", n)
	}
	bad := machineManager(srv, memStore{}, t.TempDir(), "m2m-wrong")
	if _, err := bad.Login(context.Background()); !errors.Is(err, flow.ErrClientRejected) {
		t.Fatal(err)
	}
	if n := srv.Requests(authkittest.ClientCredentials); n != 4 {
		t.Fatalf("%d grant requests, want 4: a refusal is not retried", n)
	}
}
