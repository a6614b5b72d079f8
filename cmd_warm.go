package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/appenv"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/xdg"
)

// KeepWarmCmd is the process that keeps a profile's session fresh while
// it is in use (helper.Manager.Keep): started detached by a command that
// had to refresh or sign in itself, never by a person. It exits once the
// profile's keep_warm has passed since the last use, at logout, or when
// another one already runs.
type KeepWarmCmd struct {
	Fork bool `name:"fork" hidden:"" help:"Start the keeper in the background and exit at once, so that it is no one's child."`
}

// Run keeps the chosen profile warm.
func (c *KeepWarmCmd) Run(ctx context.Context, g *Globals) error {
	closeInherited()
	hideEnvironment() // the passphrase, for the keeper's whole life
	if c.Fork {
		// The caller waits for this process, which leaves the keeper to
		// init: no zombie in a program that authwrap exec became.
		args := slices.DeleteFunc(slices.Clone(os.Args), func(a string) bool { return a == "--fork" })
		_, err := startDetached(args[1:], keeperEnv())
		return err
	}
	cfg, e, err := g.profile()
	if err != nil {
		return err
	}
	m, _, err := g.managerFor(cfg, e)
	if err != nil {
		return err
	}
	if m.KeepWarm <= 0 {
		return nil
	}
	m.StartKeeper, m.Notify = nil, nil
	err = m.Keep(ctx, e.ToolMinTTL())
	if errors.Is(err, helper.ErrKeeperRunning) {
		return nil
	}
	return err
}

// keepWarmEnv is the variable that overrides every profile's keep_warm
// ("0" turns keeping sessions warm off).
const keepWarmEnv = "AUTHWRAP_KEEP_WARM"

// keepWarm is how long a keeper keeps e's session fresh after its last
// use, stored in store; zero, with why, when none may run.
func keepWarm(e *config.Entry, store helper.Store) (time.Duration, string) {
	window := e.KeepWarmWindow()
	why := "keep_warm = 0"
	if v := os.Getenv(keepWarmEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return 0, fmt.Sprintf("%s=%.20q is not a duration (30m, 1h, or 0 for off)", keepWarmEnv, v)
		}
		window, why = d, keepWarmEnv+"="+v
	}
	ks, _ := store.(*helper.KeyringStore)
	switch {
	case window <= 0:
		return 0, why
	case isCI():
		return 0, "in CI (CI=" + os.Getenv("CI") + ")"
	case os.Getenv("AUTHWRAP_NO_PROMPT") == "1":
		return 0, "AUTHWRAP_NO_PROMPT=1"
	case ks == nil:
		return 0, "no keyring"
	case ks.Backend == "file" && appenv.Lookup(appenv.PassphraseVar(app)) == "":
		return 0, "the file keyring's passphrase is typed at a prompt, and a process in the background could not save the session (set " + appenv.PassphraseVar(app) + " to allow it)"
	}
	return window, ""
}

// isCI reports whether a CI system runs authwrap: CI set, and not to
// false or 0.
func isCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// keeperStarter returns what starts the keeper of the profile name: this
// program, run as `authwrap keep-warm` with the global flags this run
// was given, detached (startDetached).
func (g *Globals) keeperStarter(name string) func() error {
	return func() error {
		args := []string{app, "keep-warm", "--profile", name}
		for flag, v := range map[string]string{"--config": g.Config, "--ca-file": g.CAFile} {
			if v != "" {
				if abs, err := filepath.Abs(v); err == nil {
					args = append(args, flag, abs)
				}
			}
		}
		overrides := map[string]string{"--keyring-backend": g.KeyringBackend}
		if name == g.chosenProfile {
			// The flags and variables that set a profile's server and
			// client apply to the chosen profile only (resolve): the
			// keeper of another profile gets none of them.
			overrides["--client-id"], overrides["--api-url"], overrides["--issuer"], overrides["--scopes"] = g.ClientID, g.APIURL, g.Issuer, g.Scopes
		}
		for flag, v := range overrides {
			if v != "" {
				args = append(args, flag+"="+v)
			}
		}
		env := keeperEnv()
		if !forkFirst {
			cmd, err := startDetached(args[1:], env)
			if err == nil {
				go func() { _ = cmd.Wait() }()
			}
			return err
		}
		// Through a process that starts the keeper and exits: waited
		// for here (a few milliseconds, on a call that refreshed), it
		// leaves the keeper to init.
		cmd, err := startDetached(append(args[1:], "--fork"), env)
		if err != nil {
			return err
		}
		return cmd.Wait()
	}
}

