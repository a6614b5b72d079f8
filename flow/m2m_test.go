package flow_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/flow/authkittest"
)

// The machine the tests' servers know. Its secret has characters that
// form-urlencoding changes ('+', '%', '/', ' ', ':', '&', '='), so a
// client that sends Basic credentials without encoding them first (RFC
// 6749 section 2.3.1) is refused.
const (
	machineID     = "client_01M2MCI00000000000000000"
	machineSecret = "sk+m2m/S3cr%25t: a&b=c_0123456789abcdef"
	machineOrg    = "org_01M2MACME00000000000000000"
)

func machineServer(t *testing.T, methods ...string) *authkittest.Server {
	t.Helper()
	return newServer(t, authkittest.Config{
		AccessTokenTTL:     10 * time.Minute,
		MachineAuthMethods: methods,
		Machines: map[string]authkittest.Machine{machineID: {
			Secret: machineSecret, OrganizationID: machineOrg, Scopes: []string{"deploy:read", "deploy:write"}}},
	})
}

// wire is a transport that keeps what each request carried, as a proxy
// or a packet capture would see it.
type wire struct {
	mu   sync.Mutex
	sent []sentRequest
}

type sentRequest struct {
	url           string
	authorization string
	body          string
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	w.mu.Lock()
	w.sent = append(w.sent, sentRequest{r.URL.String(), r.Header.Get("Authorization"), string(body)})
	w.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (w *wire) last() sentRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sent[len(w.sent)-1]
}

// machineClient discovers s's token endpoint for the machine.
func machineClient(t *testing.T, s *authkittest.Server, hc *http.Client) *flow.Client {
	t.Helper()
	c := &flow.Client{ClientID: machineID, HTTPClient: hc}
	var err error
	if c.Provider, err = c.DiscoverM2M(context.Background(), s.URL); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClientCredentials: a machine gets a token for its organization in
// one request, authenticating as the server's discovery document says
// (Basic when it takes Basic, the form when it takes only that), with
// the expiry the server gave and no refresh token.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		methods   []string
		wantBasic bool
	}{
		{"both advertised: basic", []string{authkittest.AuthMethodBasic, authkittest.AuthMethodPost}, true},
		{"basic only", []string{authkittest.AuthMethodBasic}, true},
		{"post only", []string{authkittest.AuthMethodPost}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := machineServer(t, tc.methods...)
			w := &wire{}
			c := machineClient(t, s, &http.Client{Transport: w})
			tok, err := c.ClientCredentials(context.Background(), machineSecret, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tok.OrganizationID != machineOrg || tok.Claims.Subject != machineID {
				t.Errorf("organization %q, subject %q; want %s, %s", tok.OrganizationID, tok.Claims.Subject, machineOrg, machineID)
			}
			if d := time.Until(tok.Expiry); d < 9*time.Minute || d > 10*time.Minute {
				t.Errorf("expires in %v, want the server's 10m", d)
			}
			if !tok.RefreshToken.IsZero() || tok.AccessToken.IsZero() || tok.TokenType != "Bearer" {
				t.Errorf("token = %+v", tok)
			}
			if n := s.Requests(authkittest.ClientCredentials); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
			sent := w.last()
			form, _ := url.ParseQuery(sent.body)
			if form.Get("grant_type") != "client_credentials" || form.Has("scope") {
				t.Errorf("form = %q", sent.body)
			}
			if tc.wantBasic {
				want := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(machineID)+":"+url.QueryEscape(machineSecret)))
				if sent.authorization != want || form.Has("client_secret") {
					t.Errorf("sent Authorization %q and form %q, want Basic only", sent.authorization, sent.body)
				}
			} else if sent.authorization != "" || form.Get("client_secret") != machineSecret || form.Get("client_id") != machineID {
				t.Errorf("sent Authorization %q and form %q, want the form only", sent.authorization, sent.body)
			}

			// Fewer scopes than the application has.
			if _, err := c.ClientCredentials(context.Background(), machineSecret, []string{"deploy:read"}); err != nil {
				t.Errorf("a scope the application has: %v", err)
			}
			if got := w.last().body; !strings.Contains(got, "scope=deploy%3Aread") {
				t.Errorf("form = %q, want the scope", got)
			}
		})
	}
}

