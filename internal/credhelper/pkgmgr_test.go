package credhelper

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
)

// pkgBroker is a broker with one signed-in profile, work, listing
// cargo.example.com and 127.0.0.1:8080, whose username is bot.
func pkgBroker(t *testing.T) (*Broker, *authkittest.Server) {
	t.Helper()
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond})
	t.Cleanup(srv.Close)
	ks, err := helper.OpenStore(helper.StoreOptions{App: "authwrap", Backend: "file", FileDir: t.TempDir(), Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Profiles: map[string]*config.Entry{"work": {
		Profile:  helper.Profile{Name: "work", ClientID: srv.Config.ClientID, APIURL: srv.URL},
		Hosts:    []string{"cargo.example.com", "127.0.0.1:8080"},
		Username: "bot",
	}}}
	lockDir := t.TempDir()
	b := &Broker{Config: cfg, Manager: func(name string) (*helper.Manager, error) {
		return &helper.Manager{Profile: cfg.Profiles[name].Profile, Store: ks, LockDir: lockDir,
			Prompter: helper.PromptFunc(func(context.Context, helper.SignIn) func(error) { return func(error) {} })}, nil
	}}
	m, _ := b.Manager("work")
	if _, err := m.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	return b, srv
}

func TestCargoBinding(t *testing.T) {
	b, _ := pkgBroker(t)
	ctx := context.Background()
	tok, err := b.CargoToken(ctx, "sparse+https://cargo.example.com/index/", false)
	if err != nil || !strings.HasPrefix(tok.Token.Reveal(), "eyJ") {
		t.Fatalf("token %q, %v", tok.Token.Reveal(), err)
	}
	m, _ := b.Manager("work")
	if s, err := m.Load(); err != nil || !tok.Expires.Equal(s.Expiry.Add(-config.DefaultMinTTL)) {
		t.Errorf("cargo may keep it until %v; the token expires at %v", tok.Expires, s.Expiry)
	}
	if tok, _ := b.CargoToken(ctx, "sparse+https://cargo.example.com/index/", true); !strings.HasPrefix(tok.Token.Reveal(), "Bearer eyJ") {
		t.Errorf("--bearer gave %.12q", tok.Token.Reveal())
	}
	for index, want := range map[string]error{
		"sparse+https://evil.example/index/":                ErrUnknownHost,
		"sparse+https://cargo.example.com.evil.example/i/":  ErrUnknownHost,
		"sparse+http://cargo.example.com/index/":            ErrInsecureTarget,
		"sparse+https://user@cargo.example.com/index/":      ErrInsecureTarget,
		"registry+https://cargo.example.com:8443/index.git": ErrUnknownHost,
	} {
		if _, err := b.CargoToken(ctx, index, false); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", index, err, want)
		}
	}
	if err := b.CargoLogin(ctx, "sparse+https://cargo.example.com/index/", "pasted"); !errors.Is(err, ErrTokenGiven) {
		t.Errorf("login with a token: %v", err)
	}
	if err := b.CargoLogin(ctx, "sparse+https://cargo.example.com/index/", ""); err != nil {
		t.Errorf("login: %v", err)
	}
	if err := b.CargoLogout("sparse+https://cargo.example.com/index/"); err == nil || !strings.Contains(err.Error(), "authwrap logout --profile work") {
		t.Errorf("logout: %v", err)
	}
}

