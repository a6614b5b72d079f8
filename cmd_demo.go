package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/flow/authkittest"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
)

// DemoCmd walks a newcomer through a sign-in against a throwaway server.
type DemoCmd struct {
	AutoApprove bool `name:"auto-approve" help:"Approve the code automatically after two seconds instead of in a browser."`
	NoBrowser   bool `name:"no-browser" help:"Do not open a browser."`
}

// Run starts a local server and throwaway storage, then runs login,
// token and status against them, and removes everything it made.
func (c *DemoCmd) Run(ctx context.Context, g *Globals) error {
	cfg := authkittest.Config{AppName: app + " dev app", Interval: time.Second}
	if c.AutoApprove {
		cfg.AutoApprove = 2 * time.Second
	}
	srv, err := authkittest.Listen("127.0.0.1:0", cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "authwrap-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pass := make([]byte, 16)
	_, _ = rand.Read(pass)
	store, err := helper.OpenStore(helper.StoreOptions{App: app, Backend: "file", FileDir: filepath.Join(dir, "keyring"),
		Passphrase: func(string) (string, error) { return hex.EncodeToString(pass), nil }})
	if err != nil {
		return err
	}
	prompter, release := g.terminalPrompter(!c.NoBrowser && !c.AutoApprove)
	defer release()
	m, err := helper.New(helper.Options{
		App:      app,
		Profile:  helper.Profile{Name: "demo", ClientID: srv.Config.ClientID, APIURL: srv.URL},
		Store:    store,
		StateDir: filepath.Join(dir, "state"),
		Prompter: prompter,
		Notify:   func(msg string) { fmt.Fprintf(g.stderr, "authwrap: %s\n", msg) },
	})
	if err != nil {
		return err
	}
	out := g.stdout
	say := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }

	say("authwrap demo")
	say("  A local AuthKit server is running at %s, for this demo only.", srv.URL)
	say("  Sessions go to a throwaway file keyring in %s, deleted at the end.", dir)
	say("")
	say("Step 1 of 4: authwrap login")
	if c.AutoApprove {
		say("  (--auto-approve: the server approves the code by itself after 2 seconds)")
	} else {
		say("  Open the URL below in a browser, check the code and press Approve.")
	}
	s, err := m.Login(ctx)
	if err != nil {
		return err
	}
	say("  signed in as %s%s", s.Who(), orgSuffix(s))
	say("")
	say("Step 2 of 4: authwrap token")
	say("  `authwrap token` prints the access token alone on stdout, for $(authwrap token) in scripts.")
	s, err = m.Token(ctx, helper.DefaultMinTTL)
	if err != nil {
		return err
	}
	claims, _ := flow.ParseClaims(s.AccessToken.Reveal())
	say("  Here it is masked: %s", s.AccessToken.Masked())
	say("  It is a JWT: sub=%s sid=%s org_id=%s, expires in %s",
		claims.Subject, claims.SessionID, claims.OrganizationID, time.Until(claims.ExpiresAt).Round(time.Second))
	say("")
	say("Step 3 of 4: authwrap status")
	st, _ := buildStatus(m, store) // a problem shows in the status itself
	st.KeepWarmOff = demoNotWarm
	st.Probes = []helper.Probe{{Backend: "file", Used: true, Reason: "a throwaway file keyring for this demo"}}
	printStatus(out, st)
	say("")
	say("Step 4 of 4: authwrap doctor (the server and the session; on your machine it also checks")
	say("  the configuration, the storage and every tool set up)")
	e := &config.Entry{Profile: m.Profile}
	d := &doctor{g: g, keepWarmOff: demoNotWarm}
	keys := d.checkServer(ctx, e)
	d.checkSession(e, store, keys)
	for _, f := range d.findings {
		say("  %-8s %-8s %s", f.Status, f.Area, f.Message)
	}
	say("")
	say("Done: the demo server and its storage are gone.")
	say("Next: point authwrap at your own WorkOS app (its client ID, with CLI Auth enabled; see README: Quick start):")
	say("  %s login --client-id client_...   # saves the client ID in the profile, then signs in", selfCommand())
	say("  %s token", selfCommand())
	return nil
}

// demoNotWarm is why the demo's session is not kept fresh in the
// background: it and its storage go when the demo ends.
const demoNotWarm = "a demo's throwaway session (your own are: docs/sessions.md)"
