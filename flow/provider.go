package flow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Flavour says which of the two CLI Auth dialects a server speaks.
type Flavour int

const (
	// UserManagement is WorkOS User Management (AuthKit):
	// {api}/user_management/authorize/device and {api}/user_management/authenticate,
	// no scopes, and expiry read from the access token's exp claim.
	UserManagement Flavour = iota + 1
	// Standard is a plain RFC 8628 server found by discovery, such as WorkOS
	// Connect's /oauth2/device_authorization and /oauth2/token.
	Standard
)

// String names the flavour as the configuration spells it.
func (f Flavour) String() string {
	switch f {
	case UserManagement:
		return "user-management"
	case Standard:
		return "standard"
	}
	return fmt.Sprintf("Flavour(%d)", int(f))
}

// DefaultAPIURL is WorkOS's API, the default for the User Management flavour.
const DefaultAPIURL = "https://api.workos.com"

// Provider is where an authorization server takes device sign-ins and
// token requests.
type Provider struct {
	// Flavour is the dialect the server speaks.
	Flavour Flavour
	// Issuer is the discovery URL (Standard) or the API base URL (User Management).
	Issuer string
	// DeviceAuthURL is the device authorization endpoint.
	DeviceAuthURL string
	// TokenURL is the token endpoint, used for polling and refresh.
	TokenURL string
	// JWKSURL is where the server publishes its signing keys, when known.
	JWKSURL string
	// TokenAuthMethods are the ways the token endpoint takes a confidential
	// client's secret, from discovery's token_endpoint_auth_methods_supported
	// ("client_secret_basic", "client_secret_post", ...); nil when unknown.
	// Only ClientCredentials reads it.
	TokenAuthMethods []string
}

// WorkOS returns the User Management provider at apiURL (DefaultAPIURL when
// empty) for the given client ID (its JWKS URL is per client).
func WorkOS(apiURL, clientID string) (Provider, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	base, err := checkURL(apiURL)
	if err != nil {
		return Provider{}, err
	}
	b := strings.TrimRight(base.String(), "/")
	return Provider{
		Flavour:       UserManagement,
		Issuer:        b,
		DeviceAuthURL: b + "/user_management/authorize/device",
		TokenURL:      b + "/user_management/authenticate",
		JWKSURL:       b + "/sso/jwks/" + url.PathEscape(clientID),
	}, nil
}

// discoveryDoc holds the discovery fields the client uses (RFC 8414 and
// OpenID Connect Discovery share them).
type discoveryDoc struct {
	Issuer                      string   `json:"issuer"`
	DeviceAuthorizationEndpoint string   `json:"device_authorization_endpoint"`
	TokenEndpoint               string   `json:"token_endpoint"`
	JWKSURI                     string   `json:"jwks_uri"`
	TokenAuthMethods            []string `json:"token_endpoint_auth_methods_supported"`
}

// Discover finds a Standard provider from its issuer URL, trying
// /.well-known/oauth-authorization-server and then
// /.well-known/openid-configuration. Every endpoint it returns has passed
// the https-or-loopback check.
func (c *Client) Discover(ctx context.Context, issuer string) (Provider, error) {
	return c.discover(ctx, issuer, true)
}

// DiscoverM2M finds the token endpoint of a WorkOS Connect issuer (an
// AuthKit domain, https://<name>.authkit.app) or any RFC 8414 server, for
// ClientCredentials. It is Discover without the need for a
// device_authorization_endpoint, with the same checks on what it returns.
func (c *Client) DiscoverM2M(ctx context.Context, issuer string) (Provider, error) {
	return c.discover(ctx, issuer, false)
}

func (c *Client) discover(ctx context.Context, issuer string, device bool) (Provider, error) {
	base, err := checkURL(issuer)
	if err != nil {
		return Provider{}, err
	}
	b := strings.TrimRight(base.String(), "/")
	var errs []error
	for _, wk := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		var doc discoveryDoc
		if err := c.do(ctx, http.MethodGet, b+wk, nil, &doc); err != nil {
			if errors.Is(err, ErrRedirect) {
				return Provider{}, fmt.Errorf("discovery at %s: %w", b, err)
			}
			errs = append(errs, discoveryFailure(b+wk, err))
			if IsTransient(err) {
				break
			}
			continue
		}
		if device && (doc.DeviceAuthorizationEndpoint == "" || doc.TokenEndpoint == "") {
			errs = append(errs, fmt.Errorf("%s lists no device_authorization_endpoint or token_endpoint: the server may not support the device flow", b+wk))
			continue
		}
		if doc.TokenEndpoint == "" {
			errs = append(errs, fmt.Errorf("%s lists no token_endpoint", b+wk))
			continue
		}
		p := Provider{Flavour: Standard, Issuer: b, DeviceAuthURL: doc.DeviceAuthorizationEndpoint,
			TokenURL: doc.TokenEndpoint, JWKSURL: doc.JWKSURI, TokenAuthMethods: doc.TokenAuthMethods}
		if err := sameOrigin(base, doc, p); err != nil {
			return Provider{}, fmt.Errorf("discovery at %s: %w", b+wk, err)
		}
		return p, nil
	}
	return Provider{}, &discoveryError{issuer: b, errs: errs}
}

