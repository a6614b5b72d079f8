package flow_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/flow/authkittest"
)

func newServer(t *testing.T, cfg authkittest.Config) *authkittest.Server {
	t.Helper()
	if cfg.Interval == 0 {
		cfg.Interval = time.Second
	}
	s := authkittest.NewServer(cfg)
	t.Cleanup(s.Close)
	return s
}

func umClient(t *testing.T, s *authkittest.Server) *flow.Client {
	t.Helper()
	p, err := flow.WorkOS(s.URL, authkittest.DefaultClientID)
	if err != nil {
		t.Fatal(err)
	}
	return &flow.Client{Provider: p, ClientID: authkittest.DefaultClientID}
}

// signIn starts a sign-in, lets act decide it as the person, and polls.
func signIn(t *testing.T, s *authkittest.Server, c *flow.Client, act func(code string) error) (*flow.Token, error) {
	t.Helper()
	ctx := context.Background()
	d, err := c.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if act != nil {
		go func() {
			time.Sleep(1500 * time.Millisecond)
			if err := act(d.UserCode); err != nil {
				t.Error(err)
			}
		}()
	}
	return c.Poll(ctx, d)
}

// TestSignInRealTime runs whole sign-ins against the local server with a
// 1 s interval: a well-behaved client gets no slow_down at all.
func TestSignInRealTime(t *testing.T) {
	t.Parallel()
	t.Run("approve", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, authkittest.Config{})
		tok, err := signIn(t, s, umClient(t, s), s.Approve)
		if err != nil {
			t.Fatal(err)
		}
		if tok.User == nil || tok.User.Email != "dev@example.com" || tok.OrganizationID == "" {
			t.Errorf("token user/org = %+v %q", tok.User, tok.OrganizationID)
		}
		if tok.Claims.SessionID == "" || tok.Claims.Subject != tok.User.ID {
			t.Errorf("claims = %+v", tok.Claims)
		}
		if d := time.Until(tok.Expiry); d < 4*time.Minute || d > 5*time.Minute {
			t.Errorf("expiry from the JWT exp in %v, want about 5m", d)
		}
		if n := s.SlowDowns(); n != 0 {
			t.Errorf("server sent %d slow_down, want 0", n)
		}
		if n := s.Requests(authkittest.Poll); n < 1 || n > 3 {
			t.Errorf("polls = %d, want 1 to 3 for an approval after 1.5 s at 1 s intervals", n)
		}
	})
	for _, tc := range []struct {
		name string
		act  func(*authkittest.Server) func(string) error
		want error
	}{
		{"deny", func(s *authkittest.Server) func(string) error { return s.Deny }, flow.ErrAccessDenied},
		{"expire", func(s *authkittest.Server) func(string) error { return s.Expire }, flow.ErrExpiredToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, authkittest.Config{})
			_, err := signIn(t, s, umClient(t, s), tc.act(s))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("code lifetime runs out", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, authkittest.Config{CodeTTL: 3 * time.Second})
		_, err := signIn(t, s, umClient(t, s), nil)
		if !errors.Is(err, flow.ErrExpiredToken) {
			t.Fatalf("err = %v, want ErrExpiredToken", err)
		}
		// Polls at 1, 2 (and perhaps 3) s of a 3 s code, none after it:
		// the client stopped at expires_in rather than the server's answer.
		if n := s.Requests(authkittest.Poll); n < 2 || n > 3 {
			t.Errorf("polls = %d, want 2 or 3", n)
		}
	})
	t.Run("transient faults while polling", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, authkittest.Config{AutoApprove: 2 * time.Second})
		s.Fail(authkittest.Poll,
			authkittest.Fault{Status: 503},
			authkittest.Fault{Status: 429, RetryAfter: "1"},
			authkittest.Fault{Drop: true},
			authkittest.Fault{Status: 500, Body: "{not json"})
		if _, err := signIn(t, s, umClient(t, s), nil); err != nil {
			t.Fatal(err)
		}
		if n := s.SlowDowns(); n != 0 {
			t.Errorf("server sent %d slow_down after faults, want 0", n)
		}
	})
	t.Run("polling too fast gets slow_down", func(t *testing.T) {
		t.Parallel()
		// A raw client that ignores the interval, to show the server enforces it.
		s := newServer(t, authkittest.Config{Interval: 2 * time.Second})
		c := umClient(t, s)
		d, err := c.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_ = d
		resp, err := http.PostForm(c.Provider.TokenURL, map[string][]string{
			"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {authkittest.DefaultClientID},
			"device_code": {d.DeviceCode.Reveal()}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if s.SlowDowns() != 1 {
			t.Errorf("server slow_downs = %d after an immediate poll, want 1", s.SlowDowns())
		}
	})
	t.Run("unknown client", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, authkittest.Config{})
		c := umClient(t, s)
		c.ClientID = "client_other"
		if _, err := c.Start(context.Background()); !errors.Is(err, flow.ErrInvalidClient) {
			t.Fatalf("err = %v, want ErrInvalidClient", err)
		}
	})
	t.Run("request timeout", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, authkittest.Config{})
		s.Fail(authkittest.DeviceAuthorization, authkittest.Fault{Delay: 5 * time.Second})
		c := umClient(t, s)
		c.RequestTimeout = 300 * time.Millisecond
		// The fault only delays: without the timeout, Start would succeed.
		_, err := c.Start(context.Background())
		if !flow.IsTransient(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a transient error from the request deadline", err)
		}
	})
}

