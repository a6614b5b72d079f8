package main

import (
	"context"
	"os"

	"github.com/authwrap/authwrap/internal/credhelper"
	"github.com/authwrap/authwrap/protocol"
)

// TerraformCredentialsCmd is Terraform's and OpenTofu's credentials helper.
type TerraformCredentialsCmd struct {
	Operation string `arg:"" enum:"get,store,forget" help:"get, store or forget."`
	Host      string `arg:"" help:"The host Terraform asks about."`
}

// Run answers one call. It never signs in: Terraform hides the helper's
// stderr and gives it no stdin.
func (c *TerraformCredentialsCmd) Run(ctx context.Context, g *Globals) error {
	b, release, err := g.broker(false)
	if err != nil {
		return err
	}
	defer release()
	switch c.Operation {
	case "store":
		return b.TerraformStore(c.Host)
	case "forget":
		return b.TerraformForget(ctx, c.Host)
	}
	tok, err := b.TerraformGet(ctx, c.Host)
	if err != nil {
		return err
	}
	return protocol.WriteTerraformToken(g.stdout, tok)
}

// KubectlCredentialCmd is kubectl's exec credential plugin.
type KubectlCredentialCmd struct{}

// Run answers kubectl with an ExecCredential in the API version it asked
// for. It signs in only when kubectl says a person is at the terminal.
func (c *KubectlCredentialCmd) Run(ctx context.Context, g *Globals) error {
	info, err := protocol.ParseExecInfo(os.Getenv("KUBERNETES_EXEC_INFO"))
	if err != nil {
		return err
	}
	cfg, e, err := g.profile()
	if err != nil {
		return err
	}
	if err := credhelper.CheckKubeServer(cfg, e.Name, info.Server); err != nil {
		return err
	}
	m, _, err := g.managerFor(cfg, e)
	if err != nil {
		return err
	}
	s, release, err := g.tokenOnDemand(ctx, m, e.ToolMinTTL(), info.Interactive)
	if err != nil {
		return err
	}
	release()
	return protocol.WriteExecCredential(g.stdout, protocol.NewExecCredential(info, s.AccessToken.Reveal(), s.Expiry))
}
