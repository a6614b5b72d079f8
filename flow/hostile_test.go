package flow_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/flow/authkittest"
)

// catcher is where a hostile server points: it counts every request that
// reaches it, and what each carried.
type catcher struct {
	*httptest.Server
	hits   atomic.Int32
	bodies atomic.Value // string: the last body received
}

func newCatcher(t *testing.T) *catcher {
	c := &catcher{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		_ = r.ParseForm()
		c.bodies.Store(r.Form.Encode())
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"stolen","expires_in":300}`)
	}))
	t.Cleanup(c.Close)
	return c
}

// TestNoRedirectCarriesASecret: a 30x from any endpoint is an error naming
// the Location, and nothing reaches the Location: not the refresh token
// (307/308 re-send the body), not the device code, not the next request
// of a discovery. It holds for a client of the caller's without a
// CheckRedirect of its own (the library's HTTPClient option).
func TestNoRedirectCarriesASecret(t *testing.T) {
	t.Parallel()
	s, c, tok := signedIn(t)
	evil := newCatcher(t)
	clients := map[string]*http.Client{
		"default":          nil,
		"caller's client":  {Timeout: 5 * time.Second},
		"caller transport": {Transport: http.DefaultTransport.(*http.Transport).Clone()},
	}
	for name, hc := range clients {
		for _, status := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprintf("%s/%d", name, status), func(t *testing.T) {
				c := *c
				c.HTTPClient = hc
				ctx := context.Background()
				check := func(what string, err error) {
					t.Helper()
					var re *flow.RedirectError
					if !errors.As(err, &re) || !errors.Is(err, flow.ErrRedirect) {
						t.Fatalf("%s: err = %v, want a *RedirectError", what, err)
					}
					if re.Location != evil.URL+"/steal" || !strings.Contains(err.Error(), evil.URL+"/steal") {
						t.Errorf("%s: the error does not name the Location: %v", what, err)
					}
					if flow.IsTransient(err) {
						t.Errorf("%s: a redirect counted as transient: %v", what, err)
					}
				}
				s.Fail(authkittest.Refresh, authkittest.Redirect(status, evil.URL+"/steal"))
				_, err := c.Refresh(ctx, tok.RefreshToken, flow.RefreshOptions{OrganizationID: "org_x"})
				check("refresh", err)
				s.Fail(authkittest.DeviceAuthorization, authkittest.Redirect(status, evil.URL+"/steal"))
				_, err = c.Start(ctx)
				check("device authorization", err)
				d, err := c.Start(ctx)
				if err != nil {
					t.Fatal(err)
				}
				d.Interval = time.Millisecond
				s.Fail(authkittest.Poll, authkittest.Redirect(status, evil.URL+"/steal"))
				_, err = c.Poll(ctx, d)
				check("poll", err)
				s.Fail(authkittest.Discovery, authkittest.Redirect(status, evil.URL+"/steal"))
				_, err = c.Discover(ctx, s.URL)
				check("discovery", err)
				if n := evil.hits.Load(); n != 0 {
					t.Fatalf("%d requests reached the redirect's target; last carried %v", n, evil.bodies.Load())
				}
			})
		}
	}
	t.Run("caller's CheckRedirect is the caller's choice", func(t *testing.T) {
		c := *c
		c.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		s.Fail(authkittest.Refresh, authkittest.Redirect(http.StatusTemporaryRedirect, evil.URL+"/steal"))
		if _, err := c.Refresh(context.Background(), tok.RefreshToken, flow.RefreshOptions{}); err != nil {
			t.Fatalf("a client that follows redirects on purpose: %v", err)
		}
		if evil.hits.Load() != 1 {
			t.Fatalf("the caller's CheckRedirect was not used")
		}
	})
}

// TestDiscoveryPointingElsewhere: a discovery document is a redirect by
// other means; one whose endpoints or issuer are on another origin is
// refused, before any secret is sent.
func TestDiscoveryPointingElsewhere(t *testing.T) {
	t.Parallel()
	s := newServer(t, authkittest.Config{})
	evil := newCatcher(t)
	c := &flow.Client{ClientID: authkittest.DefaultClientID}
	good := map[string]string{
		"issuer":                        s.URL,
		"device_authorization_endpoint": s.URL + "/oauth2/device_authorization",
		"token_endpoint":                s.URL + "/oauth2/token",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range good {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	cases := map[string]map[string]string{
		"token endpoint on another host":        with("token_endpoint", evil.URL+"/token"),
		"device endpoint on another host":       with("device_authorization_endpoint", evil.URL+"/device"),
		"token endpoint on another port":        with("token_endpoint", strings.Replace(s.URL, "127.0.0.1", "localhost", 1)+"/oauth2/token"),
		"another issuer":                        with("issuer", evil.URL),
		"token endpoint downgraded to http:// ": with("token_endpoint", "http://api.example.com/token"),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			s.Fail(authkittest.Discovery, authkittest.Answer(200, doc))
			_, err := c.Discover(context.Background(), s.URL)
			if !errors.Is(err, flow.ErrForeignEndpoint) && !errors.Is(err, flow.ErrInsecureURL) {
				t.Fatalf("err = %v, want ErrForeignEndpoint", err)
			}
		})
	}
	if evil.hits.Load() != 0 {
		t.Fatal("a request reached the other server")
	}
	if _, err := c.Discover(context.Background(), s.URL); err != nil {
		t.Fatalf("the server's own document: %v", err)
	}
}

// TestHostileTokens: tokens that could inject headers or protocol lines
// where they are used (CR/LF, spaces, quotes, NUL, escape sequences) or
// that could not be stored are a server error, from every grant.
func TestHostileTokens(t *testing.T) {
	t.Parallel()
	s, c, tok := signedIn(t)
	bad := map[string]string{
		"CR LF header injection": "eyJ.a.b\r\nX-Injected: 1",
		"LF":                     "abc\ndef",
		"space":                  "abc def",
		"quote":                  `abc"def`,
		"NUL":                    "abc\x00def",
		"escape sequences":       "abc" + authkittest.Escapes,
		"non-ASCII":              "abcé",
		"only padding":           "===",
		"too long":               strings.Repeat("a", flow.MaxTokenLength+1),
	}
	ctx := context.Background()
	for name, at := range bad {
		t.Run(name, func(t *testing.T) {
			s.Fail(authkittest.Refresh, authkittest.TokenAnswer(at))
			if _, err := c.Refresh(ctx, tok.RefreshToken, flow.RefreshOptions{}); !errors.Is(err, flow.ErrBadResponse) {
				t.Errorf("refresh: err = %v, want ErrBadResponse", err)
			}
			d, err := c.Start(ctx)
			if err != nil {
				t.Fatal(err)
			}
			d.Interval = time.Millisecond
			s.Fail(authkittest.Poll, authkittest.TokenAnswer(at))
			if _, err := c.Poll(ctx, d); !errors.Is(err, flow.ErrBadResponse) {
				t.Errorf("poll: err = %v, want ErrBadResponse", err)
			}
		})
	}
	t.Run("refresh token with a newline", func(t *testing.T) {
		s.Fail(authkittest.Refresh, authkittest.Answer(200, map[string]any{"access_token": "abc.def", "refresh_token": "rt\nx", "expires_in": 60}))
		if _, err := c.Refresh(ctx, tok.RefreshToken, flow.RefreshOptions{}); !errors.Is(err, flow.ErrBadResponse) {
			t.Errorf("err = %v, want ErrBadResponse", err)
		}
	})
	t.Run("device code with control characters", func(t *testing.T) {
		s.Fail(authkittest.DeviceAuthorization, authkittest.Answer(200, map[string]any{
			"device_code": "dc\r\nx", "user_code": "ABCD-EFGH", "verification_uri": s.URL + "/device"}))
		if _, err := c.Start(ctx); !errors.Is(err, flow.ErrBadResponse) {
			t.Errorf("err = %v, want ErrBadResponse", err)
		}
	})
	for _, good := range []string{"abc.DEF-_~+/", "abc==", tok.AccessToken.Reveal()} {
		if !flow.IsB64Token(good) {
			t.Errorf("IsB64Token(%.40q) = false", good)
		}
	}
}

