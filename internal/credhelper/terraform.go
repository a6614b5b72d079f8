package credhelper

import (
	"context"
	"errors"
	"fmt"

	"github.com/authwrap/authwrap/protocol"
)

// ErrTerraformStore is returned by TerraformStore for a host authwrap
// issues tokens for: `terraform login` has nothing to add.
var ErrTerraformStore = errors.New("authwrap issues the tokens for this host itself: run `authwrap login` instead of `terraform login`")

// TerraformGet answers a Terraform credentials helper's get for host:
// the token for a host a profile lists, {} for any other. Terraform hides
// the helper's stderr and gives it no stdin, so the broker's Manager must
// have no Prompter: a missing session is an error, never a sign-in.
func (b *Broker) TerraformGet(ctx context.Context, host string) (protocol.TerraformToken, error) {
	t, err := NewTarget("https", host)
	if err != nil {
		return protocol.TerraformToken{}, nil
	}
	e, m, err := b.manager(t)
	if errors.Is(err, ErrUnknownHost) {
		return protocol.TerraformToken{}, nil
	}
	if err != nil {
		return protocol.TerraformToken{}, err
	}
	s, err := m.Token(ctx, e.ToolMinTTL())
	if err != nil {
		return protocol.TerraformToken{}, err
	}
	return protocol.TerraformToken{Token: protocol.Secret(s.AccessToken.Reveal())}, nil
}

// TerraformStore is what `terraform login` calls: refused for a host
// authwrap serves (with the command to run instead), and for any other.
func (b *Broker) TerraformStore(host string) error {
	t, err := NewTarget("https", host)
	if err != nil {
		return err
	}
	if _, err := ProfileFor(b.Config, t, b.Only); err != nil {
		return fmt.Errorf("%s is not a host authwrap serves (add it with `authwrap setup terraform --host %s`)", t.Host, t.Host)
	}
	return fmt.Errorf("%s: %w", t.Host, ErrTerraformStore)
}

// TerraformForget is what `terraform logout` calls: the cached access
// token is dropped so the next get refreshes; the session stays.
func (b *Broker) TerraformForget(ctx context.Context, host string) error {
	t, err := NewTarget("https", host)
	if err != nil {
		return nil
	}
	_, err = b.forget(ctx, t)
	return err
}
