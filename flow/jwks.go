package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// ErrNoJWKS means the provider names no JWKS URL (a standard server whose
// discovery document lists no jwks_uri).
var ErrNoJWKS = errors.New("the server publishes no signing keys (no jwks_uri)")

// ErrTokenSignature means an access token does not verify against the
// server's published keys.
var ErrTokenSignature = errors.New("the access token does not verify against the server's signing keys")

// JWKS fetches the server's signing keys (Provider.JWKSURL), with the same
// limits as every request (no redirect, bounded time and size). It also
// returns the time the server's Date header said, zero when it sent none,
// so a caller can tell the local clock's skew.
func (c *Client) JWKS(ctx context.Context) (*jose.JSONWebKeySet, time.Time, error) {
	if c.Provider.JWKSURL == "" {
		return nil, time.Time{}, ErrNoJWKS
	}
	var set jose.JSONWebKeySet
	h, err := c.doHeader(ctx, http.MethodGet, c.Provider.JWKSURL, nil, &set)
	var date time.Time
	if h != nil {
		date, _ = http.ParseTime(h.Get("Date"))
	}
	if err != nil {
		return nil, date, fmt.Errorf("fetching the signing keys: %w", err)
	}
	return &set, date, nil
}

// VerifyAccessToken checks that token is a JWT signed by one of keys and
// returns its claims. It does not check expiry or audience: the service
// that receives the token does that; this tells a person whether the
// token they hold is one the server issued.
func VerifyAccessToken(token string, keys *jose.JSONWebKeySet) (Claims, error) {
	tok, err := jwt.ParseSigned(token, jwtAlgorithms)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrTokenSignature, err)
	}
	for _, h := range tok.Headers {
		candidates := keys.Keys
		if h.KeyID != "" {
			candidates = keys.Key(h.KeyID)
		}
		for _, k := range candidates {
			var raw map[string]any
			if err := tok.Claims(k.Key, &raw); err == nil {
				return ParseClaims(token)
			}
		}
	}
	return Claims{}, ErrTokenSignature
}
