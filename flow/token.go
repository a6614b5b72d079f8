package flow

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

// Token is the answer to a successful sign-in or refresh. Its secrets are
// [Secret] values, so printing a Token never shows them.
type Token struct {
	// AccessToken is the bearer token to hand to the service.
	AccessToken Secret
	// RefreshToken exchanges for a new pair; WorkOS rotates it on every use.
	RefreshToken Secret
	// IDToken is the OpenID Connect ID token, when the server sent one.
	IDToken Secret
	// TokenType is "Bearer" (WorkOS User Management sends none; Bearer is assumed).
	TokenType string
	// Expiry is when AccessToken stops being valid: from expires_in, or the
	// JWT's exp claim, whichever is earlier. Zero means unknown.
	Expiry time.Time
	// User is the signed-in user, as WorkOS User Management reports it.
	User *User
	// OrganizationID is the WorkOS organization the session is scoped to.
	OrganizationID string
	// AuthenticationMethod is how the user signed in, when reported.
	AuthenticationMethod string
	// Claims are the access token's claims, decoded without verification.
	Claims Claims
}

// User is the person a WorkOS User Management token belongs to.
type User struct {
	// ID is the WorkOS user ID (user_...).
	ID string `json:"id"`
	// Email is the user's email address.
	Email string `json:"email"`
	// FirstName is the user's first name, when known.
	FirstName string `json:"first_name,omitempty"`
	// LastName is the user's last name, when known.
	LastName string `json:"last_name,omitempty"`
}

// Claims are the access token JWT claims authwrap reads. They are decoded
// without checking the signature: they only tell the client about its own
// token (expiry, session, organization); the service verifies the token.
type Claims struct {
	// Issuer is the iss claim (it varies between WorkOS deployments).
	Issuer string `json:"iss,omitempty"`
	// Subject is the sub claim: the user ID.
	Subject string `json:"sub,omitempty"`
	// SessionID is the sid claim: the WorkOS session.
	SessionID string `json:"sid,omitempty"`
	// OrganizationID is the org_id claim.
	OrganizationID string `json:"org_id,omitempty"`
	// Role is the role claim in the organization.
	Role string `json:"role,omitempty"`
	// IssuedAt is the iat claim.
	IssuedAt time.Time `json:"iat,omitzero"`
	// ExpiresAt is the exp claim.
	ExpiresAt time.Time `json:"exp,omitzero"`
}

// ValidFor reports whether the access token is present and stays valid for
// at least d. A token whose expiry is unknown counts as valid.
func (t *Token) ValidFor(d time.Duration) bool {
	if t == nil || t.AccessToken.IsZero() {
		return false
	}
	return t.Expiry.IsZero() || time.Until(t.Expiry) > d
}

// OAuth2 converts t to an *oauth2.Token, for use with oauth2.NewClient and
// oauth2.StaticTokenSource. The result does not redact itself.
func (t *Token) OAuth2() *oauth2.Token {
	typ := t.TokenType
	if typ == "" {
		typ = "Bearer"
	}
	return &oauth2.Token{
		AccessToken:  t.AccessToken.Reveal(),
		RefreshToken: t.RefreshToken.Reveal(),
		TokenType:    typ,
		Expiry:       t.Expiry,
	}
}

// seconds decodes a JSON number of seconds sent as an integer, a float or
// a numeric string: real servers send all three.
type seconds float64

func (s *seconds) UnmarshalJSON(b []byte) error {
	str := strings.Trim(string(b), `"`)
	if str == "" || str == "null" {
		*s = 0
		return nil
	}
	f, err := strconv.ParseFloat(str, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("not a number of seconds: %.40q", string(b))
	}
	*s = seconds(f)
	return nil
}

// duration converts to a time.Duration, saturating instead of overflowing.
func (s seconds) duration() time.Duration {
	const maxSeconds = float64(math.MaxInt64 / int64(time.Second))
	f := float64(s)
	switch {
	case f > maxSeconds:
		return time.Duration(math.MaxInt64)
	case f < -maxSeconds:
		return time.Duration(math.MinInt64)
	}
	return time.Duration(f * float64(time.Second))
}

// tokenResponse is the union of both flavours' token answers.
type tokenResponse struct {
	AccessToken          string  `json:"access_token"`
	RefreshToken         string  `json:"refresh_token"`
	IDToken              string  `json:"id_token"`
	TokenType            string  `json:"token_type"`
	ExpiresIn            seconds `json:"expires_in"`
	User                 *User   `json:"user"`
	OrganizationID       string  `json:"organization_id"`
	AuthenticationMethod string  `json:"authentication_method"`
}

