package flow

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/authwrap/authwrap/internal/safetext"
)

// ClientCredentialsGrant is the grant_type of RFC 6749 section 4.4, which
// WorkOS Connect's M2M applications use.
const ClientCredentialsGrant = "client_credentials"

// The client authentication methods of RFC 6749 section 2.3.1, as
// discovery's token_endpoint_auth_methods_supported names them.
const (
	// AuthMethodBasic sends the client ID and secret in an HTTP Basic
	// Authorization header, each form-urlencoded first.
	AuthMethodBasic = "client_secret_basic"
	// AuthMethodPost sends them as the form fields client_id and
	// client_secret.
	AuthMethodPost = "client_secret_post"
)

var (
	// ErrClientRejected means the server refused a confidential client's
	// ID and secret (invalid_client): a wrong, revoked or mistyped
	// secret, or an application that does not exist (deleted, or another
	// environment's). It also matches ErrInvalidClient.
	ErrClientRejected = errors.New("the server refused the client ID and secret")
	// ErrM2MNeedsIssuer means ClientCredentials was asked of the User
	// Management flavour. WorkOS's M2M applications are WorkOS Connect
	// applications: their token endpoint is /oauth2/token on the AuthKit
	// domain (the issuer), and api.workos.com has no client-credentials
	// grant.
	ErrM2MNeedsIssuer = errors.New("an M2M application gets its tokens from the AuthKit domain's /oauth2/token (WorkOS Connect), not from the User Management API: configure the issuer (https://<name>.authkit.app) instead of the API URL")
	// ErrNoSecretAuthMethod means the server's discovery document lists
	// the ways its token endpoint authenticates clients, and takes a
	// client secret in none of them; the secret is not sent.
	ErrNoSecretAuthMethod = errors.New("the token endpoint takes no client secret (its discovery lists neither client_secret_basic nor client_secret_post)")
)

// clientAuth is a confidential client's credentials for one request.
type clientAuth struct {
	basic  bool // an Authorization header; else form fields
	id     string
	secret Secret
}

// basicCredentials is the Basic scheme's token: base64 of the
// form-urlencoded client ID, a colon, and the form-urlencoded secret
// (RFC 6749 section 2.3.1).
func (a *clientAuth) basicCredentials() string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(a.id) + ":" + url.QueryEscape(a.secret.Reveal())))
}

// clientSecretMethod picks how to send a client secret to p's token
// endpoint: Basic when discovery lists client_secret_basic (RFC 6749
// section 2.3.1 makes it the one every server must take), the form when
// it lists only client_secret_post or nothing at all (as WorkOS documents
// its token endpoint), and neither when it lists other methods only.
func (p Provider) clientSecretMethod() (basic bool, err error) {
	switch {
	case len(p.TokenAuthMethods) == 0:
		return false, nil
	case slices.Contains(p.TokenAuthMethods, AuthMethodBasic):
		return true, nil
	case slices.Contains(p.TokenAuthMethods, AuthMethodPost):
		return false, nil
	}
	listed := make([]string, len(p.TokenAuthMethods))
	for i, m := range p.TokenAuthMethods {
		listed[i] = safetext.Inert(m)
	}
	return false, fmt.Errorf("%w; it lists %s", ErrNoSecretAuthMethod, strings.Join(listed, ", "))
}

// ClientCredentials gets an access token for a confidential client with
// RFC 6749 section 4.4's client-credentials grant: for WorkOS, an M2M
// application of WorkOS Connect, whose token names the organization it
// acts for (Token.OrganizationID, from the org_id claim). scopes, when
// given, narrow the token to those the application is granted; none asks
// for all of them.
//
// It makes one request to the Standard provider's token endpoint (from
// Discover or DiscoverM2M), authenticating with secret as the provider's
// TokenAuthMethods say. The request follows no redirect, even with an
// HTTPClient whose CheckRedirect would, and the secret appears in no error.
// The answer has no refresh token (one a server sends anyway is dropped):
// a token near its expiry is replaced by running the grant again.
//
// A refused grant is an *Error matching ErrClientRejected (a wrong secret,
// an unknown application), ErrUnauthorizedClient (an application that may
// not use the grant) or ErrInvalidScope (a scope it is not granted);
// ErrTransient marks one worth retrying.
func (c *Client) ClientCredentials(ctx context.Context, secret Secret, scopes []string) (*Token, error) {
	if c.Provider.Flavour == UserManagement {
		return nil, ErrM2MNeedsIssuer
	}
	if c.ClientID == "" || secret.IsZero() {
		return nil, errors.New("a client-credentials grant needs the application's client ID and client secret")
	}
	for _, s := range scopes {
		if !isScopeToken(s) {
			return nil, fmt.Errorf("%w: %.80q is not a scope (printable ASCII without spaces, quotes or backslashes)", ErrInvalidScope, s)
		}
	}
	basic, err := c.Provider.clientSecretMethod()
	if err != nil {
		return nil, fmt.Errorf("getting a token for client %s: %w", safetext.Inert(c.ClientID), err)
	}
	auth := &clientAuth{basic: basic, id: c.ClientID, secret: secret}
	form := url.Values{"grant_type": {ClientCredentialsGrant}}
	if !basic {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", secret.Reveal())
	}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	tok, err := c.clientCredentials(ctx, form, auth)
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) && fe.Code == "invalid_client" {
			err = &rejectedError{err}
		}
		return nil, fmt.Errorf("getting a token for client %s: %w", safetext.Inert(c.ClientID), err)
	}
	return tok, nil
}

func (c *Client) clientCredentials(ctx context.Context, form url.Values, auth *clientAuth) (*Token, error) {
	var r tokenResponse
	start := c.clock()
	if _, err := c.send(ctx, http.MethodPost, c.Provider.TokenURL, form, auth, &r); err != nil {
		return nil, err
	}
	// What an error or a caller may show of the answer (its token_type,
	// the organization, the claims) must not be the secret, however the
	// JSON or the JWT encoded it.
	secrets := requestSecrets(form, auth)
	echo := fmt.Errorf("%w: the token answer holds the client secret", ErrBadResponse)
	if secrets.in(r.TokenType) {
		return nil, echo
	}
	tok, err := r.token(start)
	if err != nil {
		return nil, err
	}
	if secrets.in(fmt.Sprintf("%#v %#v", *tok, tok.User)) {
		return nil, echo
	}
	tok.RefreshToken = "" // not part of this grant: it is run again instead
	return tok, nil
}

// rejectedError is an invalid_client answer to a request that carried a
// client secret: it is also ErrClientRejected.
type rejectedError struct{ err error }

func (e *rejectedError) Error() string   { return e.err.Error() }
func (e *rejectedError) Unwrap() []error { return []error{ErrClientRejected, e.err} }

// isScopeToken reports whether s is an RFC 6749 section 3.3 scope-token:
// one or more of %x21 / %x23-5B / %x5D-7E.
func isScopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return s != ""
}
