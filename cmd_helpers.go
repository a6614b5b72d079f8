package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/credhelper"
	"github.com/authwrap/authwrap/internal/integrate"
	"github.com/authwrap/authwrap/protocol"
)

// GitCredentialCmd is git's credential helper.
type GitCredentialCmd struct {
	Operation string `arg:"" help:"get, store, erase or capability (others are ignored, as git asks)."`
}

// Run answers one git credential helper call on stdin and stdout.
func (c *GitCredentialCmd) Run(ctx context.Context, g *Globals) error {
	if c.Operation == "capability" {
		return protocol.GitCapabilities(g.stdout, "authtype")
	}
	if c.Operation != "get" && c.Operation != "store" && c.Operation != "erase" {
		return nil // git: an unknown operation is ignored
	}
	req, err := protocol.ReadGit(os.Stdin)
	if err != nil {
		return err
	}
	b, release, err := g.broker(true)
	if err != nil {
		return err
	}
	defer release()
	switch c.Operation {
	case "get":
		ans, err := b.GitGet(ctx, req)
		if err != nil && (endsSignIn(err) || endsSignIn(context.Cause(ctx))) {
			// A sign-in denied, expired or cancelled: git must not fall
			// back to asking for a username and password.
			_ = protocol.WriteGit(g.stdout, &protocol.GitCredential{Quit: true})
		}
		if err != nil {
			return quietIfNotOurs(g.stderr, err)
		}
		return protocol.WriteGit(g.stdout, ans)
	case "erase":
		return b.GitErase(ctx, req)
	}
	return nil // store: authwrap keeps its own tokens; nothing to store
}

// quietIfNotOurs hides the "not for authwrap" outcomes (another host,
// plain http), which must look to git like an empty answer, and returns
// the others.
func quietIfNotOurs(stderr io.Writer, err error) error {
	if errors.Is(err, credhelper.ErrUnknownHost) {
		return nil
	}
	if errors.Is(err, credhelper.ErrInsecureTarget) {
		fmt.Fprintf(stderr, "authwrap: warning: %s\n", oneLine(err.Error()))
		return nil
	}
	return err
}

// DockerCredentialCmd is docker's credential helper.
type DockerCredentialCmd struct {
	Action string `arg:"" help:"get, store, erase, list or version."`
}

// Run answers one docker credential helper call. Errors go to stdout with
// exit status 1, as docker expects.
func (c *DockerCredentialCmd) Run(ctx context.Context, g *Globals) error {
	credentials.Name = "docker-credential-authwrap"
	credentials.Package = "github.com/authwrap/authwrap"
	credentials.Version = versionString()
	b, release, err := g.broker(true)
	if err == nil {
		defer release()
		b.DockerRegistries = dockerRegistries
		err = protocol.ServeDocker(b.Docker(ctx), c.Action, os.Stdin, g.stdout)
	}
	if err != nil {
		protocol.WriteDockerError(g.stdout, errors.New(describe(err)))
		return &exitError{code: 1, err: err, quiet: true}
	}
	return nil
}

// broker builds the credential broker: the config's profiles, each with
// a manager on the opened store and the on-demand prompt.
func (g *Globals) broker(prompt bool) (*credhelper.Broker, func(), error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	store, err := g.openStore(cfg)
	if err != nil {
		return nil, nil, err
	}
	var prompter helper.Prompter
	release := func() {}
	if prompt {
		prompter, release = g.onDemandPrompter()
	}
	return &credhelper.Broker{Config: cfg, Only: g.Profile, Manager: func(name string) (*helper.Manager, error) {
		e, err := g.resolve(cfg, name)
		if err != nil {
			return nil, err
		}
		m, err := g.manager(e, store, prompter)
		if err != nil {
			return nil, err
		}
		m.PromptCooldown = time.Minute
		return m, nil
	}}, release, nil
}

// dockerRegistries lists the registries docker's configuration sends to
// authwrap (credHelpers naming it), in the canonical form profiles list
// hosts in; nil (every host) when authwrap is docker's credsStore.
func dockerRegistries() (map[string]bool, error) {
	d := integrate.Docker{Path: integrate.DockerConfigPath()}
	if store, err := d.CredsStore(); err == nil && store == "authwrap" {
		return nil, nil
	}
	helpers, err := d.CredHelpers()
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for reg, h := range helpers {
		if h != "authwrap" {
			continue
		}
		if t, err := credhelper.DockerTarget(reg); err == nil {
			out[t.Host] = true
		}
	}
	return out, nil
}