// TestServerTextIsInert: whatever text a server sends back in an error
// (error_description, message, the code itself, a certificate's names)
// shows with its escape sequences made visible.
func TestServerTextIsInert(t *testing.T) {
	t.Parallel()
	s, c, tok := signedIn(t)
	for name, f := range map[string]authkittest.Fault{
		"error_description and message": authkittest.ErrorAnswer(400, "invalid_grant", authkittest.Escapes),
		"code":                          authkittest.Answer(400, map[string]string{"code": "bad\x1b[2J\x1b]0;t\x07"}),
		"5xx body":                      authkittest.ErrorAnswer(503, "server_error", authkittest.Escapes),
	} {
		t.Run(name, func(t *testing.T) {
			s.Fail(authkittest.Refresh, f)
			_, err := c.Refresh(context.Background(), tok.RefreshToken, flow.RefreshOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.ContainsAny(err.Error(), "\x1b\x07\r\n\u009b\u202e") {
				t.Errorf("raw control characters in %q", err.Error())
			}
			if !strings.Contains(err.Error(), `\x1b`) {
				t.Errorf("the server's text is not shown escaped: %q", err.Error())
			}
		})
	}
}

func TestLoopbackIsLiteral(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.5.6.7": true, "::1": true,
		"0:0:0:0:0:0:0:1": true, "::ffff:127.0.0.1": true,
		"localhost.": false, "127.0.0.1.": false, "localhost.localdomain": false, "127.1": false,
		"0x7f.0.0.1": false, "2130706433": false, "localhost.example.com": false, "::1%lo": false,
		"fe80::1%25lo": false, "10.0.0.1": false, "": false,
	} {
		if got := flow.IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
	for _, u := range []string{"http://localhost.:8080", "http://127.0.0.1.:8080", "http://localhost.localdomain"} {
		if err := flow.CheckURL(u); !errors.Is(err, flow.ErrInsecureURL) {
			t.Errorf("CheckURL(%q) = %v, want ErrInsecureURL", u, err)
		}
	}
}

// TestDiscoveryFailureMessage: each document's URL and status appear
// once, and the error still matches what the answers were.
func TestDiscoveryFailureMessage(t *testing.T) {
	t.Parallel()
	s := newServer(t, authkittest.Config{})
	c := &flow.Client{ClientID: authkittest.DefaultClientID}
	nf := authkittest.Answer(404, map[string]string{"code": "not_found", "message": "Not Found"})
	s.Fail(authkittest.Discovery, nf, nf)
	_, err := c.Discover(context.Background(), s.URL)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, wk := range []string{"/.well-known/oauth-authorization-server answered HTTP 404 (not_found: Not Found)",
		"/.well-known/openid-configuration answered HTTP 404 (not_found: Not Found)"} {
		if strings.Count(msg, wk) != 1 {
			t.Errorf("%q not once in %q", wk, msg)
		}
	}
	if strings.Contains(msg, "authorization server:") || strings.Contains(msg, "\n") {
		t.Errorf("repeats itself or spans lines: %q", msg)
	}
	var fe *flow.Error
	if !errors.As(err, &fe) || fe.StatusCode != 404 {
		t.Errorf("the answer is not reachable with errors.As: %v", err)
	}
}

// orgSwapper is a server in front of s that asks the real one for the
// other organization whenever a request names one: the answer is a real
// session, in an organization the client did not ask for.
func orgSwapper(t *testing.T, s *authkittest.Server, other string) *flow.Client {
	t.Helper()
	target, _ := url.Parse(s.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		if form, err := url.ParseQuery(string(data)); err == nil && form.Get("organization_id") != "" {
			form.Set("organization_id", other)
			data = []byte(form.Encode())
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.ContentLength = int64(len(data))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	p, err := flow.WorkOS(front.URL, authkittest.DefaultClientID)
	if err != nil {
		t.Fatal(err)
	}
	return &flow.Client{Provider: p, ClientID: authkittest.DefaultClientID}
}

// TestOrganizationIsTheOneAsked: a server that answers the organization
// choice (the organization-selection grant) or a switch (a refresh into
// an organization) with a session in another organization is refused
// with ErrWrongOrganization; nothing of that answer is returned.
func TestOrganizationIsTheOneAsked(t *testing.T) {
	t.Parallel()
	s := newServer(t, authkittest.Config{AutoApprove: time.Millisecond, OrganizationSelection: true})
	orgs := s.Config.Organizations
	ctx := context.Background()

	// The choice: the pending sign-in's token is good for this one use.
	c := orgSwapper(t, s, orgs[1])
	_, err := signIn(t, s, c, nil)
	var fe *flow.Error
	if !errors.As(err, &fe) || fe.Pending == nil {
		t.Fatalf("sign-in: %v, want organization_selection_required", err)
	}
	tok, err := c.SelectOrganization(ctx, fe.Pending.Token, orgs[0])
	if !errors.Is(err, flow.ErrWrongOrganization) || tok != nil {
		t.Errorf("choice answered for another organization: %v, %v", tok, err)
	}

	// The switch, with a session of the real server's.
	good := umClient(t, s)
	_, err = signIn(t, s, good, nil)
	if !errors.As(err, &fe) || fe.Pending == nil {
		t.Fatalf("sign-in: %v", err)
	}
	tok, err = good.SelectOrganization(ctx, fe.Pending.Token, orgs[0])
	if err != nil || tok.OrganizationID != orgs[0] {
		t.Fatalf("an honest choice: %v, %v", tok, err)
	}
	next, err := c.Refresh(ctx, tok.RefreshToken, flow.RefreshOptions{OrganizationID: orgs[2%len(orgs)]})
	if !errors.Is(err, flow.ErrWrongOrganization) || next != nil {
		t.Errorf("switch answered for another organization: %v, %v", next, err)
	}
}
