package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/credhelper"
	"github.com/authwrap/authwrap/internal/integrate"
)

// SetupCmd configures callers.
type SetupCmd struct {
	Git       SetupGitCmd       `cmd:"" help:"Make git get tokens for a host from authwrap."`
	Docker    SetupDockerCmd    `cmd:"" help:"Make docker get tokens for a registry from authwrap."`
	Terraform SetupTerraformCmd `cmd:"" help:"Let Terraform and OpenTofu get tokens for a host from authwrap."`
	Kubectl   SetupKubectlCmd   `cmd:"" help:"Add a kubeconfig user that gets tokens from authwrap, and a context for a cluster."`
	Cargo     SetupCargoCmd     `cmd:"" help:"Make a cargo registry get its token from authwrap (credential-provider)."`
	Go        SetupGoCmd        `cmd:"" help:"Let the go command get tokens for a module host from authwrap (GOAUTH)."`
	Pip       SetupPipCmd       `cmd:"" help:"Let pip and uv get the token for a package index from authwrap (keyring provider)."`
}

// SetupKubectlCmd writes the kubeconfig exec user and a context.
type SetupKubectlCmd struct {
	Cluster    string `required:"" help:"Cluster name in the kubeconfig."`
	APIVersion string `name:"api-version" enum:",v1,v1beta1" default:"" help:"Exec credential API version to write: v1 or v1beta1 (default: v1beta1 for a kubectl on PATH older than 1.22, else v1)."`
	Remove     bool   `help:"Undo: remove the user and the context."`
}

// Run edits the kubeconfig, keeping everything else in it, and binds the
// cluster's server to the profile.
func (c *SetupKubectlCmd) Run(g *Globals) error {
	e, err := g.setupProfile()
	if err != nil {
		return err
	}
	exe, err := selfPath()
	if err != nil {
		return err
	}
	kc := integrate.Kubectl{Path: integrate.KubeconfigPath()}
	user, context := integrate.KubeNames(e.Name, c.Cluster)
	version, why := integrate.ExecV1, "--api-version v1"
	switch c.APIVersion {
	case "v1beta1":
		version, why = integrate.ExecV1beta1, "--api-version v1beta1"
	case "":
		if !c.Remove {
			version, why = integrate.KubectlAPIVersion()
		}
	}
	res, err := integrate.SetupKubectl(kc.Path, c.Cluster, e.Name, exe, version, c.Remove)
	if err != nil {
		return err
	}
	var host string
	if t, err := credhelper.ParseTargetURL(res.Server); err == nil {
		host = t.Host
	} else if !c.Remove {
		return fmt.Errorf("cluster %s: server %s: %w", c.Cluster, res.Server, err)
	}
	if c.Remove {
		if !res.Changed {
			fmt.Fprintf(g.stderr, "authwrap: %s has no user %s or context %s; nothing to remove\n", kc.Path, user, context)
		} else {
			fmt.Fprintf(g.stderr, "authwrap: removed user %s and context %s from %s\n", user, context, kc.Path)
		}
		if host == "" {
			return nil
		}
		return g.unbindHost(e, host, kc.Name())
	}
	// The plugin answers only for a server the profile lists.
	if err := g.bindHost(e, host, "kubectl now gets", res.Server, ""); err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "authwrap: %s has user %s (exec API %s: %s) and context %s; use it with `kubectl --context %s` or `kubectl config use-context %s`\n",
		kc.Path, user, strings.TrimPrefix(version, "client.authentication.k8s.io/"), why, context, context, context)
	return nil
}

// SetupTerraformCmd adds a host for Terraform and prints the CLI
// configuration block to add (authwrap does not edit .terraformrc).
type SetupTerraformCmd struct {
	Host   string `required:"" help:"Host Terraform talks to (e.g. app.terraform.io)."`
	Remove bool   `help:"Undo: forget the host (unless another tool still uses it)."`
}