// discoveryError is a discovery that found no usable document: what each
// well-known URL answered, on one line. It unwraps to each answer.
type discoveryError struct {
	issuer string
	errs   []error
}

func (e *discoveryError) Error() string {
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return "discovery at " + e.issuer + " failed: " + strings.Join(msgs, "; ")
}

func (e *discoveryError) Unwrap() []error { return e.errs }

// discoveryFailure names the document's URL and, for an error answer, its
// status once: "URL answered HTTP 404 (not_found: Not Found)".
func discoveryFailure(url string, err error) error {
	var fe *Error
	switch {
	case errors.As(err, &fe):
		return &urlError{url: url, status: fe.StatusCode, what: fe.summary(), err: err}
	case IsTransient(err):
		return err // it names the URL
	}
	return fmt.Errorf("%s: %w", url, err)
}

// urlError is an error answer from one URL, told once: the URL, the
// status, and the code and description.
type urlError struct {
	url    string
	status int
	what   string
	err    error
}

func (e *urlError) Error() string {
	if e.what == "" {
		return fmt.Sprintf("%s answered HTTP %d", e.url, e.status)
	}
	return fmt.Sprintf("%s answered HTTP %d (%s)", e.url, e.status, e.what)
}

func (e *urlError) Unwrap() error { return e.err }

// sameOrigin checks a discovery document against the issuer it was
// fetched for: its issuer, when given, must be that issuer (RFC 8414
// section 3.3), and the endpoints that receive the device code and the
// refresh token must be on the issuer's scheme, host and port. A document
// that sends them elsewhere is refused, as a redirect would be.
func sameOrigin(issuer *url.URL, doc discoveryDoc, p Provider) error {
	if doc.Issuer != "" && strings.TrimRight(doc.Issuer, "/") != strings.TrimRight(issuer.String(), "/") {
		return fmt.Errorf("%w: it names issuer %.120q, not %s", ErrForeignEndpoint, doc.Issuer, issuer)
	}
	for _, ep := range []struct{ name, raw string }{
		{"device_authorization_endpoint", p.DeviceAuthURL}, {"token_endpoint", p.TokenURL},
	} {
		if ep.raw == "" {
			continue // DiscoverM2M needs no device endpoint; Discover checked there is one
		}
		u, err := checkURL(ep.raw)
		if err != nil {
			return fmt.Errorf("%s: %w", ep.name, err)
		}
		if !strings.EqualFold(u.Scheme, issuer.Scheme) || !strings.EqualFold(u.Host, issuer.Host) {
			return fmt.Errorf("%w: %s is %.120q, not on %s://%s", ErrForeignEndpoint, ep.name, ep.raw, issuer.Scheme, issuer.Host)
		}
	}
	return nil
}

// CheckURL returns an error wrapping ErrInsecureURL unless raw is an https
// URL, or an http URL whose host is a loopback address.
func CheckURL(raw string) error {
	_, err := checkURL(raw)
	return err
}

func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad URL %.80q: %w", raw, err)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: %.80q carries user info, which would be sent with every request", ErrInsecureURL, u.Redacted())
	}
	if u.Host == "" {
		if u.Scheme == "" && raw != "" && !strings.ContainsAny(raw, " /\\") {
			return nil, fmt.Errorf("%w: %.80q has no scheme: did you mean https://%.80s?", ErrInsecureURL, raw, raw)
		}
		return nil, fmt.Errorf("%w: %.80q has no host", ErrInsecureURL, raw)
	}
	switch u.Scheme {
	case "https":
		return u, nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return u, nil
		}
	}
	return nil, fmt.Errorf("%w: %.80q", ErrInsecureURL, raw)
}

// IsLoopback reports whether host (without port or brackets) names the
// local machine without asking DNS: a literal loopback IP address, or the
// exact name "localhost" (any letter case). A name a client would look up
// ("localhost.", "127.0.0.1.", "localhost.example") is not loopback, even
// when it resolves there today.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if strings.Contains(host, "%") {
		return false // a zone: fe80::1%lo is not loopback, and %25 is URL escaping
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