// TestRefreshRotation checks rotation, the replay grace window, and what
// follows it.
func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	s := newServer(t, authkittest.Config{AutoApprove: time.Millisecond, RefreshGrace: 700 * time.Millisecond})
	c := umClient(t, s)
	first, err := signIn(t, s, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	second, err := c.Refresh(ctx, first.RefreshToken, flow.RefreshOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not rotate the pair")
	}
	replay, err := c.Refresh(ctx, first.RefreshToken, flow.RefreshOptions{})
	if err != nil {
		t.Fatalf("replay inside the grace window: %v", err)
	}
	if replay.RefreshToken != second.RefreshToken {
		t.Error("a replay inside the grace window must get the same new pair")
	}
	time.Sleep(time.Second)
	if _, err := c.Refresh(ctx, first.RefreshToken, flow.RefreshOptions{}); !errors.Is(err, flow.ErrReauthenticate) {
		t.Fatalf("replay after the grace window: err = %v, want ErrReauthenticate", err)
	}
	if _, err := c.Refresh(ctx, second.RefreshToken, flow.RefreshOptions{}); err != nil {
		t.Fatalf("the newest refresh token must still work: %v", err)
	}
	if got := s.Requests(authkittest.Refresh); got != 4 {
		t.Errorf("refresh requests = %d, want 4", got)
	}
}