// Run adds the host to the profile and prints the credentials_helper block.
func (c *SetupTerraformCmd) Run(g *Globals) error {
	return g.setupTool(toolSetup{tool: "terraform", target: c.Host, verb: "Terraform may now get", remove: c.Remove,
		after: func(e *config.Entry, t credhelper.Target) error {
			args := "[]"
			if g.Profile != "" {
				args = fmt.Sprintf("[\"--profile\", %q]", g.Profile)
			}
			exe, _ := selfPath()
			tf := integrate.Terraform{Path: integrate.TerraformConfigPath()}
			if ok, _ := tf.HasHelper(); ok {
				fmt.Fprintf(g.stderr, "authwrap: %s already names authwrap as its credentials_helper; its args should be these:\n", tf.Path)
			} else {
				fmt.Fprintf(g.stderr, "authwrap: add this to %s:\n", tf.Path)
			}
			fmt.Fprintf(g.stdout, "credentials_helper \"authwrap\" {\n  args = %s\n}\n", args)
			link := filepath.Join(integrate.TerraformPluginDir(), "terraform-credentials-authwrap")
			if target, err := filepath.EvalSymlinks(link); err == nil {
				if self, err := filepath.EvalSymlinks(exe); err == nil && self == target {
					fmt.Fprintf(g.stderr, "authwrap: Terraform finds the helper at %s\n", link)
					return nil
				}
			}
			fmt.Fprintf(g.stderr, "authwrap: and put the helper where Terraform looks for it: %s\n", integrate.LinkHint(exe, integrate.TerraformPluginDir(), "terraform-credentials-authwrap"))
			return nil
		}})
}

// SetupGitCmd configures git for one host.
type SetupGitCmd struct {
	Host   string `required:"" help:"Host (host or host:port; a URL for plain http to a loopback host)."`
	Remove bool   `help:"Undo: remove authwrap from git's config for the host, and forget the host unless another tool still uses it."`
}

// Run adds the host to the profile and writes git's global config.
func (c *SetupGitCmd) Run(g *Globals) error {
	git := integrate.Git{}
	return g.setupTool(toolSetup{tool: git.Name(), target: c.Host, verb: "git now gets", remove: c.Remove,
		subject: func(t credhelper.Target) string { return t.String() },
		detail:  func(e *config.Entry) string { return "username " + e.User() + "; " },
		add: func(_ *config.Entry, t credhelper.Target) error {
			exe, err := selfPath()
			if err != nil {
				return err
			}
			return git.Configure(t.String(), integrate.HelperCommand(exe, g.Profile))
		},
		undo: func(e *config.Entry, t credhelper.Target) error {
			if err := git.Remove(t.String()); err != nil {
				return err
			}
			if still, err := git.Uses(t.Host); (err == nil && still) || git.HelpsEveryHost() {
				// Another line of git's config (a helper for every host,
				// or for the other scheme) still sends it to authwrap: the
				// host stays bound, or git would be refused.
				fmt.Fprintf(g.stderr, "authwrap: warning: git still asks authwrap for %s through another credential.helper line; `git config --global --get-urlmatch credential.helper %s` shows it\n", t.Host, t)
				fmt.Fprintf(g.stderr, "authwrap: %s stays in profile %s: still used by git\n", t.Host, e.Name)
				return errKeepHost
			}
			fmt.Fprintf(g.stderr, "authwrap: git no longer asks authwrap for %s\n", t)
			return nil
		}})
}

// SetupDockerCmd configures docker for one registry.
type SetupDockerCmd struct {
	Registry string `required:"" help:"Registry (host or host:port)."`
	Remove   bool   `help:"Undo: remove the registry's credHelpers entry, and forget the registry unless another tool still uses it."`
}

// Run adds the registry to the profile and to docker's credHelpers.
func (c *SetupDockerCmd) Run(g *Globals) error {
	d := integrate.Docker{Path: integrate.DockerConfigPath()}
	return g.setupTool(toolSetup{tool: d.Name(), target: c.Registry, verb: "docker now gets", remove: c.Remove,
		detail: func(*config.Entry) string { return "in " + d.Path + "; " },
		add:    func(_ *config.Entry, t credhelper.Target) error { return d.Configure(t.Host) },
		undo: func(_ *config.Entry, t credhelper.Target) error {
			if err := d.Remove(t.Host); err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "authwrap: docker no longer asks authwrap for %s (%s)\n", t.Host, d.Path)
			return nil
		},
		after: func(*config.Entry, credhelper.Target) error {
			if _, err := exec.LookPath("docker-credential-authwrap"); err != nil {
				exe, _ := selfPath()
				fmt.Fprintf(g.stderr, "authwrap: hint: docker runs docker-credential-authwrap, which is not on PATH: %s\n",
					integrate.LinkHint(exe, filepath.Dir(exe), "docker-credential-authwrap"))
			}
			return nil
		}})
}

// errKeepHost is an undo's answer when the tool still sends the host to
// authwrap after it: the host stays in the profile.
var errKeepHost = errors.New("the host is still in use")