func TestGoAuthBinding(t *testing.T) {
	b, srv := pkgBroker(t)
	ctx := context.Background()
	blocks, skipped := b.GoAuthAll(ctx)
	if len(skipped) != 0 || len(blocks) != 1 || strings.Join(blocks[0].URLs, " ") != "https://cargo.example.com/ https://127.0.0.1:8080/" ||
		!strings.HasPrefix(blocks[0].Headers[0].Reveal(), "Authorization: Bearer eyJ") {
		t.Fatalf("blocks %v, skipped %v", blocks, skipped)
	}
	first := blocks[0].Headers[0].Reveal()
	// The go command retries after any 4xx: a module proxy's 404 and 410
	// (a module it does not have) and a 429 leave a valid token alone.
	refreshes := srv.Requests(authkittest.Refresh)
	for _, status := range []int{404, 410, 429, 400} {
		blocks, err := b.GoAuthRetry(ctx, "https://cargo.example.com/example.com/m/@v/list", status)
		if err != nil || len(blocks) != 1 || blocks[0].Headers[0].Reveal() != first {
			t.Fatalf("retry after %d: %v, %v (same token: %v)", status, blocks, err, len(blocks) == 1 && blocks[0].Headers[0].Reveal() == first)
		}
	}
	if n := srv.Requests(authkittest.Refresh) - refreshes; n != 0 {
		t.Errorf("%d refreshes on retries after 404, 410, 429 and 400, want none", n)
	}
	// A refusal (401, 403) drops the token and gets a fresh one.
	for i, status := range []int{401, 403} {
		blocks, err := b.GoAuthRetry(ctx, "https://cargo.example.com/example.com/m/@v/list", status)
		if err != nil || len(blocks) != 1 || blocks[0].URLs[0] != "https://cargo.example.com/" {
			t.Fatalf("retry after %d: %v, %v", status, blocks, err)
		}
		if n := srv.Requests(authkittest.Refresh) - refreshes; n != i+1 {
			t.Errorf("%d refreshes after a retry on %d, want %d", n, status, i+1)
		}
	}
	for u, want := range map[string]error{
		"https://evil.example/x":      ErrUnknownHost,
		"http://127.0.0.1:8080/x":     ErrInsecureTarget,
		"https://a@cargo.example.com": ErrInsecureTarget,
	} {
		if _, err := b.GoAuthRetry(ctx, u, 401); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", u, err, want)
		}
	}
}

func TestKeyringBinding(t *testing.T) {
	b, _ := pkgBroker(t)
	ctx := context.Background()
	for _, service := range []string{"https://cargo.example.com/simple/", "https://bot@cargo.example.com/simple/", "127.0.0.1:8080", "http://127.0.0.1:8080/simple/"} {
		if tok, err := b.KeyringGet(ctx, service, "bot"); err != nil || !strings.HasPrefix(tok, "eyJ") {
			t.Errorf("%s: %v", service, err)
		}
	}
	for service, user := range map[string]string{
		"https://cargo.example.com/simple/":              "x-access-token", // not the profile's username
		"https://evil.example/simple/":                   "bot",
		"http://cargo.example.com/simple/":               "bot",
		"cargo.example.com":                              "bot", // pip's second ask, for an http:// index too
		"cargo.example.com/simple/":                      "bot",
		"https://cargo.example.com@evil.example/simple/": "bot",
		"": "bot",
	} {
		if _, err := b.KeyringGet(ctx, service, user); !errors.Is(err, ErrUnknownHost) && !errors.Is(err, ErrInsecureTarget) {
			t.Errorf("%q %q: %v", service, user, err)
		}
	}
}

// Whatever SERVICE pip passes, a listed host is what an HTTP client would
// connect to: the target's host is the URL's own host.
func FuzzKeyringService(f *testing.F) {
	f.Add("https://bot@cargo.example.com/simple/")
	f.Add("cargo.example.com")
	f.Add("https://cargo.example.com@evil.example/")
	f.Add("https://evil.example#@cargo.example.com/")
	f.Add("https://evil.example\\@cargo.example.com/")
	cfg := &config.Config{Profiles: map[string]*config.Entry{"work": {Profile: helper.Profile{Name: "work"}, Hosts: []string{"cargo.example.com"}}}}
	f.Fuzz(func(t *testing.T, service string) {
		tgt, err := ParseTargetURL(WithoutUserInfo(service))
		if err != nil {
			return
		}
		if _, err := ProfileFor(cfg, tgt, ""); err != nil {
			return
		}
		raw := strings.TrimSpace(service)
		if !strings.Contains(raw, "://") {
			raw = "https://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%q: the token was given for a service no client could use: %v", service, err)
		}
		if h := strings.TrimSuffix(strings.ToLower(u.Hostname()), "."); h != "cargo.example.com" {
			t.Fatalf("%q: the token was given for host %q", service, u.Hostname())
		}
	})
}