// TestClientCredentialsRefused: a wrong secret, an unknown application,
// a disabled one and a scope it lacks each end in an error a CLI can tell
// apart, naming the client, on one line, with the server's words.
func TestClientCredentialsRefused(t *testing.T) {
	t.Parallel()
	for _, method := range []string{authkittest.AuthMethodBasic, authkittest.AuthMethodPost} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			s := machineServer(t, method)
			c := machineClient(t, s, nil)
			ctx := context.Background()
			check := func(what string, tok *flow.Token, err error, want error, status int, says string) {
				t.Helper()
				if tok != nil || !errors.Is(err, want) {
					t.Fatalf("%s: %v, %v; want %v", what, tok, err, want)
				}
				var fe *flow.Error
				if !errors.As(err, &fe) || fe.StatusCode != status {
					t.Errorf("%s: not a %d *flow.Error: %#v", what, status, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, machineID) && !strings.Contains(msg, "client_nobody") || !strings.Contains(msg, says) || strings.Contains(msg, "\n") {
					t.Errorf("%s: message %q does not name the client and say %q on one line", what, msg, says)
				}
				for _, other := range []error{flow.ErrClientRejected, flow.ErrUnauthorizedClient, flow.ErrInvalidScope} {
					if other != want && errors.Is(err, other) {
						t.Errorf("%s: %v also matches %v", what, err, other)
					}
				}
				if flow.IsTransient(err) {
					t.Errorf("%s: counted as transient", what)
				}
			}
			tok, err := c.ClientCredentials(ctx, "wrong-secret", nil)
			check("wrong secret", tok, err, flow.ErrClientRejected, 401, "invalid_client")
			if !errors.Is(err, flow.ErrInvalidClient) {
				t.Errorf("wrong secret: not ErrInvalidClient: %v", err)
			}
			other := *c
			other.ClientID = "client_nobody"
			tok, err = other.ClientCredentials(ctx, machineSecret, nil)
			check("unknown client", tok, err, flow.ErrClientRejected, 401, "invalid_client")

			tok, err = c.ClientCredentials(ctx, machineSecret, []string{"deploy:read", "deploy:admin"})
			check("scope", tok, err, flow.ErrInvalidScope, 400, "deploy:admin")

			if err := s.DisableMachine(machineID); err != nil {
				t.Fatal(err)
			}
			tok, err = c.ClientCredentials(ctx, machineSecret, nil)
			check("disabled", tok, err, flow.ErrUnauthorizedClient, 400, "unauthorized_client")
			tok, err = c.ClientCredentials(ctx, "wrong-secret", nil)
			check("disabled, wrong secret", tok, err, flow.ErrClientRejected, 401, "invalid_client")

			s.AddMachine(machineID, authkittest.Machine{Secret: "rotated-secret-0123456789", OrganizationID: machineOrg})
			if _, err := c.ClientCredentials(ctx, machineSecret, nil); !errors.Is(err, flow.ErrClientRejected) {
				t.Errorf("the secret before a rotation: %v", err)
			}
			if _, err := c.ClientCredentials(ctx, "rotated-secret-0123456789", nil); err != nil {
				t.Errorf("the rotated secret: %v", err)
			}
		})
	}
}