// toolSetup is what one `setup TOOL` command does that the others do not;
// Globals.setupTool does the rest, the same for every tool.
type toolSetup struct {
	// tool names the tool for unbindHost (integrate.Tool's Name).
	tool string
	// target is the host, registry or URL given, which the profile lists.
	target string
	// verb starts the line that says what now works ("git now gets").
	verb string
	// remove is --remove: undo, then forget the host.
	remove bool
	// subject names what the tool now gets tokens for (default: the host).
	subject func(t credhelper.Target) string
	// detail adds to that line's parenthesis (where, which username).
	detail func(e *config.Entry) string
	// add writes authwrap into the tool's configuration; undo takes it
	// out (nil: there is nothing of authwrap's there to take out).
	add, undo func(e *config.Entry, t credhelper.Target) error
	// after says what is left for the person to do.
	after func(e *config.Entry, t credhelper.Target) error
}

// setupTool runs a setup command: the profile and the target are resolved;
// then either the tool's configuration is undone and the host forgotten
// (unless another tool still uses it), or the tool is configured, the host
// bound to the profile (with the settings given as flags) and the rest
// said.
func (g *Globals) setupTool(s toolSetup) error {
	e, t, err := g.setupTarget(s.target)
	if err != nil {
		return err
	}
	if s.remove {
		if s.undo != nil {
			if err := s.undo(e, t); errors.Is(err, errKeepHost) {
				return nil
			} else if err != nil {
				return err
			}
		}
		return g.unbindHost(e, t.Host, s.tool)
	}
	if s.add != nil {
		if err := s.add(e, t); err != nil {
			return err
		}
	}
	subject, detail := t.Host, ""
	if s.subject != nil {
		subject = s.subject(t)
	}
	if s.detail != nil {
		detail = s.detail(e)
	}
	if err := g.bindHost(e, t.Host, s.verb, subject, detail); err != nil {
		return err
	}
	if s.after != nil {
		return s.after(e, t)
	}
	return nil
}

// setupProfile resolves the profile setup binds hosts to.
func (g *Globals) setupProfile() (*config.Entry, error) {
	g.mayCreateConfig = true // setup writes the file --config names
	_, e, err := g.profile()
	return e, err
}

// setupTarget resolves the profile and the host to configure.
func (g *Globals) setupTarget(host string) (*config.Entry, credhelper.Target, error) {
	e, err := g.setupProfile()
	if err != nil {
		return nil, credhelper.Target{}, err
	}
	t, err := credhelper.ParseHostOrURL(host)
	return e, t, err
}

// explicitSettings are the profile settings given as flags on this
// command line: setup saves these, never what came from the environment.
func (g *Globals) explicitSettings() config.Settings {
	var s config.Settings
	if g.given["client-id"] {
		s.ClientID = g.ClientID
	}
	if g.given["api-url"] {
		s.APIURL = g.APIURL
	}
	if g.given["issuer"] {
		s.Issuer = g.Issuer
	}
	if g.given["scopes"] {
		s.Scopes = strings.Fields(g.Scopes)
	}
	return s
}

// saveGivenBackend saves --keyring-backend, given as a flag, as the
// global keyring_backend: a session stored in one backend is found there
// by every later command, not only by this one. It is every profile's
// setting: when other profiles than profile keep sessions in the backend
// used without the flag, they would no longer be found, so it is not
// saved and the note says how to go on.
func (g *Globals) saveGivenBackend(profile string) error {
	if !g.given["keyring-backend"] {
		return nil
	}
	if others, was := g.sessionsElsewhere(profile); len(others) > 0 {
		fmt.Fprintf(g.stderr, "authwrap: note: keyring_backend = %s is not saved: it is every profile's setting, and %s keep their sessions in the %s keyring; with profile %s, give --keyring-backend %s (or AUTHWRAP_KEYRING_BACKEND=%s) each time, or move every profile with `%s%s config set keyring_backend %s` (they sign in again)\n",
			g.KeyringBackend, strings.Join(others, ", "), was, profile, g.KeyringBackend, g.KeyringBackend, selfCommand(), g.givenArgs("config"), g.KeyringBackend)
		return nil
	}
	changed, err := config.Set(g.configPath(), "", "keyring_backend", g.KeyringBackend)
	if err == nil && changed {
		fmt.Fprintf(g.stderr, "authwrap: saved keyring_backend = %s (%s)\n", g.KeyringBackend, g.configPath())
	}
	return err
}

