package helper

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/authwrap/authwrap/flow"
)

// MachineAuthenticator is what a Manager needs from the authorization
// server for a machine identity; *flow.Client satisfies it. A Manager's
// Auth that does not implement it cannot serve a machine profile.
type MachineAuthenticator interface {
	ClientCredentials(ctx context.Context, secret flow.Secret, scopes []string) (*flow.Token, error)
}

// MachineGrantError is a client-credentials grant the server refused:
// the secret, the application or the scopes are wrong, and running the
// grant again will not help. Nothing was stored.
type MachineGrantError struct {
	// Profile is the machine profile.
	Profile string
	// ClientID is the M2M application's client ID.
	ClientID string
	// Err is the server's answer (flow.ErrClientRejected,
	// flow.ErrUnauthorizedClient or flow.ErrInvalidScope match it).
	Err error
}

// Error says which profile and what the server refused, in one line.
func (e *MachineGrantError) Error() string {
	what := "the server refused the grant"
	switch {
	case errors.Is(e.Err, flow.ErrClientRejected):
		what = "the server refused the client ID and secret (a wrong or revoked secret, or no such application)"
	case errors.Is(e.Err, flow.ErrUnauthorizedClient):
		what = "the application may not use the client-credentials grant (disabled, or not an M2M application)"
	case errors.Is(e.Err, flow.ErrInvalidScope):
		what = "the application is not granted the scopes asked for"
	}
	answer := e.Err.Error()
	var fe *flow.Error
	if errors.As(e.Err, &fe) {
		answer = fe.Error()
	}
	return fmt.Sprintf("machine profile %s (client %s): %s; nothing was stored (%s)", e.Profile, e.ClientID, what, answer)
}

// Unwrap returns the server's answer.
func (e *MachineGrantError) Unwrap() error { return e.Err }

// machineGrant runs the client-credentials grant for a machine profile
// (the lock is held) and saves the token as a machine session. A refused
// grant stores nothing and leaves any stored session as it was.
func (m *Manager) machineGrant(ctx context.Context) (*Session, error) {
	a, err := m.auth(ctx)
	if err != nil {
		return nil, err
	}
	ma, ok := a.(MachineAuthenticator)
	if !ok {
		return nil, fmt.Errorf("profile %s is a machine identity, and this authenticator has no client-credentials grant", m.Profile.Name)
	}
	// A transient failure is retried as a refresh is, within the same
	// budget: the grant stands in for the refresh in refreshRetrying.
	grant := grantAsRefresh{ma: ma, secret: m.Profile.ClientSecret, scopes: machineScopes(m.Profile.Scopes)}
	tok, err := refreshRetrying(ctx, grant, "", flow.RefreshOptions{}, cmp.Or(m.RefreshTimeout, defaultRefreshTimeout))
	if err != nil {
		if errors.Is(err, flow.ErrClientRejected) || errors.Is(err, flow.ErrUnauthorizedClient) || errors.Is(err, flow.ErrInvalidScope) {
			return nil, &MachineGrantError{Profile: m.Profile.Name, ClientID: m.Profile.ClientID, Err: err}
		}
		if s, lerr := m.Load(); lerr == nil && s.Machine && s.ValidFor(0) && flow.IsTransient(err) && ctx.Err() == nil {
			m.notify("warning: could not get a new token for %s (%v); using the current one, valid for %s",
				m.Profile.Name, err, roundDur(time.Until(s.Expiry)))
			return s, nil
		}
		return nil, err
	}
	s := sessionFromToken(m.Profile, tok)
	s.Machine = true
	if err := m.Store.Save(s); err != nil {
		return nil, fmt.Errorf("got a token for %s, but it could not be saved: %w", m.Profile.Name, err)
	}
	return s, nil
}

// machineScopes are the scopes a machine asks for: the profile's, except
// DefaultScopes, which are a person's (an ID token, a refresh token) and
// which no M2M application is granted; none asks for all it is granted.
func machineScopes(scopes []string) []string {
	if slices.Equal(scopes, DefaultScopes) {
		return nil
	}
	return scopes
}

// grantAsRefresh is the client-credentials grant where refreshRetrying
// wants an Authenticator: its Refresh runs the grant (the refresh token
// it is given is empty); a machine never starts a device sign-in.
type grantAsRefresh struct {
	ma     MachineAuthenticator
	secret flow.Secret
	scopes []string
}

func (g grantAsRefresh) Start(context.Context) (*flow.DeviceAuth, error) {
	return nil, errors.New("a machine identity never starts a sign-in")
}

func (g grantAsRefresh) Poll(context.Context, *flow.DeviceAuth) (*flow.Token, error) {
	return nil, errors.New("a machine identity never starts a sign-in")
}

func (g grantAsRefresh) Refresh(ctx context.Context, _ flow.Secret, _ flow.RefreshOptions) (*flow.Token, error) {
	return g.ma.ClientCredentials(ctx, g.secret, g.scopes)
}