// TestClientCredentialsBeforeSending: what cannot work is refused before
// the secret is sent anywhere: the User Management flavour (WorkOS's M2M
// applications are Connect's, on the AuthKit domain), a server whose
// discovery takes no client secret, a scope that is not a scope token.
func TestClientCredentialsBeforeSending(t *testing.T) {
	t.Parallel()
	s := newServer(t, authkittest.Config{MachineAuthMethods: []string{"private_key_jwt"},
		Machines: map[string]authkittest.Machine{machineID: {Secret: machineSecret}}})
	w := &wire{}
	hc := &http.Client{Transport: w}
	ctx := context.Background()

	um, err := flow.WorkOS(s.URL, machineID)
	if err != nil {
		t.Fatal(err)
	}
	c := &flow.Client{Provider: um, ClientID: machineID, HTTPClient: hc}
	if _, err := c.ClientCredentials(ctx, machineSecret, nil); !errors.Is(err, flow.ErrM2MNeedsIssuer) {
		t.Errorf("User Management: %v, want ErrM2MNeedsIssuer", err)
	}

	c = machineClient(t, s, hc)
	_, err = c.ClientCredentials(ctx, machineSecret, nil)
	if !errors.Is(err, flow.ErrNoSecretAuthMethod) || !strings.Contains(err.Error(), "private_key_jwt") {
		t.Errorf("no secret method: %v, want ErrNoSecretAuthMethod naming what it lists", err)
	}
	for _, scope := range []string{"a b", `"q"`, "x\ny", ""} {
		if _, err := c.ClientCredentials(ctx, machineSecret, []string{scope}); !errors.Is(err, flow.ErrInvalidScope) {
			t.Errorf("scope %q: %v", scope, err)
		}
	}
	if _, err := c.ClientCredentials(ctx, "", nil); err == nil {
		t.Error("no secret: no error")
	}
	for _, sent := range w.sent {
		if !strings.Contains(sent.url, "/.well-known/") {
			t.Errorf("a request was sent to %s", sent.url)
		}
	}
	if n := s.Requests(authkittest.ClientCredentials) + s.Requests(authkittest.Poll); n != 0 {
		t.Errorf("%d token requests reached the server", n)
	}
}

// TestDiscoverM2M: an issuer whose discovery lists a token endpoint but
// no device endpoint is good for machines (not for a person's sign-in),
// with the same refusal of endpoints on other origins.
func TestDiscoverM2M(t *testing.T) {
	t.Parallel()
	s := machineServer(t)
	c := &flow.Client{ClientID: machineID}
	ctx := context.Background()
	p, err := c.DiscoverM2M(ctx, s.URL)
	if err != nil || p.TokenURL != s.URL+"/oauth2/token" || len(p.TokenAuthMethods) != 3 {
		t.Fatalf("DiscoverM2M = %+v, %v", p, err)
	}
	doc := map[string]any{"issuer": s.URL, "token_endpoint": s.URL + "/oauth2/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post"}}
	s.Fail(authkittest.Discovery, authkittest.Answer(200, doc), authkittest.Answer(200, doc))
	if _, err := c.Discover(ctx, s.URL); err == nil {
		t.Error("Discover took a document without a device endpoint")
	}
	s.Fail(authkittest.Discovery, authkittest.Answer(200, doc))
	p, err = c.DiscoverM2M(ctx, s.URL)
	if err != nil || p.DeviceAuthURL != "" || p.TokenAuthMethods[0] != "client_secret_post" {
		t.Fatalf("DiscoverM2M without a device endpoint = %+v, %v", p, err)
	}
	evil := newCatcher(t)
	doc["token_endpoint"] = evil.URL + "/token"
	s.Fail(authkittest.Discovery, authkittest.Answer(200, doc))
	if _, err := c.DiscoverM2M(ctx, s.URL); !errors.Is(err, flow.ErrForeignEndpoint) {
		t.Errorf("a token endpoint elsewhere: %v", err)
	}
}