// sessionsElsewhere lists the configured profiles other than profile
// whose session (of their server and client) is in the backend used when
// --keyring-backend is not given (the config's, else the first that
// works), when that is another backend, and names it. A backend that
// cannot be opened or read without asking (a file keyring's passphrase)
// counts as holding none; sessions no configured profile would use (set
// up by the environment, or left by another configuration) do not count.
func (g *Globals) sessionsElsewhere(profile string) ([]string, string) {
	cfg, err := config.Load(g.configPath())
	if err != nil {
		return nil, ""
	}
	was := cfg.KeyringBackend
	if was == g.KeyringBackend {
		return nil, ""
	}
	store, err := helper.OpenStore(helper.StoreOptions{App: app, Backend: was,
		Passphrase: func(string) (string, error) { return "", helper.ErrNoPassphrase }})
	if err != nil || store.Backend == g.KeyringBackend {
		return nil, ""
	}
	names, _ := store.Profiles()
	return slices.DeleteFunc(names, func(n string) bool {
		if n == profile || cfg.Profiles[n] == nil {
			return true
		}
		// Only a session the profile would find counts: its server's
		// and client's (not one another configuration left behind).
		e, err := cfg.Resolve(n, helper.Profile{})
		if err != nil {
			return true
		}
		s, err := store.Load(n)
		return err != nil || s.Server != e.Server() || s.ClientID != e.ClientID
	}), store.Backend
}

// bindHost lists host in the profile (with the settings given as flags)
// and says which profile, server and client the tool's requests for it
// now get tokens from.
func (g *Globals) bindHost(e *config.Entry, host, tool, what, detail string) error {
	path := g.configPath()
	if _, err := config.SetHost(path, e.Name, g.explicitSettings(), host, false); err != nil {
		return err
	}
	if err := g.saveGivenBackend(e.Name); err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "authwrap: %s tokens for %s from profile %s (%sserver %s, client %s)\n",
		tool, what, e.Name, detail, e.Server(), e.ClientID)
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	saved := cfg.Profiles[e.Name]
	if saved == nil {
		return nil
	}
	if saved.ClientID != e.ClientID {
		fmt.Fprintf(g.stderr, "authwrap: note: client %s comes from the environment (AUTHWRAP_CLIENT_ID) and is not saved in the profile%s; pass --client-id to save it\n",
			e.ClientID, savedAs(saved.ClientID))
	}
	if saved.Server() != e.Server() {
		fmt.Fprintf(g.stderr, "authwrap: note: server %s comes from the environment (AUTHWRAP_API_URL or AUTHWRAP_ISSUER) and is not saved in the profile (which says %s); pass --api-url or --issuer to save it\n",
			e.Server(), saved.Server())
	}
	return nil
}

func savedAs(v string) string {
	if v == "" {
		return ", which has none"
	}
	return " (which says " + v + ")"
}

// unbindHost takes host out of the profile, unless another tool's
// configuration still sends it to authwrap: removing one tool's setup
// never breaks another's.
func (g *Globals) unbindHost(e *config.Entry, host, tool string) error {
	others, err := integrate.UsedBy(integrate.Tools(), host, tool)
	if err != nil {
		fmt.Fprintf(g.stderr, "authwrap: warning: %s\n", oneLine(err.Error()))
	}
	if len(others) > 0 {
		fmt.Fprintf(g.stderr, "authwrap: %s stays in profile %s: still used by %s\n", host, e.Name, strings.Join(others, ", "))
		return nil
	}
	changed, err := config.SetHost(g.configPath(), e.Name, config.Settings{}, host, true)
	if err != nil {
		return err
	}
	if changed {
		fmt.Fprintf(g.stderr, "authwrap: %s is no longer in profile %s: no tool gets tokens for it from authwrap\n", host, e.Name)
	}
	return nil
}

func (g *Globals) configPath() string {
	if g.Config != "" {
		return g.Config
	}
	return config.Path()
}

// selfPath is the path this binary was started by, made absolute but not
// resolved through symlinks, so a package manager's versioned directory
// does not end up in git's config.
func selfPath() (string, error) {
	p := os.Args[0]
	if filepath.Base(p) == p {
		lp, err := exec.LookPath(p)
		if err != nil {
			return os.Executable()
		}
		p = lp
	}
	return filepath.Abs(p)
}

// selfCommand is how a person runs this binary again, for the commands
// authwrap prints: "authwrap" when that name on PATH is this binary, else
// its path (quoted for the shell), so that a hint works after `go run .`
// or from an unpacked archive alike.
func selfCommand() string {
	self, err := os.Executable()
	if err != nil {
		return "authwrap"
	}
	if strings.Contains(self, string(filepath.Separator)+"go-build") {
		return "go run ." // `go run .`'s binary is gone when it exits
	}
	if onPath, err := exec.LookPath("authwrap"); err == nil {
		a, errA := filepath.EvalSymlinks(onPath)
		b, errB := filepath.EvalSymlinks(self)
		// Run by one of its helper names (git-credential-authwrap, a copy
		// a package put beside it), the authwrap on PATH is the one to name.
		helperName := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") != "authwrap"
		if helperName || (errA == nil && errB == nil && a == b) {
			return "authwrap"
		}
	}
	return integrate.ShellQuote(self)
}
