package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/credhelper"
)

// SetupCmd configures callers.
type SetupCmd struct {
	Git       SetupGitCmd       `cmd:"" help:"Make git get tokens for a host from authwrap."`
	Docker    SetupDockerCmd    `cmd:"" help:"Make docker get tokens for a registry from authwrap."`
	Terraform SetupTerraformCmd `cmd:"" help:"Let Terraform and OpenTofu get tokens for a host from authwrap."`
	Kubectl   SetupKubectlCmd   `cmd:"" help:"Add a kubeconfig user that gets tokens from authwrap, and a context for a cluster."`
}

// SetupKubectlCmd writes the kubeconfig exec user and a context.
type SetupKubectlCmd struct {
	Cluster string `required:"" help:"Cluster name in the kubeconfig."`
	Remove  bool   `help:"Undo: remove the user and the context."`
}

// Run edits the kubeconfig, keeping everything else in it.
func (c *SetupKubectlCmd) Run(g *Globals) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	e, err := g.resolve(cfg, "")
	if err != nil {
		return err
	}
	exe, err := selfPath()
	if err != nil {
		return err
	}
	path := credhelper.KubeconfigPath()
	user, context := credhelper.KubeNames(e.Name, c.Cluster)
	res, err := credhelper.SetupKubectl(path, c.Cluster, e.Name, exe, c.Remove)
	if err != nil {
		return err
	}
	if c.Remove {
		if !res.Changed {
			fmt.Fprintf(g.stderr, "authwrap: %s has no user %s or context %s; nothing to remove\n", path, user, context)
			return nil
		}
		fmt.Fprintf(g.stderr, "authwrap: removed user %s and context %s from %s\n", user, context, path)
		return nil
	}
	// The plugin answers only for a server the profile lists.
	t, err := credhelper.ParseTargetURL(res.Server)
	if err != nil {
		return fmt.Errorf("cluster %s: server %s: %w", c.Cluster, res.Server, err)
	}
	if err := config.SetHost(g.configPath(), e, t.Host, false); err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "authwrap: %s has user %s (tokens from profile %s, only for %s) and context %s; use it with `kubectl --context %s` or `kubectl config use-context %s`\n",
		path, user, e.Name, t, context, context, context)
	return nil
}

// SetupTerraformCmd adds a host for Terraform and prints the CLI
// configuration block to add (authwrap does not edit .terraformrc).
type SetupTerraformCmd struct {
	Host   string `required:"" help:"Host Terraform talks to (e.g. app.terraform.io)."`
	Remove bool   `help:"Undo: forget the host."`
}

// Run adds the host to the profile and prints the credentials_helper block.
func (c *SetupTerraformCmd) Run(g *Globals) error {
	p, t, err := g.setupTarget(c.Host)
	if err != nil {
		return err
	}
	if err := config.SetHost(g.configPath(), p, t.Host, c.Remove); err != nil {
		return err
	}
	if c.Remove {
		fmt.Fprintf(g.stderr, "authwrap: Terraform no longer gets tokens for %s from authwrap\n", t.Host)
		return nil
	}
	args := "[]"
	if g.Profile != "" {
		args = fmt.Sprintf("[\"--profile\", %q]", g.Profile)
	}
	exe, _ := selfPath()
	fmt.Fprintf(g.stderr, "authwrap: Terraform may now get tokens for %s from profile %s. Add this to ~/.terraformrc:\n", t.Host, p.Name)
	fmt.Fprintf(g.stdout, "credentials_helper \"authwrap\" {\n  args = %s\n}\n", args)
	fmt.Fprintf(g.stderr, "authwrap: and put the helper where Terraform looks for it: mkdir -p ~/.terraform.d/plugins && ln -s %s ~/.terraform.d/plugins/terraform-credentials-authwrap\n", exe)
	return nil
}

// SetupGitCmd configures git for one host.
type SetupGitCmd struct {
	Host   string `required:"" help:"Host (host or host:port; a URL for plain http to a loopback host)."`
	Remove bool   `help:"Undo: forget the host and remove authwrap from git's config for it."`
}

// Run adds the host to the profile and writes git's global config.
func (c *SetupGitCmd) Run(g *Globals) error {
	p, t, err := g.setupTarget(c.Host)
	if err != nil {
		return err
	}
	exe, err := selfPath()
	if err != nil {
		return err
	}
	if err := credhelper.SetupGit(t, credhelper.HelperCommand(exe, g.Profile), c.Remove); err != nil {
		return err
	}
	if err := config.SetHost(g.configPath(), p, t.Host, c.Remove); err != nil {
		return err
	}
	if c.Remove {
		fmt.Fprintf(g.stderr, "authwrap: git no longer asks authwrap for %s\n", t)
		return nil
	}
	fmt.Fprintf(g.stderr, "authwrap: git now gets tokens for %s from profile %s (username %s)\n", t, p.Name, p.User())
	return nil
}

// SetupDockerCmd configures docker for one registry.
type SetupDockerCmd struct {
	Registry string `required:"" help:"Registry (host or host:port)."`
	Remove   bool   `help:"Undo: forget the registry and remove its credHelpers entry."`
}

// Run adds the registry to the profile and to docker's credHelpers.
func (c *SetupDockerCmd) Run(g *Globals) error {
	p, t, err := g.setupTarget(c.Registry)
	if err != nil {
		return err
	}
	path := credhelper.DockerConfigPath()
	if err := credhelper.SetupDocker(path, t.Host, c.Remove); err != nil {
		return err
	}
	if err := config.SetHost(g.configPath(), p, t.Host, c.Remove); err != nil {
		return err
	}
	if c.Remove {
		fmt.Fprintf(g.stderr, "authwrap: docker no longer asks authwrap for %s\n", t.Host)
		return nil
	}
	fmt.Fprintf(g.stderr, "authwrap: docker now gets tokens for %s from profile %s (%s)\n", t.Host, p.Name, path)
	if _, err := exec.LookPath("docker-credential-authwrap"); err != nil {
		exe, _ := selfPath()
		fmt.Fprintf(g.stderr, "authwrap: hint: docker runs docker-credential-authwrap, which is not on PATH: ln -s %s %s\n",
			exe, filepath.Join(filepath.Dir(exe), "docker-credential-authwrap"))
	}
	return nil
}

// setupTarget resolves the profile and the host to configure.
func (g *Globals) setupTarget(host string) (*config.Entry, credhelper.Target, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, credhelper.Target{}, err
	}
	e, err := g.resolve(cfg, "")
	if err != nil {
		return nil, credhelper.Target{}, err
	}
	t, err := credhelper.ParseTargetURL(host)
	return e, t, err
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
