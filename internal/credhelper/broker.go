package credhelper

import (
	"context"
	"errors"
	"fmt"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/protocol"
)

// Broker answers credential helper requests: it decides which profile, if
// any, may receive a token for a target, and gets that profile's token.
type Broker struct {
	// Config lists the profiles and their hosts.
	Config *config.Config
	// Only restricts the broker to one profile when set (--profile).
	Only string
	// Manager returns the Manager of a profile, with its store and prompt.
	Manager func(profile string) (*helper.Manager, error)
	// DockerRegistries returns the registries docker's configuration
	// sends to authwrap, for docker's list (nil: every host; a nil
	// DockerRegistries lists none).
	DockerRegistries func() (map[string]bool, error)
}

// manager returns the entry that lists t and its Manager.
func (b *Broker) manager(t Target) (*config.Entry, *helper.Manager, error) {
	e, err := ProfileFor(b.Config, t, b.Only)
	if err != nil {
		return nil, nil, err
	}
	m, err := b.Manager(e.Name)
	return e, m, err
}

// gitTarget reads where git wants to send the credential, from protocol
// and host, or url; when both are present they must agree.
func gitTarget(req *protocol.GitCredential) (Target, error) {
	var t, ut Target
	var err error
	if req.Protocol != "" || req.Host != "" {
		if t, err = NewTarget(req.Protocol, req.Host); err != nil {
			return Target{}, err
		}
	}
	if req.URL != "" {
		if ut, err = ParseTargetURL(req.URL); err != nil {
			return Target{}, err
		}
		if t != (Target{}) && t != ut {
			return Target{}, fmt.Errorf("%w: url %s disagrees with protocol and host %s", ErrInsecureTarget, ut, t)
		}
		t = ut
	}
	if t == (Target{}) {
		return Target{}, fmt.Errorf("%w: no protocol and host", ErrInsecureTarget)
	}
	return t, nil
}

// GitGet answers git's get. A nil answer means authwrap has nothing for
// this request (another host, plain http): git then asks its next helper.
// Errors that a person should see (not signed in, the server down) are
// returned; the caller prints them to stderr.
func (b *Broker) GitGet(ctx context.Context, req *protocol.GitCredential) (*protocol.GitCredential, error) {
	t, err := gitTarget(req)
	if err != nil {
		return nil, err
	}
	e, m, err := b.manager(t)
	if err != nil {
		return nil, err
	}
	s, err := m.Token(ctx, e.ToolMinTTL())
	if err != nil {
		return nil, err
	}
	ans := &protocol.GitCredential{Multi: map[string][]string{}, Other: map[string]protocol.Secret{}}
	if e.Bearer && req.HasCapability("authtype") {
		ans.Multi["capability"] = []string{"authtype"}
		ans.AuthType = "Bearer"
		ans.Credential = protocol.Secret(s.AccessToken.Reveal())
	} else {
		ans.Username = e.User()
		ans.Password = protocol.Secret(s.AccessToken.Reveal())
	}
	if !s.Expiry.IsZero() {
		ans.PasswordExpiryUTC = s.Expiry.Unix()
	}
	return ans, nil
}

// GitErase handles git's erase, sent after the server refused a
// credential. When the refused token is the profile's current access
// token, it is dropped so that the next get refreshes; the session (the
// refresh token) stays. Anything else is ignored.
func (b *Broker) GitErase(ctx context.Context, req *protocol.GitCredential) error {
	t, err := gitTarget(req)
	if err != nil {
		return nil
	}
	_, m, err := b.manager(t)
	if err != nil {
		return nil
	}
	tok := req.Password
	if req.AuthType != "" {
		tok = req.Credential
	}
	if tok == "" {
		return nil
	}
	return m.Invalidate(ctx, flow.Secret(tok.Reveal()))
}

// Docker returns the broker as a docker credential helper.
func (b *Broker) Docker(ctx context.Context) credentials.Helper { return &dockerHelper{b: b, ctx: ctx} }

type dockerHelper struct {
	b   *Broker
	ctx context.Context
}

// ErrDockerStore is returned by the docker helper's store for a registry
// authwrap issues tokens for: docker login has nothing to add.
var ErrDockerStore = errors.New("authwrap issues the credentials for this registry itself: run `authwrap login` instead of `docker login`")

// Add is docker's store. authwrap issues its tokens itself: storing the
// token it issued is a no-op; anything else is refused with a hint.
func (d *dockerHelper) Add(c *credentials.Credentials) error {
	t, err := DockerTarget(c.ServerURL)
	if err != nil {
		return err
	}
	_, m, err := d.b.manager(t)
	if err != nil {
		return fmt.Errorf("%s is not a registry authwrap serves (add it with `authwrap setup docker --registry %s`)", t.Host, t.Host)
	}
	if s, err := m.Load(); err == nil && s.AccessToken.Reveal() == c.Secret {
		return nil
	}
	return fmt.Errorf("%s: %w", t.Host, ErrDockerStore)
}

// Delete is docker's erase (docker logout): the cached access token is
// dropped, so the next get refreshes it; the session stays, because other
// hosts may share it. `authwrap logout` ends it.
func (d *dockerHelper) Delete(serverURL string) error {
	t, err := DockerTarget(serverURL)
	if err != nil {
		return credentials.NewErrCredentialsNotFound()
	}
	ours, err := d.b.forget(d.ctx, t)
	if !ours {
		return credentials.NewErrCredentialsNotFound()
	}
	return err
}

// forget drops t's profile's cached access token, so its next use
// refreshes; the session (the refresh token) stays. ours is false when no
// profile serves t; nothing to forget is not an error.
func (b *Broker) forget(ctx context.Context, t Target) (ours bool, err error) {
	_, m, err := b.manager(t)
	if err != nil {
		return false, nil
	}
	return true, dropToken(ctx, m)
}

// dropToken drops m's cached access token, so that its next use
// refreshes; with nothing cached there is nothing to drop.
func dropToken(ctx context.Context, m *helper.Manager) error {
	s, err := m.Load()
	if err != nil {
		return nil
	}
	return m.Invalidate(ctx, s.AccessToken)
}

// Get is docker's get: the token for a configured registry, or docker's
// exact "credentials not found" for any other.
func (d *dockerHelper) Get(serverURL string) (string, string, error) {
	t, err := DockerTarget(serverURL)
	if err != nil {
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	e, m, err := d.b.manager(t)
	if err != nil {
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	s, err := m.Token(d.ctx, e.ToolMinTTL())
	if err != nil {
		return "", "", err
	}
	return e.User(), s.AccessToken.Reveal(), nil
}

// List is docker's list: the registries docker asks authwrap for
// (Broker.DockerRegistries) that a profile lists, each with its username.
// A git or Terraform host is not a registry, so it is not listed.
func (d *dockerHelper) List() (map[string]string, error) {
	out := map[string]string{}
	ours := map[string]bool{}
	if d.b.DockerRegistries != nil {
		var err error
		if ours, err = d.b.DockerRegistries(); err != nil {
			return nil, err
		}
	}
	for _, p := range d.b.Config.Entries(d.b.Only) {
		for _, h := range p.Hosts {
			if _, ok := out[h]; !ok && (ours == nil || ours[h]) {
				out[h] = p.User()
			}
		}
	}
	return out, nil
}
