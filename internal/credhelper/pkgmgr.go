package credhelper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/protocol"
)

// The package managers' helpers: cargo's credential provider, the go
// command's GOAUTH and pip's (and uv's) keyring subprocess. Each binds
// the token to the hosts its profile lists, as the git and docker
// helpers do.

// ErrTokenGiven is returned for `cargo login TOKEN`: authwrap issues the
// tokens itself and stores none it is given.
var ErrTokenGiven = errors.New("authwrap issues the tokens for this registry itself and does not store one given to it: run `cargo login` without a token (or `authwrap login`)")

// CargoToken is the answer to cargo's get for the registry at indexURL
// (as cargo spells it, sparse+https://…): the token, with "Bearer "
// before it when bearer is set, valid until the time returned (cargo
// keeps it until then, less the profile's min_ttl, and asks again after). A
// registry no profile lists is ErrUnknownHost.
func (b *Broker) CargoToken(ctx context.Context, indexURL string, bearer bool) (protocol.CargoToken, error) {
	e, m, err := b.cargoManager(indexURL)
	if err != nil {
		return protocol.CargoToken{}, err
	}
	s, err := m.Token(ctx, e.ToolMinTTL())
	if err != nil {
		return protocol.CargoToken{}, err
	}
	tok := protocol.CargoToken{Token: protocol.Secret(s.AccessToken.Reveal())}
	if bearer {
		tok.Token = "Bearer " + tok.Token
	}
	if !s.Expiry.IsZero() {
		// Never a time already past: cargo would ask for every request.
		tok.Expires = s.Expiry.Add(-e.ToolMinTTL())
		if now := time.Now(); tok.Expires.Before(now) {
			tok.Expires = now
		}
	}
	return tok, nil
}

// cargoManager returns the profile that lists the host of a registry's
// index URL (as cargo spells it) and its Manager.
func (b *Broker) cargoManager(indexURL string) (*config.Entry, *helper.Manager, error) {
	t, err := ParseTargetURL(protocol.CargoIndexURL(indexURL))
	if err != nil {
		return nil, nil, err
	}
	return b.manager(t)
}

// CargoLogin answers `cargo login` for the registry at indexURL: the
// profile signs in when it has no session (on the terminal, under the
// same rules as every helper). A token typed or pasted to cargo is
// refused (ErrTokenGiven).
func (b *Broker) CargoLogin(ctx context.Context, indexURL, given string) error {
	e, m, err := b.cargoManager(indexURL)
	if err != nil {
		return err
	}
	if given != "" {
		return ErrTokenGiven
	}
	_, err = m.Token(ctx, e.ToolMinTTL())
	return err
}

// CargoLogout explains why `cargo logout` leaves the session: it is the
// profile's, shared with its other hosts and tools.
func (b *Broker) CargoLogout(indexURL string) error {
	e, _, err := b.cargoManager(indexURL)
	if err != nil {
		return err
	}
	return fmt.Errorf("the session of profile %s serves every host it lists, not only this registry: run `authwrap logout --profile %s` to end it", e.Name, e.Name)
}

// GoAuthAll is the go command's first GOAUTH call: the Authorization
// header for every https host of every profile that has a session (or
// can refresh one). No one is asked to sign in here: the go command makes
// this call before any fetch, public ones included. The profiles that
// could not give a token are returned with why, for a note.
func (b *Broker) GoAuthAll(ctx context.Context) ([]protocol.GoAuthBlock, map[string]error) {
	var blocks []protocol.GoAuthBlock
	skipped := map[string]error{}
	for _, e := range b.Config.Entries(b.Only) {
		urls := goURLs(e)
		if len(urls) == 0 {
			continue
		}
		m, err := b.Manager(e.Name)
		if err == nil {
			var s *helper.Session
			if s, err = m.Token(ctx, e.ToolMinTTL()); err == nil {
				blocks = append(blocks, bearerBlock(urls, s))
				continue
			}
		}
		skipped[e.Name] = err
	}
	return blocks, skipped
}

// goURLs lists the https URL prefixes of a profile's hosts.
func goURLs(e *config.Entry) []string {
	var urls []string
	for _, h := range e.Hosts {
		if t, err := NewTarget("https", h); err == nil {
			urls = append(urls, t.String()+"/")
		}
	}
	return urls
}

// GoAuthRetry is the go command's second call, after the server answered
// the request for url with status, a 4xx: for that URL's host only, a
// token (a sign-in where one may be asked, when there is no session).
// The token the go command sent is dropped, and a fresh one got, only
// when the server refused it (401, 403): the go command retries after
// any 4xx, and a module proxy answers 404 and 410 routinely. A URL no
// profile lists is ErrUnknownHost.
func (b *Broker) GoAuthRetry(ctx context.Context, url string, status int) ([]protocol.GoAuthBlock, error) {
	t, err := ParseTargetURL(url)
	if err != nil {
		return nil, err
	}
	if t.Scheme != "https" {
		return nil, fmt.Errorf("%w: the go command sends GOAUTH headers over https only", ErrInsecureTarget)
	}
	e, m, err := b.manager(t)
	if err != nil {
		return nil, err
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		if err := dropToken(ctx, m); err != nil {
			return nil, err
		}
	}
	s, err := m.Token(ctx, e.ToolMinTTL())
	if err != nil {
		return nil, err
	}
	return []protocol.GoAuthBlock{bearerBlock([]string{t.String() + "/"}, s)}, nil
}

// bearerBlock is the GOAUTH block that sends s's access token to urls.
func bearerBlock(urls []string, s *helper.Session) protocol.GoAuthBlock {
	return protocol.GoAuthBlock{URLs: urls, Headers: []protocol.Secret{protocol.Secret("Authorization: Bearer " + s.AccessToken.Reveal())}}
}

// KeyringGet answers `keyring get SERVICE USERNAME` as pip and uv run it:
// SERVICE is an index URL or its host[:port]; the token is the password
// when a profile lists the host and USERNAME is the one it sends (its
// username, default x-access-token). Anything else is ErrUnknownHost,
// which the caller answers with nothing, so pip tries its other sources.
func (b *Broker) KeyringGet(ctx context.Context, service, username string) (string, error) {
	t, err := ParseTargetURL(WithoutUserInfo(service))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnknownHost, err)
	}
	e, m, err := b.manager(t)
	if err != nil {
		return "", err
	}
	if username != e.User() {
		return "", fmt.Errorf("%w: user %.40q is not profile %s's (%s)", ErrUnknownHost, username, e.Name, e.User())
	}
	s, err := m.Token(ctx, e.ToolMinTTL())
	if err != nil {
		return "", err
	}
	return s.AccessToken.Reveal(), nil
}

// WithoutUserInfo returns raw with a URL's user info removed (pip's
// username in an index URL); a bare host[:port], or a URL net/url cannot
// read, is returned as it is, for ParseTargetURL to judge.
func WithoutUserInfo(raw string) string {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.User = nil
	return u.String()
}