func (r *tokenResponse) token(now time.Time) (*Token, error) {
	if r.AccessToken == "" {
		return nil, fmt.Errorf("%w: the token answer has no access_token", ErrBadResponse)
	}
	if err := checkTokenSyntax(r); err != nil {
		return nil, err
	}
	if r.TokenType != "" && !strings.EqualFold(r.TokenType, "bearer") {
		return nil, fmt.Errorf("%w: token_type %.40q is not Bearer", ErrBadResponse, r.TokenType)
	}
	t := &Token{
		AccessToken:          Secret(r.AccessToken),
		RefreshToken:         Secret(r.RefreshToken),
		IDToken:              Secret(r.IDToken),
		TokenType:            "Bearer",
		User:                 r.User,
		OrganizationID:       r.OrganizationID,
		AuthenticationMethod: r.AuthenticationMethod,
	}
	if c, err := ParseClaims(r.AccessToken); err == nil {
		t.Claims = c
		if t.OrganizationID == "" {
			t.OrganizationID = c.OrganizationID
		}
	}
	if r.ExpiresIn > 0 {
		t.Expiry = now.Add(r.ExpiresIn.duration())
	}
	if exp := t.Claims.ExpiresAt; !exp.IsZero() && (t.Expiry.IsZero() || exp.Before(t.Expiry)) {
		t.Expiry = exp
	}
	if t.Expiry.IsZero() {
		return nil, fmt.Errorf("%w: the token answer says neither expires_in nor a JWT exp", ErrBadResponse)
	}
	return t, nil
}

// MaxTokenLength bounds each token in a token answer. WorkOS's access
// tokens are about a kilobyte; a token this long is the server's error,
// and one that large would not fit an environment variable or a keyring.
const MaxTokenLength = 16 << 10

// checkTokenSyntax refuses tokens that could not be sent as they are: an
// access token must be an RFC 6750 b64token (it goes into Authorization
// headers, git's and docker's line protocols and shell substitutions,
// where a CR or LF would inject headers or attributes), and a refresh or
// ID token must be visible ASCII (RFC 6749 appendix A).
func checkTokenSyntax(r *tokenResponse) error {
	for _, t := range []struct {
		name, value string
		ok          func(string) bool
	}{
		{"access_token", r.AccessToken, IsB64Token},
		{"refresh_token", r.RefreshToken, isVSChars},
		{"id_token", r.IDToken, IsB64Token},
	} {
		if len(t.value) > MaxTokenLength {
			return fmt.Errorf("%w: the %s is %d bytes long (at most %d)", ErrBadResponse, t.name, len(t.value), MaxTokenLength)
		}
		if t.value != "" && !t.ok(t.value) {
			return fmt.Errorf("%w: the %s holds characters a token may not have (control characters, spaces or quotes)", ErrBadResponse, t.name)
		}
	}
	return nil
}

// IsB64Token reports whether s is an RFC 6750 b64token: one or more of
// ALPHA DIGIT "-" "." "_" "~" "+" "/", then any number of "=".
func IsB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
		if !ok {
			return false
		}
	}
	return true
}

// isVSChars reports whether s is RFC 6749's 1*VSCHAR, less the space:
// printable ASCII only.
func isVSChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return s != ""
}

// jwtAlgorithms are the signature algorithms ParseClaims accepts in a JWT
// header; the signature itself is not checked.
var jwtAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512,
}

// ParseClaims decodes the claims of a JWT access token without verifying
// its signature. It fails for a token that is not a JWT.
func ParseClaims(token string) (Claims, error) {
	tok, err := jwt.ParseSigned(token, jwtAlgorithms)
	if err != nil {
		return Claims{}, fmt.Errorf("access token is not a JWT: %w", err)
	}
	var raw struct {
		jwt.Claims
		SessionID      string `json:"sid"`
		OrganizationID string `json:"org_id"`
		Role           string `json:"role"`
	}
	if err := tok.UnsafeClaimsWithoutVerification(&raw); err != nil {
		return Claims{}, fmt.Errorf("access token claims: %w", err)
	}
	c := Claims{
		Issuer:         raw.Issuer,
		Subject:        raw.Subject,
		SessionID:      raw.SessionID,
		OrganizationID: raw.OrganizationID,
		Role:           raw.Role,
	}
	if raw.IssuedAt != nil {
		c.IssuedAt = raw.IssuedAt.Time()
	}
	if raw.Expiry != nil {
		c.ExpiresAt = raw.Expiry.Time()
	}
	return c, nil
}

// decodeJSON decodes a JSON object into v, naming HTML answers plainly.
func decodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		trimmed := strings.TrimSpace(string(body))
		if strings.HasPrefix(trimmed, "<") {
			return fmt.Errorf("%w: the server sent HTML, not JSON (is the URL right?)", ErrBadResponse)
		}
		return fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	return nil
}
