package main

import (
	"context"
	"fmt"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// DevServerCmd runs the local AuthKit-compatible server.
type DevServerCmd struct {
	Addr           string        `default:"127.0.0.1:8787" help:"Loopback address to listen on."`
	Interval       time.Duration `default:"5s" help:"Polling interval sent with each code."`
	CodeTTL        time.Duration `name:"code-ttl" default:"5m" help:"How long a device code lives."`
	AccessTokenTTL time.Duration `name:"access-token-ttl" default:"5m" help:"Access token lifetime."`
	RefreshGrace   time.Duration `name:"refresh-grace" default:"30s" help:"How long a used refresh token may be replayed for the same answer."`
	AutoApprove    time.Duration `name:"auto-approve" help:"Approve each code this long after it is issued (for scripts)."`
	Latency        time.Duration `help:"Delay every API answer this long, like a round trip to WorkOS (for benchmarks)."`
	ChooseOrg      bool          `name:"choose-org" help:"Answer approved sign-ins with organization_selection_required, as WorkOS does for a user in several organizations (the dev user is in Acme Corp and Globex)."`
	DevMachine
}

// Run serves until interrupted.
func (c *DevServerCmd) Run(ctx context.Context, g *Globals) error {
	for name, d := range map[string]time.Duration{"--interval": c.Interval, "--code-ttl": c.CodeTTL, "--access-token-ttl": c.AccessTokenTTL} {
		if d < time.Second {
			return fmt.Errorf("%s must be at least 1s", name)
		}
	}
	if c.AutoApprove < 0 || c.Latency < 0 {
		return fmt.Errorf("--auto-approve and --latency must not be negative")
	}
	clientID := g.ClientID // the global --client-id (or AUTHWRAP_CLIENT_ID) names the one client
	if clientID == "" {
		clientID = authkittest.DefaultClientID
	}
	grace := c.RefreshGrace
	if grace == 0 {
		grace = -1 // the flag's 0 means "no grace"; the package's 0 means "default"
	}
	machines, err := c.DevMachine.machines()
	if err != nil {
		return err
	}
	srv, err := authkittest.Listen(c.Addr, authkittest.Config{AppName: app + " dev app",
		ClientID: clientID, Interval: c.Interval, CodeTTL: c.CodeTTL,
		AccessTokenTTL: c.AccessTokenTTL, RefreshGrace: grace, AutoApprove: c.AutoApprove, Latency: c.Latency,
		OrganizationSelection: c.ChooseOrg, Machines: machines,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(g.stdout, "authwrap dev-server: listening on %s\n", srv.URL)
	fmt.Fprintf(g.stderr, "authwrap dev-server: sign in to it (this saves the settings in the profile, for every shell and tool):\n"+
		"  %s login --api-url %s --client-id %s\n"+
		"authwrap dev-server: or its standard flavour, by discovery: login --issuer %s --client-id %s (add --profile NAME to keep both)\n"+
		"authwrap dev-server: approve codes at %s/device; Ctrl-C stops the server\n",
		selfCommand(), srv.URL, clientID, srv.URL, clientID, srv.URL)
	c.DevMachine.announce(g, srv.URL)
	<-ctx.Done()
	fmt.Fprintln(g.stderr, "authwrap dev-server: stopped")
	return nil
}