// TestMachineServerRefuses: the local server holds clients to RFC 6749
// section 2.3: one way of authenticating, Basic credentials
// form-urlencoded, a secret always; and discovery says what it takes.
func TestMachineServerRefuses(t *testing.T) {
	t.Parallel()
	s := machineServer(t)
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	enc := basic(url.QueryEscape(machineID), url.QueryEscape(machineSecret))
	for _, tc := range []struct {
		name, path, auth string
		form             url.Values
		status           int
		code             string
	}{
		{"basic", "/oauth2/token", enc, url.Values{}, 200, ""},
		{"post", "/oauth2/token", "", url.Values{"client_id": {machineID}, "client_secret": {machineSecret}}, 200, ""},
		{"both", "/oauth2/token", enc, url.Values{"client_id": {machineID}, "client_secret": {machineSecret}}, 400, "invalid_request"},
		{"neither", "/oauth2/token", "", url.Values{"client_id": {machineID}}, 401, "invalid_client"},
		{"basic not form-urlencoded", "/oauth2/token", basic(machineID, machineSecret), url.Values{}, 401, "invalid_client"},
		{"basic for another client_id", "/oauth2/token", enc, url.Values{"client_id": {"client_other"}}, 400, "invalid_request"},
		{"the public client", "/oauth2/token", "", url.Values{"client_id": {authkittest.DefaultClientID}, "client_secret": {"x"}}, 401, "invalid_client"},
		{"User Management", "/user_management/authenticate", "", url.Values{"client_id": {machineID}, "client_secret": {machineSecret}}, 400, "unsupported_grant_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("grant_type", "client_credentials")
			req, _ := http.NewRequest(http.MethodPost, s.URL+tc.path, strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Error        string `json:"error"`
				RefreshToken string `json:"refresh_token"`
				ExpiresIn    int    `json:"expires_in"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tc.status || body.Error != tc.code {
				t.Errorf("HTTP %d %q, want %d %q", resp.StatusCode, body.Error, tc.status, tc.code)
			}
			if tc.status == 200 && (body.RefreshToken != "" || body.ExpiresIn != 600) {
				t.Errorf("refresh token %q, expires_in %d", body.RefreshToken, body.ExpiresIn)
			}
			if tc.status == 401 && tc.auth != "" && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 to Basic without a WWW-Authenticate challenge")
			}
		})
	}
	resp, err := http.Get(s.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Grants  []string `json:"grant_types_supported"`
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	if !strings.Contains(strings.Join(doc.Grants, " "), "client_credentials") ||
		strings.Join(doc.Methods, " ") != "none client_secret_basic client_secret_post" {
		t.Errorf("discovery lists %v and %v", doc.Grants, doc.Methods)
	}
}

// fakeJWT is a JWT with the given claims and a signature nobody checks
// (the client reads the claims without verifying them).
func fakeJWT(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

// lowerPercent writes s's percent-escapes in lower case (%2b for %2B):
// the same string to a URL decoder, other bytes to a search.
func lowerPercent(s string) string {
	return regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(s, strings.ToLower)
}

// jsonEscaped writes every character of s as a \u escape: the same
// string to a JSON decoder, other bytes to a search.
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// TestClientCredentialsHostile: the answers of a server that is broken
// or hostile (redirects, HTML, text, odd tokens, echoes of the secret)
// end in an error or a usable token, never in a request to anywhere else,
// and never with the secret in anything returned.
func TestClientCredentialsHostile(t *testing.T) {
	t.Parallel()
	exp := time.Now().Add(7 * time.Minute).Unix()
	goodJWT := fakeJWT(map[string]any{"sub": machineID, "org_id": machineOrg, "exp": exp})
	tokenAnswer := func(fields map[string]any) authkittest.Fault {
		m := map[string]any{"access_token": goodJWT, "token_type": "Bearer", "expires_in": 300}
		for k, v := range fields {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return authkittest.Answer(200, m)
	}
	raw := func(status int, ct, body string) authkittest.Fault {
		return authkittest.Fault{Status: status, ContentType: ct, Body: body}
	}
	escapedSecret := jsonEscaped(machineSecret)
	anything := errors.New("an error or a token") // for answers not of this grant: the secret is the point
	ok := func(*testing.T, *flow.Token) {}
	cases := []struct {
		name  string
		fault authkittest.Fault
		want  error // nil: a token, which check checks
		check func(t *testing.T, tok *flow.Token)
	}{
		{"HTML login page", raw(200, "text/html", "<html><body>Sign in</body></html>"), flow.ErrBadResponse, nil},
		{"form-encoded answer", raw(200, "application/x-www-form-urlencoded", "access_token=abc&token_type=bearer&expires_in=300"), flow.ErrBadResponse, nil},
		{"plain text", raw(200, "text/plain", "ok"), flow.ErrBadResponse, nil},
		{"empty 200", raw(200, "application/json", ""), flow.ErrBadResponse, nil},
		{"HTML error page", raw(502, "text/html", "<html>Bad Gateway</html>"), flow.ErrTransient, nil},
		{"no access token", tokenAnswer(map[string]any{"access_token": nil}), flow.ErrBadResponse, nil},
		{"token with CR LF", tokenAnswer(map[string]any{"access_token": "eyJ.a.b\r\nX-Injected: 1"}), flow.ErrBadResponse, nil},
		{"token with escapes", tokenAnswer(map[string]any{"access_token": "abc" + authkittest.Escapes}), flow.ErrBadResponse, nil},
		{"huge token", tokenAnswer(map[string]any{"access_token": strings.Repeat("a", flow.MaxTokenLength+1)}), flow.ErrBadResponse, nil},
		{"huge answer", tokenAnswer(map[string]any{"padding": strings.Repeat("x", flow.DefaultMaxResponseBytes)}), flow.ErrBadResponse, nil},
		{"token_type DPoP", tokenAnswer(map[string]any{"token_type": "DPoP"}), flow.ErrBadResponse, nil},
		{"token_type mac", tokenAnswer(map[string]any{"token_type": "mac"}), flow.ErrBadResponse, nil},
		{"opaque token, no expiry at all", tokenAnswer(map[string]any{"access_token": "opaque_0123", "expires_in": nil}), flow.ErrBadResponse, nil},
		{"expires_in not a number", tokenAnswer(map[string]any{"expires_in": "soon"}), flow.ErrBadResponse, nil},
		{"token_type lower case", tokenAnswer(map[string]any{"token_type": "bearer"}), nil, ok},
		{"no token_type", tokenAnswer(map[string]any{"token_type": nil}), nil, ok},
		{"no expires_in: the JWT's exp", tokenAnswer(map[string]any{"expires_in": nil}), nil, func(t *testing.T, tok *flow.Token) {
			if tok.Expiry.Unix() != exp {
				t.Errorf("expiry %v, want the exp claim", tok.Expiry)
			}
		}},
		{"opaque token with expires_in", tokenAnswer(map[string]any{"access_token": "opaque_0123"}), nil, func(t *testing.T, tok *flow.Token) {
			if tok.OrganizationID != "" || time.Until(tok.Expiry) > 5*time.Minute {
				t.Errorf("opaque token: organization %q, expiry %v", tok.OrganizationID, tok.Expiry)
			}
		}},
		{"a refresh token anyway", tokenAnswer(map[string]any{"refresh_token": "rt_unasked"}), nil, func(t *testing.T, tok *flow.Token) {
			if !tok.RefreshToken.IsZero() {
				t.Error("kept a refresh token the grant does not have")
			}
		}},
		{"escape sequences in the description", authkittest.ErrorAnswer(400, "invalid_client", authkittest.Escapes), flow.ErrClientRejected, nil},
		{"secret echoed in the description", authkittest.ErrorAnswer(401, "invalid_client", "bad secret "+machineSecret), flow.ErrClientRejected, nil},
		{"secret echoed form-encoded", authkittest.ErrorAnswer(401, "invalid_client", "got client_secret="+url.QueryEscape(machineSecret)), flow.ErrClientRejected, nil},
		{"secret echoed lower-case percent-encoded", authkittest.ErrorAnswer(401, "invalid_client", "got "+lowerPercent(url.QueryEscape(machineSecret))), flow.ErrClientRejected, nil},
		{"Basic header echoed", authkittest.ErrorAnswer(401, "invalid_client", "got Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(machineID)+":"+url.QueryEscape(machineSecret)))), flow.ErrClientRejected, nil},
		{"secret echoed under JSON escapes", raw(401, "application/json", `{"error":"invalid_client","error_description":"bad secret `+escapedSecret+`"}`), flow.ErrClientRejected, nil},
		{"secret echoed under JSON escapes, no code", raw(400, "application/json", `{"detail":"`+escapedSecret+`"}`), anything, nil},
		{"secret echoed as the code", raw(400, "application/json", `{"error":"`+escapedSecret+`"}`), anything, nil},
		{"secret echoed in a text error", raw(500, "text/plain", "client_secret="+url.QueryEscape(machineSecret)), flow.ErrTransient, nil},
		{"secret as the token_type", tokenAnswer(map[string]any{"token_type": machineSecret}), flow.ErrBadResponse, nil},
		{"secret as the token_type, JSON-escaped", raw(200, "application/json", `{"access_token":"abc","expires_in":60,"token_type":"`+escapedSecret+`"}`), flow.ErrBadResponse, nil},
		{"secret as the expires_in", tokenAnswer(map[string]any{"expires_in": machineSecret}), flow.ErrBadResponse, nil},
		{"secret as the organization claim", tokenAnswer(map[string]any{"access_token": fakeJWT(map[string]any{"org_id": machineSecret, "exp": exp})}), flow.ErrBadResponse, nil},
	}
	for _, method := range []string{authkittest.AuthMethodBasic, authkittest.AuthMethodPost} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			s := machineServer(t, method)
			c := machineClient(t, s, nil)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					s.Fail(authkittest.ClientCredentials, tc.fault)
					tok, err := c.ClientCredentials(context.Background(), machineSecret, nil)
					assertNoSecret(t, machineSecret, tok, err)
					switch {
					case tc.want == anything:
					case tc.want == nil && err != nil:
						t.Fatalf("err = %v, want a token", err)
					case tc.want == nil:
						tc.check(t, tok)
					case !errors.Is(err, tc.want) || tok != nil:
						t.Fatalf("%v, %v; want %v", tok, err, tc.want)
					}
					if err != nil && strings.ContainsAny(err.Error(), "\x1b\x07\r\n\u009b\u202e") {
						t.Errorf("raw control characters in %q", err.Error())
					}
				})
			}
		})
	}
}

// TestClientCredentialsNoRedirect: a 30x from the token endpoint is an
// error naming where it pointed, whatever the method and even with a
// caller's client that follows redirects: nothing reaches the Location,
// and a Location that carries the secret is not shown.
func TestClientCredentialsNoRedirect(t *testing.T) {
	t.Parallel()
	evil := newCatcher(t)
	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	for _, method := range []string{authkittest.AuthMethodBasic, authkittest.AuthMethodPost} {
		for _, hc := range []*http.Client{nil, follow} {
			s := machineServer(t, method)
			c := machineClient(t, s, hc)
			for _, status := range []int{301, 302, 303, 307, 308} {
				s.Fail(authkittest.ClientCredentials, authkittest.Redirect(status, evil.URL+"/steal"))
				tok, err := c.ClientCredentials(context.Background(), machineSecret, nil)
				var re *flow.RedirectError
				if tok != nil || !errors.As(err, &re) || re.Location != evil.URL+"/steal" || !strings.Contains(err.Error(), evil.URL+"/steal") {
					t.Errorf("%s %d: %v, %v; want a *RedirectError naming the Location", method, status, tok, err)
				}
				for _, loc := range []string{
					evil.URL + "/steal?s=" + url.QueryEscape(machineSecret),
					evil.URL + "/steal/" + url.PathEscape(machineSecret),
					evil.URL + "/steal?s=" + lowerPercent(url.QueryEscape(machineSecret)),
				} {
					s.Fail(authkittest.ClientCredentials, authkittest.Redirect(status, loc))
					tok, err = c.ClientCredentials(context.Background(), machineSecret, nil)
					if !errors.Is(err, flow.ErrRedirect) {
						t.Errorf("%s %d: %v", method, status, err)
					}
					assertNoSecret(t, machineSecret, tok, err)
				}
			}
		}
	}
	if n := evil.hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the redirect's target; last carried %v", n, evil.bodies.Load())
	}
}

// assertNoSecret fails if secret, in any form it travelled in (as it is,
// form-urlencoded, path-escaped, in a Basic header), shows in the text
// of any value (%v, %+v, %#v, Error()) or anywhere inside it, however
// deep, unexported fields and JSON escapes included.
func assertNoSecret(t *testing.T, secret string, values ...any) {
	t.Helper()
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret), lowerPercent(url.QueryEscape(secret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(machineID) + ":" + url.QueryEscape(secret))),
		base64.StdEncoding.EncodeToString([]byte(machineID + ":" + secret))}
	leaks := func(s string) bool {
		for _, f := range forms {
			if strings.Contains(s, f) {
				return true
			}
		}
		var v any
		if json.Unmarshal([]byte(s), &v) == nil {
			b, _ := json.Marshal(v)
			if bytes.Contains(b, []byte(secret)) {
				return true
			}
			var str string
			if json.Unmarshal([]byte(s), &str) == nil && strings.Contains(str, secret) {
				return true
			}
		}
		return false
	}
	for _, v := range values {
		texts := []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v)}
		if err, ok := v.(error); ok && err != nil {
			texts = append(texts, err.Error())
		}
		for _, s := range texts {
			if leaks(s) {
				t.Errorf("the secret shows in %T: %s", v, s)
			}
		}
		walkStrings(reflect.ValueOf(v), map[uintptr]bool{}, func(s string) {
			if leaks(s) {
				t.Errorf("the secret is inside %T: %.300q", v, s)
			}
		})
	}
}

// walkStrings calls f with every string and byte slice reachable from v.
func walkStrings(v reflect.Value, seen map[uintptr]bool, f func(string)) {
	switch v.Kind() {
	case reflect.String:
		f(v.String())
	case reflect.Pointer, reflect.Map:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		if v.Kind() == reflect.Pointer {
			walkStrings(v.Elem(), seen, f)
			return
		}
		for it := v.MapRange(); it.Next(); {
			walkStrings(it.Key(), seen, f)
			walkStrings(it.Value(), seen, f)
		}
	case reflect.Interface:
		walkStrings(v.Elem(), seen, f)
	case reflect.Struct:
		for i := range v.NumField() {
			walkStrings(v.Field(i), seen, f)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			f(string(v.Bytes()))
			return
		}
		for i := range v.Len() {
			walkStrings(v.Index(i), seen, f)
		}
	}
}

// roundTrip answers every request itself, without a network.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzClientCredentialsAnswer: whatever a token endpoint answers to the
// client-credentials grant (any status, body and Location, with the
// secret it was sent pasted in as it is, form-urlencoded, in a Basic
// header or under JSON escapes wherever the input says SECRET, QSECRET,
// BSECRET or JSECRET) ends in a token with an expiry and no refresh
// token, or in an error, and never with the secret in either.
func FuzzClientCredentialsAnswer(f *testing.F) {
	f.Add(200, `{"access_token":"abc.def","token_type":"Bearer","expires_in":300}`, "", true)
	f.Add(401, `{"error":"invalid_client","error_description":"bad secret SECRET"}`, "", false)
	f.Add(401, `{"error":"invalid_client","error_description":"bad secret JSECRET"}`, "", true)
	f.Add(400, `{"code":"QSECRET","message":"BSECRET"}`, "", true)
	f.Add(307, ``, "https://evil.test/?s=QSECRET", false)
	f.Add(200, `{"access_token":"abc","expires_in":60,"token_type":"JSECRET"}`, "", true)
	f.Add(200, `{"access_token":"abc","expires_in":"SECRET"}`, "", false)
	f.Add(500, `<html>SECRET</html>`, "", true)
	basicCred := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(machineID) + ":" + url.QueryEscape(machineSecret)))
	paste := strings.NewReplacer("QSECRET", url.QueryEscape(machineSecret), "BSECRET", basicCred,
		"JSECRET", jsonEscaped(machineSecret), "SECRET", machineSecret)
	f.Fuzz(func(t *testing.T, status int, body, location string, basic bool) {
		if status < 200 || status > 599 {
			return
		}
		body, location = paste.Replace(body), paste.Replace(location)
		method := authkittest.AuthMethodPost
		if basic {
			method = authkittest.AuthMethodBasic
		}
		c := &flow.Client{
			ClientID: machineID,
			Provider: flow.Provider{Flavour: flow.Standard, TokenURL: "https://authkit.test/oauth2/token", TokenAuthMethods: []string{method}},
			HTTPClient: &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
				h := http.Header{"Content-Type": {"application/json"}}
				if location != "" {
					h.Set("Location", location)
				}
				return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d x", status), Header: h,
					Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
			})},
		}
		tok, err := c.ClientCredentials(context.Background(), machineSecret, nil)
		if err == nil && (tok.AccessToken.IsZero() || tok.Expiry.IsZero() || !tok.RefreshToken.IsZero()) {
			t.Fatalf("accepted %+v", tok)
		}
		assertNoSecret(t, machineSecret, tok, err)
	})
}