// keeperEnv is the keeper's environment: this process's, less the
// secrets it has no use for, with the file keyring's passphrase, which
// authwrap takes out of its environment at start so that no tool it runs
// gets it, put back.
func keeperEnv() []string {
	// What a command authwrap exec runs was given (a token, its
	// endpoint's secret) and a machine's secret stay out of a process
	// that lives on.
	tokenVars := strings.Split(os.Getenv(tokenVarsVar), ",")
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "AUTHWRAP_TOKEN", "AUTHWRAP_TOKEN_URL_AUTH", "AUTHWRAP_CLIENT_SECRET", tokenVarsVar:
			return true
		case "AUTHWRAP_PROFILE", "AUTHWRAP_CLIENT_ID", "AUTHWRAP_API_URL", "AUTHWRAP_ISSUER", "AUTHWRAP_SCOPES":
			// Given as flags when they apply (keeperStarter): in the
			// keeper, whose chosen profile is the one it keeps, they
			// would apply to whichever profile that is.
			return true
		}
		// The variables authwrap exec put the token in, whatever their
		// names (--env, --terraform-host).
		return slices.Contains(tokenVars, k)
	})
	if pv := appenv.PassphraseVar(app); os.Getenv(pv) == "" && appenv.Lookup(pv) != "" {
		env = append(env, pv+"="+appenv.Lookup(pv))
	}
	return env
}

// startDetached starts this program with args, detached from the
// terminal, the caller's process group and its standard streams, in the
// root directory so that it holds no directory busy.
func startDetached(args, env []string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{Path: exe, Args: append([]string{app}, args...), Env: env, Dir: string(filepath.Separator)}
	detach(cmd)
	return cmd, cmd.Start()
}

// stopKeepers ends the keeper of every profile that has one running:
// the configuration's profiles and any other the state directory names.
func (g *Globals) stopKeepers(cfg *config.Config, store helper.Store) {
	names := map[string]bool{}
	for _, e := range cfg.Entries("") {
		names[e.Name] = true
	}
	found, _ := filepath.Glob(filepath.Join(xdg.StateDir(app), "*.keeper.lock"))
	for _, f := range found {
		names[strings.TrimSuffix(filepath.Base(f), ".keeper.lock")] = true
	}
	for name := range names {
		if helper.CheckProfileName(name) != nil {
			continue
		}
		m, err := helper.New(helper.Options{App: app, Profile: helper.Profile{Name: name}, Store: store, NoPrompt: true})
		if err != nil {
			continue
		}
		if err := m.StopKeeper(); err != nil {
			fmt.Fprintf(g.stderr, "authwrap: warning: %v\n", err)
		}
	}
}

// keepWarmChanged ends profile's keeper after its keep_warm (or min_ttl)
// changed: it was started with the old value, and the next use that
// refreshes starts one with the new.
func (g *Globals) keepWarmChanged(key, profile string) {
	if key != "keep_warm" && key != "min_ttl" || helper.CheckProfileName(profile) != nil {
		return
	}
	m, err := helper.New(helper.Options{App: app, Profile: helper.Profile{Name: profile}, Store: noStore{}, NoPrompt: true})
	if err != nil || !m.Keeper().Running {
		return
	}
	if err := m.StopKeeper(); err != nil {
		fmt.Fprintf(g.stderr, "authwrap: warning: %v\n", err)
		return
	}
	fmt.Fprintf(g.stderr, "authwrap: stopped the process that kept %s fresh; the next use that refreshes starts one with the new setting\n", profile)
}
