package main

import (
	"fmt"
	"strings"

	"github.com/authwrap/authwrap/flow/authkittest"
	"github.com/authwrap/authwrap/internal/integrate"
)

// DevMachine are dev-server's flags for one M2M application, so that a
// person can try a machine identity by hand. Its secret is read from a
// file, never taken on the command line.
type DevMachine struct {
	MachineID         string `name:"machine-id" help:"Serve an M2M application with this client ID (the client-credentials grant at the issuer's /oauth2/token)."`
	MachineSecretFile string `name:"machine-secret-file" type:"path" help:"The file holding that application's client secret (only you may read or write it); required with --machine-id."`
	MachineOrg        string `name:"machine-org" default:"org_01DEVMACHINE0000000000000" help:"The organization the application's tokens act for (their org_id)."`
	MachineScopes     string `name:"machine-scopes" help:"The scopes the application is granted, separated by spaces or commas."`
}

// machines returns the configured application, if any.
func (d DevMachine) machines() (map[string]authkittest.Machine, error) {
	if d.MachineID == "" && d.MachineSecretFile == "" {
		return nil, nil
	}
	if d.MachineID == "" || d.MachineSecretFile == "" {
		return nil, fmt.Errorf("--machine-id and --machine-secret-file go together")
	}
	secret, err := readSecretFile(d.MachineSecretFile)
	if err != nil {
		return nil, err
	}
	scopes := strings.FieldsFunc(d.MachineScopes, func(r rune) bool { return r == ',' || r == ' ' })
	return map[string]authkittest.Machine{d.MachineID: {Secret: secret.Reveal(), OrganizationID: d.MachineOrg, Scopes: scopes}}, nil
}

// announce says how to use the application, without its secret.
func (d DevMachine) announce(g *Globals, url string) {
	if d.MachineID == "" {
		return
	}
	fmt.Fprintf(g.stderr, "authwrap dev-server: M2M application %s (organization %s) gets tokens with its secret from %s:\n"+
		"  AUTHWRAP_CLIENT_SECRET=\"$(cat %s)\" %s login --issuer %s --client-id %s --profile ci\n",
		d.MachineID, d.MachineOrg, d.MachineSecretFile, integrate.ShellWord(d.MachineSecretFile), selfCommand(), url, d.MachineID)
}