// signedIn returns a server, a client, and a token from an auto-approved
// sign-in.
func signedIn(t *testing.T) (*authkittest.Server, *flow.Client, *flow.Token) {
	t.Helper()
	s := newServer(t, authkittest.Config{AutoApprove: time.Millisecond})
	c := umClient(t, s)
	tok, err := signIn(t, s, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, tok
}

func TestRefreshOrganization(t *testing.T) {
	t.Parallel()
	s, c, tok := signedIn(t)
	other := s.Config.Organizations[1]
	next, err := c.Refresh(context.Background(), tok.RefreshToken, flow.RefreshOptions{OrganizationID: other})
	if err != nil {
		t.Fatal(err)
	}
	if next.Claims.OrganizationID != other || next.OrganizationID != other {
		t.Errorf("org after switch = %q/%q, want %q", next.Claims.OrganizationID, next.OrganizationID, other)
	}
	_, err = c.Refresh(context.Background(), next.RefreshToken, flow.RefreshOptions{OrganizationID: "org_nope"})
	var fe *flow.Error
	if !errors.As(err, &fe) || fe.Code != "organization_membership_not_found" || fe.StatusCode != 403 {
		t.Fatalf("err = %v, want a {code, message} error", err)
	}
}

func TestRefreshTransient(t *testing.T) {
	t.Parallel()
	s, c, tok := signedIn(t)
	s.Fail(authkittest.Refresh, authkittest.Fault{Status: 502}, authkittest.Fault{Status: 429, RetryAfter: "7"})
	for range 2 {
		_, err := c.Refresh(context.Background(), tok.RefreshToken, flow.RefreshOptions{})
		if !flow.IsTransient(err) || errors.Is(err, flow.ErrReauthenticate) {
			t.Fatalf("err = %v, want transient", err)
		}
	}
	if _, err := c.Refresh(context.Background(), tok.RefreshToken, flow.RefreshOptions{}); err != nil {
		t.Fatalf("after the faults the refresh token still works: %v", err)
	}
	s.RevokeSessions()
	if _, err := c.Refresh(context.Background(), tok.RefreshToken, flow.RefreshOptions{}); !errors.Is(err, flow.ErrReauthenticate) {
		t.Fatalf("after revocation err = %v, want ErrReauthenticate", err)
	}
}

// TestStandardFlavour signs in through discovery, as with WorkOS Connect
// or any RFC 8628 server.
func TestStandardFlavour(t *testing.T) {
	t.Parallel()
	s := newServer(t, authkittest.Config{AutoApprove: time.Millisecond})
	c := &flow.Client{ClientID: authkittest.DefaultClientID, Scopes: []string{"openid", "profile", "email", "offline_access"}}
	p, err := c.Discover(context.Background(), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if p.Flavour != flow.Standard || p.TokenURL != s.URL+"/oauth2/token" || p.JWKSURL != s.URL+"/oauth2/jwks" {
		t.Fatalf("provider = %+v", p)
	}
	c.Provider = p
	tok, err := signIn(t, s, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok.IDToken.IsZero() || tok.RefreshToken.IsZero() {
		t.Error("want an ID token and a refresh token for openid offline_access")
	}
	if d := time.Until(tok.Expiry); d < 4*time.Minute || d > 5*time.Minute {
		t.Errorf("expiry in %v", d)
	}
	if _, err := c.Refresh(context.Background(), tok.RefreshToken, flow.RefreshOptions{}); err != nil {
		t.Fatal(err)
	}
	// Without offline_access there is no refresh token.
	c.Scopes = []string{"openid"}
	tok, err = signIn(t, s, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.RefreshToken.IsZero() {
		t.Error("no offline_access, yet a refresh token")
	}
}

func TestDiscoveryFailures(t *testing.T) {
	t.Parallel()
	s := newServer(t, authkittest.Config{})
	c := &flow.Client{ClientID: authkittest.DefaultClientID}
	s.Fail(authkittest.Discovery, authkittest.Fault{Status: 404, Body: "not found"}, authkittest.Fault{Status: 200, Body: `{"issuer":"x"}`})
	if _, err := c.Discover(context.Background(), s.URL); err == nil {
		t.Fatal("discovery of a server without device endpoints succeeded")
	}
	if _, err := c.Discover(context.Background(), "http://example.com"); !errors.Is(err, flow.ErrInsecureURL) {
		t.Fatalf("err = %v, want ErrInsecureURL", err)
	}
}

// TestOrganizationSelection: a user in several organizations gets 403
// organization_selection_required with a pending token and the choices;
// the selection grant completes the sign-in into the one chosen, once;
// the pending token never shows in the error or its body.
func TestOrganizationSelection(t *testing.T) {
	t.Parallel()
	s := newServer(t, authkittest.Config{AutoApprove: time.Millisecond, OrganizationSelection: true})
	c := umClient(t, s)
	_, err := signIn(t, s, c, nil)
	var fe *flow.Error
	if !errors.Is(err, flow.ErrOrganizationSelection) || !errors.As(err, &fe) || fe.Pending == nil {
		t.Fatalf("err = %v, want organization_selection_required with a pending token", err)
	}
	if len(fe.Pending.Organizations) != 2 || fe.Pending.Organizations[1].Name != "Globex" {
		t.Fatalf("organizations = %+v", fe.Pending.Organizations)
	}
	pending := fe.Pending.Token.Reveal()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || strings.Contains(string(re.Body), pending) || strings.Contains(err.Error(), pending) {
		t.Error("the pending authentication token shows in the error or its body")
	}
	tok, err := c.SelectOrganization(context.Background(), fe.Pending.Token, "org_01DEVGLOBEX000000000000000")
	if err != nil || tok.OrganizationID != "org_01DEVGLOBEX000000000000000" || tok.Claims.OrganizationID != "org_01DEVGLOBEX000000000000000" {
		t.Fatalf("SelectOrganization = %+v, %v", tok, err)
	}
	if _, err := c.SelectOrganization(context.Background(), fe.Pending.Token, "org_01DEVGLOBEX000000000000000"); !errors.Is(err, flow.ErrReauthenticate) {
		t.Errorf("a pending token used twice: %v, want invalid_grant", err)
	}
	if s.Requests(authkittest.OrganizationSelection) != 2 {
		t.Errorf("selection requests = %d", s.Requests(authkittest.OrganizationSelection))
	}
}

// TestJWKS: the server's keys verify its own tokens and nothing else, and
// the Date header comes back for a clock check.
func TestJWKS(t *testing.T) {
	t.Parallel()
	_, c, tok := signedIn(t)
	keys, date, err := c.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(date); d < -time.Minute || d > time.Minute {
		t.Errorf("server date %v is not about now", date)
	}
	claims, err := flow.VerifyAccessToken(tok.AccessToken.Reveal(), keys)
	if err != nil || claims.Subject == "" {
		t.Fatalf("VerifyAccessToken(its own token) = %+v, %v", claims, err)
	}
	other := newServer(t, authkittest.Config{AutoApprove: time.Millisecond})
	otherTok, err := signIn(t, other, umClient(t, other), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flow.VerifyAccessToken(otherTok.AccessToken.Reveal(), keys); !errors.Is(err, flow.ErrTokenSignature) {
		t.Errorf("another server's token: %v, want ErrTokenSignature", err)
	}
	if _, err := flow.VerifyAccessToken("not.a.jwt", keys); !errors.Is(err, flow.ErrTokenSignature) {
		t.Errorf("garbage: %v", err)
	}
}
